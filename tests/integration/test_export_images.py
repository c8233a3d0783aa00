"""The bundle's pictures: nothing private leaves, sizes for every screen, cut around the focal point,
cached so nothing is encoded twice, byte-identical run to run (issue 17)."""

from __future__ import annotations

import io
import os
import re
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from PIL import Image

from ca_editor.domain.model import Story
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.services.container import Services


def _give_image(
    services: Services, story: Story, data: bytes, focus: tuple[float, float] | None = None
) -> Story:
    asset = services.images.add(data, name="camera.jpg")
    fields = replace(story.fields(), image_sha256=asset.sha256, image_alt="A photo", image_focus=focus)
    services.stories.update(story.id, fields, expected_version=story.version)
    return services.stories.get(story.id)


def _lead_story(services: Services) -> Story:
    return services.sections.layout(services.section_id()).slots[0].story


def _half_red_half_blue_camera_jpeg(photos: ModuleType, size: tuple[int, int], orientation: int) -> bytes:
    """Left half red, right half blue as stored; EXIF orientation 6 turns it a quarter clockwise (red on
    top), and every private tag a camera writes."""
    image = Image.new("RGB", size, (220, 20, 20))
    image.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=90,
        exif=photos.camera_exif(orientation),
        icc_profile=photos.icc_profile(),
        comment=photos.SECRETS["comment"],
        xmp=photos.xmp_packet(),
    )
    return out.getvalue()


def _images(bundle: Path) -> list[Path]:
    return sorted((bundle / "images").iterdir())


def test_nothing_private_leaves_and_orientation_is_applied_first(
    services: Services, tmp_path: Path, photos: ModuleType
) -> None:
    original = _half_red_half_blue_camera_jpeg(photos, (1000, 800), orientation=6)
    assert all(secret.encode() in original for secret in photos.SECRETS.values())
    story = _give_image(services, _lead_story(services), original)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)

    # Raw byte search of every file of the bundle, pages and manifest included.
    needles = [s.encode() for s in photos.SECRETS.values()]
    needles += [b"Exif\x00\x00", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"acsp", b"GPS"]
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found = [n for n in needles if n in data]
            assert not found, f"{path.relative_to(out)} carries {found}"
    # The original itself is not in the bundle, and stays untouched in the database.
    assert services.images.read(story.image.asset.sha256) == original  # type: ignore[union-attr]

    mine = [p for p in _images(out) if p.name.startswith(story.image.asset.sha256[:12])]  # type: ignore[union-attr]
    assert mine
    for path in mine:
        with Image.open(path) as picture:
            assert picture.format in {"WEBP", "JPEG"}
            for key in ("exif", "icc_profile", "xmp", "XML:com.adobe.xmp", "comment", "photoshop"):
                assert key not in picture.info, f"{path.name} has {key}"
            assert not picture.getexif()
            if picture.format == "WEBP":
                assert not any(chunk in path.read_bytes()[:64] for chunk in (b"EXIF", b"XMP ", b"ICCP"))
    # Displayed 800×1000 (turned), cut to 16:9: 800 wide at most, never upscaled to 1000 or 1200.
    widths = sorted({int(re.search(r"-(\d+)w\.", p.name).group(1)) for p in mine})  # type: ignore[union-attr]
    assert widths == [360, 720, 800]
    widest = next(p for p in mine if p.name.endswith("-800w.jpg"))
    with Image.open(widest) as picture:
        assert picture.size == (800, 450)
        red, _g, blue = picture.convert("RGB").getpixel((400, 20))  # type: ignore[misc]
        assert red > 150 and blue < 100  # the top is red: the turn came before the crop
        red, _g, blue = picture.convert("RGB").getpixel((400, 430))  # type: ignore[misc]
        assert blue > 150 and red < 100


def test_the_card_is_a_picture_in_every_width_lead_eager_rest_lazy(
    services: Services, tmp_path: Path, parse_html, photos: ModuleType
) -> None:
    _give_image(services, _lead_story(services), photos.camera_jpeg(3, (2400, 1800)))
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    cards = [
        n for n in parse_html(out / "index.html").iter() if n.tag == "li" and "card" in (n.get("class") or "")
    ]
    for position, card in enumerate(cards, start=1):
        source = card.find("source")
        img = card.find("img")
        assert source.get("type") == "image/webp"
        assert img.get("sizes") == source.get("sizes")
        assert img.get("width") and img.get("height")
        if position == 1:
            assert img.get("loading") is None and img.get("fetchpriority") == "high"
            assert [c.split()[1] for c in source.get("srcset").split(", ")] == ["360w", "720w", "1200w"]
            assert img.get("src").endswith("-1200w.jpg")
            assert (img.get("width"), img.get("height")) == ("1200", "675")
        else:
            assert img.get("loading") == "lazy"


