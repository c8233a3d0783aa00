"""Image benchmark: every story with its own 12-megapixel camera JPEG, our export against Hugo resizing the
same images to the same widths (``make bench`` runs it after the page benchmark; alone:
``.venv/bin/python bench/image_bench.py --images 2000``).

Both make the same files of every picture: a 16:9 crop at 360, 720 and 1200 pixels wide, each as WebP and as
JPEG (Hugo: ``.Fill "WxH Center webp"`` and ``jpg`` in the story page's template, the images as page
resources). Cold: nothing cached (our derivative cache empty, Hugo's ``resources/_gen`` removed). Warm: a
full export (a new folder, nothing linked from the previous bundle) with the cache from the cold run, and
Hugo with its ``resources/_gen`` kept. Goals: cold ≤ 1.0 × Hugo cold, warm ≤ 0.05 × Hugo cold. Every
build runs in its own process after ``sync``; times are the export call (ours) and the whole process (Hugo).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from export_bench import run_measured, set_aside  # noqa: E402 - after the path is set

HUGO_CONFIG = """\
baseURL = "/"
title = "Central Asia"
uglyURLs = false
disableKinds = ["RSS", "sitemap", "robotsTXT", "404", "taxonomy", "term"]
[imaging]
  quality = 78
  resampleFilter = "Lanczos"
"""
HUGO_SINGLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ with .Resources.GetMatch "photo.jpg" }}<picture>
{{ $w := slice (.Fill "360x203 Center webp") (.Fill "720x405 Center webp") (.Fill "1200x675 Center webp") }}
{{ $j := slice (.Fill "360x203 Center jpg") (.Fill "720x405 Center jpg") (.Fill "1200x675 Center jpg") }}
<source type="image/webp" srcset="{{ range $w }}{{ .RelPermalink }} {{ .Width }}w, {{ end }}">
<img src="{{ (index $j 2).RelPermalink }}" srcset="{{ range $j }}{{ .RelPermalink }} {{ .Width }}w, {{ end }}"
alt=""></picture>{{ end }}</body></html>
"""


