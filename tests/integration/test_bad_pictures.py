"""Bad pictures at pick or import time get a clear message and lose nothing (issue 17, item 6): a refused
file stores nothing and changes no story; an accepted odd one says what will happen to it, and exports as
clean screen pictures."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from ca_editor.domain.errors import ValidationError
from ca_editor.persistence.models import AssetRow
from ca_editor.services.container import Services


def _encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def _asset_count(services: Services) -> int:
    with services.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(AssetRow)) or 0)


def _refused(services: Services, data: bytes, name: str) -> str:
    """The message for ``data``; nothing is stored and the lead story keeps its picture."""
    before = _asset_count(services)
    story = services.sections.layout(services.section_id()).slots[0].story
    with pytest.raises(ValidationError) as caught:
        services.images.add(data, name=name)
    assert _asset_count(services) == before
    assert services.stories.get(story.id).image == story.image
    message = caught.value.problems[0].message
    assert name in message
    assert "PIL" not in message and "BytesIO" not in message  # written for a person, not a developer
    return message


def _exported_fallback(services: Services, tmp_path: Path, data: bytes, name: str) -> Image.Image:
    """Give the lead story ``data`` and export; the widest fallback derivative of it, loaded."""
    asset, _notes = services.images.add_noting(data, name=name)
    story = services.sections.layout(services.section_id()).slots[0].story
    fields = replace(story.fields(), image_sha256=asset.sha256, image_alt="A picture")
    services.stories.update(story.id, fields, expected_version=story.version)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    mine = sorted((out / "images").glob(f"{asset.sha256[:12]}-*"))
    assert mine and all(p.suffix in {".webp", ".jpg", ".png"} for p in mine)
    fallback = max((p for p in mine if p.suffix != ".webp"), key=lambda p: int(p.stem.rsplit("-", 1)[1][:-1]))
    picture = Image.open(fallback)
    picture.load()  # reads the file and closes it; ``format`` stays
    return picture


def test_a_truncated_jpeg_is_refused_as_cut_short(services: Services) -> None:
    whole = _encoded(Image.effect_noise((640, 480), 60).convert("RGB"), "JPEG", quality=90)
    message = _refused(services, whole[: len(whole) // 2], "holiday.jpg")
    assert "cut short" in message and "copy it again" in message


def test_a_zero_byte_file_is_refused_as_empty(services: Services) -> None:
    assert "empty (0 bytes)" in _refused(services, b"", "empty.jpg")


def test_a_decompression_bomb_is_refused_before_decoding(services: Services) -> None:
    # A 1-bit PNG of 12,000 × 12,000 pixels: a few kilobytes that would be 432 MB decoded as RGB.
    bomb = _encoded(Image.new("1", (12_000, 12_000)), "PNG")
    assert len(bomb) < 100_000
    message = _refused(services, bomb, "bomb.png")
    assert "decompression bomb" in message and "40 megapixels" in message


def test_a_cmyk_jpeg_is_accepted_and_exported_in_screen_colours(services: Services, tmp_path: Path) -> None:
    cmyk = _encoded(Image.new("CMYK", (800, 450), (0, 255, 255, 0)), "JPEG", quality=95)  # print red
    _asset, notes = services.images.add_noting(cmyk, name="print.jpg")
    assert any("CMYK" in note and "sRGB" in note for note in notes)
    picture = _exported_fallback(services, tmp_path, cmyk, "print.jpg")
    assert picture.mode == "RGB"
    red, green, blue = picture.getpixel((400, 225))  # type: ignore[misc]
    assert red > 180 and green < 90 and blue < 90


def test_a_16_bit_png_with_transparency_keeps_it(services: Services, tmp_path: Path) -> None:
    grey = Image.new("I;16", (800, 450), 0)  # value 0 is the transparent key
    grey.paste(Image.new("I;16", (400, 450), 65535), (400, 0))  # right half white, 16-bit
    data = _encoded(grey, "PNG", transparency=0)
    with Image.open(io.BytesIO(data)) as check:
        assert check.mode == "I;16" and check.info.get("transparency") == 0
    _asset, notes = services.images.add_noting(data, name="scan.png")
    assert notes == ()
    picture = _exported_fallback(services, tmp_path, data, "scan.png")
    assert picture.format == "PNG" and picture.mode == "RGBA"
    assert picture.getpixel((100, 200))[3] == 0  # type: ignore[index]  # transparent stays transparent
    assert picture.getpixel((700, 200)) == (255, 255, 255, 255)  # white stays white, not clipped grey


def test_a_palette_png_with_transparency_keeps_it(services: Services, tmp_path: Path) -> None:
    palette = Image.new("P", (800, 450), 0)
    palette.putpalette([0, 0, 0, 200, 30, 30] + [0, 0, 0] * 254)
    palette.paste(1, (400, 0, 800, 450))
    data = _encoded(palette, "PNG", transparency=0)
    services.images.add_noting(data, name="logo.png")
    picture = _exported_fallback(services, tmp_path, data, "logo.png")
    assert picture.format == "PNG"
    assert picture.getpixel((100, 200))[3] == 0  # type: ignore[index]
    assert picture.getpixel((700, 200)) == (200, 30, 30, 255)


def _frames() -> list[Image.Image]:
    return [Image.new("RGB", (800, 450), colour) for colour in ((20, 160, 20), (200, 20, 20), (20, 20, 200))]


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "loop.gif"), ("WEBP", "loop.webp")])
def test_an_animation_is_accepted_with_its_first_frame_and_says_so(
    services: Services, tmp_path: Path, fmt: str, name: str
) -> None:
    first, *rest = _frames()
    options: dict[str, object] = {"lossless": True} if fmt == "WEBP" else {}
    data = _encoded(first, fmt, save_all=True, append_images=rest, duration=200, loop=0, **options)
    _asset, notes = services.images.add_noting(data, name=name)
    assert any("animated (3 frames)" in note and "first frame" in note for note in notes)
    red, green, blue = _exported_fallback(services, tmp_path, data, name).convert("RGB").getpixel((400, 225))  # type: ignore[misc]
    assert green > 120 and red < 80 and blue < 80  # the first frame, green


def test_a_heic_photo_is_refused_with_what_to_do(services: Services) -> None:
    # The start of an iPhone photo: an ISO box "ftyp" with the brand "heic" (Pillow here cannot read it).
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    message = _refused(services, heic, "IMG_0042.HEIC")
    assert "HEIC" in message and "export it as JPEG" in message


def test_a_file_whose_extension_lies(services: Services) -> None:
    png = _encoded(Image.new("RGB", (800, 450), (10, 20, 30)), "PNG")
    asset, notes = services.images.add_noting(png, name="photo.jpg")
    assert asset.media_type == "image/png"  # known by its bytes, not its name
    assert any("really a PNG" in note for note in notes)
    # A document named like a photo is refused by what it is.
    assert "a PDF document" in _refused(services, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n" * 4, "photo.jpg")