def test_the_crop_follows_the_focal_point(services: Services, tmp_path: Path) -> None:
    # Top half red, bottom half blue: a focus near the top keeps mostly red, near the bottom mostly blue.
    image = Image.new("RGB", (1600, 1600), (220, 20, 20))
    image.paste((20, 20, 220), (0, 800, 1600, 1600))
    data = io.BytesIO()
    image.save(data, "PNG")
    story = _give_image(services, _lead_story(services), data.getvalue(), focus=(0.5, 0.05))
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    top_crop = {p.name for p in _images(out) if p.name.startswith(story.image.asset.sha256[:12])}  # type: ignore[union-attr]
    with Image.open(out / "images" / next(n for n in top_crop if n.endswith("-1200w.webp"))) as picture:
        assert picture.convert("RGB").getpixel((600, 500))[0] > 150  # type: ignore[index]

    fields = replace(story.fields(), image_focus=(0.5, 0.95))
    services.stories.update(story.id, fields, expected_version=story.version)
    story = services.stories.get(story.id)
    services.exports.export(services.section_id(), out, full=True)
    bottom_crop = {p.name for p in _images(out) if p.name.startswith(story.image.asset.sha256[:12])}  # type: ignore[union-attr]
    assert bottom_crop.isdisjoint(top_crop)  # new names: no browser or preview shows the old crop
    with Image.open(out / "images" / next(n for n in bottom_crop if n.endswith("-1200w.webp"))) as picture:
        assert picture.convert("RGB").getpixel((600, 175))[2] > 150  # type: ignore[index]
    page = (out / "stories" / f"{story.slug}.html").read_text(encoding="utf-8")
    assert all(name in page for name in bottom_crop)


def _cache_state(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_ino, p.stat().st_mtime_ns) for p in root.rglob("*") if p.is_file()}


def test_derivatives_are_cached_so_reexports_encode_nothing(
    services: Services, tmp_path: Path, photos: ModuleType
) -> None:
    story = _give_image(services, _lead_story(services), photos.camera_jpeg(5, (2400, 1800)))
    cache_root = Path(services.exports.derivatives.root or "")
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    made = _cache_state(cache_root / "files")
    assert made  # every rendition of every picture is in the cache

    # A text edit: the re-export encodes nothing (any encoding would write to the cache).
    edited = services.stories.update(
        story.id, replace(story.fields(), summary="Edited summary"), expected_version=story.version
    )
    services.exports.export(services.section_id(), out)
    # A full export into a new folder: every derivative is reused from the cache, linked where it can be.
    services.exports.export(services.section_id(), tmp_path / "again", full=True)
    assert _cache_state(cache_root / "files") == made
    linked = [p for p in _images(tmp_path / "again") if p.stat().st_nlink > 1]
    assert len(linked) == len(_images(tmp_path / "again"))
    assert edited.summary in (out / "stories" / f"{edited.slug}.html").read_text(encoding="utf-8")


def test_the_same_input_gives_byte_identical_images(
    services: Services, tmp_path: Path, photos: ModuleType
) -> None:
    _give_image(services, _lead_story(services), photos.camera_jpeg(7, (2400, 1800)))
    bundles = []
    for run in range(2):
        services.exports.derivatives = DerivativeCache(tmp_path / f"cache-{run}")  # nothing to reuse
        services.exports.export(services.section_id(), tmp_path / f"out-{run}", full=True)
        bundles.append({p.name: p.read_bytes() for p in _images(tmp_path / f"out-{run}")})
    assert bundles[0] == bundles[1]


def test_pruning_keeps_the_cache_under_its_limit(
    services: Services, tmp_path: Path, photos: ModuleType
) -> None:
    _give_image(services, _lead_story(services), photos.camera_jpeg(11, (2400, 1800)))
    cache = DerivativeCache(tmp_path / "cache")
    services.exports.derivatives = cache
    services.exports.export(services.section_id(), tmp_path / "out")
    before = cache.size()
    assert before > 0
    freed = cache.prune(limit=before // 2, now=time.time() + 2 * 3600)  # used within the hour: kept till then
    assert freed > 0 and cache.size() <= before // 2
    # A picture that lost its files is encoded again on the next export, which still succeeds.
    services.exports.export(services.section_id(), tmp_path / "out2", full=True)
    assert os.listdir(tmp_path / "out2" / "images")


def test_the_cache_prunes_itself_at_most_once_a_day(tmp_path: Path) -> None:
    cache = DerivativeCache(tmp_path / "cache")
    (tmp_path / "cache" / "files" / "ab").mkdir(parents=True)
    (tmp_path / "cache" / "files" / "ab" / "x.webp").write_bytes(b"x" * 100)
    assert cache.prune_now_and_then(limit=10) == 0  # no picture record names it: nothing to drop
    assert (tmp_path / "cache" / "pruned").is_file()
    stamp = (tmp_path / "cache" / "pruned").stat().st_mtime_ns
    cache.prune_now_and_then(limit=10)
    assert (tmp_path / "cache" / "pruned").stat().st_mtime_ns == stamp  # not again within the day


def test_the_preview_shows_a_new_focal_point_at_once(services: Services, photos: ModuleType) -> None:
    # Square, so every focal point height gives another 16:9 cut.
    story = _give_image(services, _lead_story(services), photos.camera_jpeg(13, (1600, 1600)))
    assert story.image is not None
    pages = []
    for focus in ((0.5, 0.1), (0.5, 0.9)):  # unsaved edits: the preview takes the story as a value
        edited = replace(story, image=replace(story.image, focus=focus))
        pages.append(services.previews.story_page(services.section_id(), edited))
    names = [{r.path for p in page.pictures for r in p.renditions} for page in pages]
    assert names[0].isdisjoint(names[1])
    for page, paths in zip(pages, names, strict=True):
        assert all(path in page.html for path in paths if path.endswith(".webp"))
        files = [f for p in page.pictures for f in services.previews.picture_files(p)]
        assert {f.rendition.path for f in files} == paths
        assert all(f.cached and Path(f.cached).is_file() for f in files)  # ready for the next export too