def prepare(work: Path, count: int) -> Path:
    """The photos, a desk database whose every story has its own, and the same as a Hugo site."""
    import photos
    from sqlalchemy import insert, select

    from ca_editor.app import open_services
    from ca_editor.persistence.models import AssetRow, StoryRow, utcnow
    from ca_editor.services.images import inspect_image

    marker = work / f"images-{count}.done"
    db = work / "desk.sqlite3"
    if marker.exists() and db.exists():
        return db
    shutil.rmtree(work, ignore_errors=True)
    (work / "hugo" / "content" / "stories").mkdir(parents=True)
    (work / "hugo" / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (work / "hugo" / "layouts" / "_default").mkdir(parents=True)
    (work / "hugo" / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (work / "hugo" / "layouts" / "index.html").write_text("<p>{{ .Site.Title }}</p>\n", encoding="utf-8")
    started = time.perf_counter()
    services = open_services(str(db))
    now = utcnow()
    total_bytes = 0
    with services.db.write() as session:
        for number in range(count):
            data = photos.camera_jpeg(1000 + number)
            total_bytes += len(data)
            info = inspect_image(data) if number < 3 else None  # the first ones checked as an import would
            sha = _sha256(data)
            if session.scalar(select(AssetRow.sha256).where(AssetRow.sha256 == sha)) is None:
                width, height = (info.width, info.height) if info else photos.CAMERA_SIZE
                session.execute(
                    insert(AssetRow),
                    [{"sha256": sha, "media_type": "image/jpeg", "width": width, "height": height,
                      "byte_size": len(data), "data": data}],
                )  # fmt: skip
            slug = f"photo-{number:06d}"
            session.execute(
                insert(StoryRow),
                [{"slug": slug, "title": f"Photo story {number}", "summary": "A story with its own photo.",
                  "body": f"Photo story {number}.", "byline": "Desk", "status": "published",
                  "published_at": now.replace(year=2020 + number % 6, month=1 + number % 12), "tags": [],
                  "version": 1, "created_at": now, "updated_at": now, "image_sha256": sha,
                  "image_alt": f"Photo {number}"}],
            )  # fmt: skip
            bundle = work / "hugo" / "content" / "stories" / slug
            bundle.mkdir()
            (bundle / "photo.jpg").write_bytes(data)
            front = {"title": f"Photo story {number}", "date": "2024-01-01T00:00:00Z"}
            (bundle / "index.md").write_text(json.dumps(front) + "\n\nPhoto story.\n", encoding="utf-8")
    services.db.dispose()
    (work / "originals-bytes").write_text(str(total_bytes), encoding="utf-8")
    marker.touch()
    print(f"generated {count:,} photos ({total_bytes / 1e9:.2f} GB) in {time.perf_counter() - started:.0f} s")
    return db


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def child(db: str, out: str) -> None:
    """One full export in this process (the cache is ``$CA_EDITOR_CACHE``); prints its time as JSON."""
    from ca_editor.app import open_services

    services = open_services(db, seed_demo=False)
    started = time.perf_counter()
    services.exports.export(services.section_id(), Path(out), full=True)
    seconds = time.perf_counter() - started
    services.db.dispose()
    print(json.dumps({"seconds": seconds}))


def ours(db: Path, out: Path, cache: Path) -> float:
    set_aside(out)
    os.sync()
    env_cmd = [sys.executable, __file__, "--child", "--db", str(db), "--out", str(out)]
    os.environ["CA_EDITOR_CACHE"] = str(cache)
    try:
        _wall, _peak, stdout, _cpu = run_measured(env_cmd)
    finally:
        del os.environ["CA_EDITOR_CACHE"]
    return float(json.loads(stdout.strip().splitlines()[-1])["seconds"])


def hugo(hugo_bin: str, site: Path, *, cold: bool) -> float:
    if cold:
        shutil.rmtree(site / "resources", ignore_errors=True)
    set_aside(site / "public")
    os.sync()
    wall, _peak, _out, _cpu = run_measured([hugo_bin, "--quiet", "-s", str(site), "-d", str(site / "public")])
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "images")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.db, args.out)
        return
    work = (args.work / f"images-{args.images}").resolve()
    db = prepare(work, args.images)
    originals = int((work / "originals-bytes").read_text())
    print(
        f"\n{args.images:,} stories, each with its own 12-MP JPEG ({originals / 1e9:.2f} GB); "
        f"{os.cpu_count()} cores"
    )
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    cold = ours(db, work / "out", cache)
    warm = ours(db, work / "out", cache)
    derivatives = sum(p.stat().st_size for p in (work / "out" / "images").iterdir())
    print(f"ca-editor cold   {cold:8.2f} s   ({cold / args.images * 1000:.0f} ms per image)")
    print(f"ca-editor warm   {warm:8.2f} s   (full export, every derivative from the cache)")
    print(f"derivatives in the bundle: {derivatives / 1e6:.1f} MB")
    hugo_bin = None if args.no_peers else shutil.which("hugo")
    if hugo_bin:
        hugo_cold = hugo(hugo_bin, work / "hugo", cold=True)
        hugo_warm = hugo(hugo_bin, work / "hugo", cold=False)
        print(f"hugo cold        {hugo_cold:8.2f} s")
        print(f"hugo warm        {hugo_warm:8.2f} s   (its resources/_gen kept)")
        for name, ratio, target in (
            ("cold / hugo cold", cold / hugo_cold, 1.0),
            ("warm / hugo cold", warm / hugo_cold, 0.05),
        ):
            print(f"{name:<18} {ratio:7.3f}  (target ≤ {target})  {'ok' if ratio <= target else 'MISSED'}")
        print(f"{'warm / hugo warm':<18} {warm / hugo_warm:7.3f}")
    set_aside(work / "out")
    from export_bench import empty_trash

    empty_trash(work)


if __name__ == "__main__":
    main()
