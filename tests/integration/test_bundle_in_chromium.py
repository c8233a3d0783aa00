"""The exported pages, opened from file:// in a real browser, show their images and their style: the CSP,
the relative paths and the stylesheet all work without a server. (The pages carry no script at all, which
test_export checks; headless Chromium cannot take a screenshot with scripting switched off.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from ca_editor.locations import static_dir

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CA_EDITOR_REQUIRE_TOOLS") == "1":
        pytest.fail("chromium is missing; `make test` installs it (Debian package chromium)")
    pytest.skip("chromium is not installed")


def _screenshot(page: Path, out: Path, profile: Path, width: int, height: int) -> Image.Image:
    result = subprocess.run(
        [
            _chromium(),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--screenshot={out}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.is_file(), result.stderr[-2000:]
    return Image.open(out).convert("RGB")


def _pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    counts = image.getcolors(maxcolors=1 << 24) or []
    return sum(n for n, c in counts if all(abs(a - b) <= tolerance for a, b in zip(c, colour, strict=True)))


def _hex(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def test_section_page_shows_images_and_style_from_file_url(shared_demo_bundle: Path, tmp_path: Path) -> None:
    page = shared_demo_bundle / "index.html"
    shot = _screenshot(page, tmp_path / "index.png", tmp_path / "profile", 1280, 900)

    # The lead story's placeholder image is a flat dark-teal field: it shows only if the CSP let the
    # relative image load from file://.
    assert _pixels_near(shot, _hex("#12465b")) > 0.03 * shot.width * shot.height
    # The kicker colour comes only from style.css: it shows only if the stylesheet loaded.
    kicker = next(
        line.split("--kicker:")[1].split(";")[0].strip()
        for line in (static_dir() / "style.css").read_text().splitlines()
        if "--kicker:" in line
    )
    assert _pixels_near(shot, _hex(kicker), tolerance=40) > 100


def test_story_page_on_a_phone_width_shows_its_figure(shared_demo_bundle: Path, tmp_path: Path) -> None:
    page = next(iter(sorted((shared_demo_bundle / "stories").glob("*.html"))))
    shot = _screenshot(page, tmp_path / "story.png", tmp_path / "profile", 390, 1200)

    colours = shot.getcolors(maxcolors=1 << 20) or []
    assert len(colours) > 50, "the page rendered as a nearly blank image"
    background = max(colours)[1]
    assert background == (255, 255, 255) or sum(background) < 120  # light or dark scheme, never unstyled grey
