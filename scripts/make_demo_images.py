"""Regenerate the demo section's placeholder images (resources/demo/images/*.png).

Run from the repository root with the project's venv: ``.venv/bin/python scripts/make_demo_images.py``.
Each image is a flat, labelled illustration; its alt text in stories.jsonl describes exactly what it shows.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 675
OUT = Path("resources/demo/images")

# file name, background (labels stay ASCII: Pillow's built-in font has no en dash)
# file name, background, accent, big label, small label
IMAGES = [
    ("dushanbe.png", "#12465b", "#f2b134", "Dushanbe", "Tajikistan"),
    ("astana-tashkent.png", "#0f5e4b", "#7fd1ae", "Astana and Tashkent", "Kazakhstan and Uzbekistan"),
    ("steinmeier-astana.png", "#2d3a5c", "#e9c46a", "Astana", "German state visit"),
    ("astana-forum-commentary.png", "#6b2d5c", "#f6bd60", "Commentary", "Astana International Forum"),
    ("astana-forum.png", "#1d3557", "#a8dadc", "Astana International Forum", "8-9 June"),
    ("kazakhstan-eu.png", "#003399", "#ffcc00", "Astana", "Kazakhstan-EU Cooperation Committee"),
    ("xian-declaration.png", "#7a1f1f", "#f4d35e", "Xi'an Declaration", "China-Central Asia Summit"),
    ("xian-summit.png", "#8c3b1f", "#ffd166", "Xi'an", "China-Central Asia Summit"),
]


def draw(background: str, accent: str, label: str, sublabel: str) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    pen = ImageDraw.Draw(image)
    # A horizon of steppe and mountains: simple shapes that compress well and read as a landscape.
    pen.polygon(
        [
            (0, 520),
            (220, 380),
            (390, 470),
            (610, 300),
            (820, 450),
            (1000, 360),
            (1200, 470),
            (1200, 675),
            (0, 675),
        ],
        fill=accent,
    )
    pen.rectangle([(0, 585), (WIDTH, HEIGHT)], fill=background)
    pen.ellipse([(1040, 40), (1150, 150)], outline=accent, width=10)
    big = ImageFont.load_default(78)
    small = ImageFont.load_default(38)
    pen.text((70, 150), label, font=big, fill="#ffffff")
    pen.text((74, 260), sublabel, font=small, fill=accent)
    pen.text((74, 612), "Illustration", font=ImageFont.load_default(26), fill="#ffffff")
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, background, accent, label, sublabel in IMAGES:
        draw(background, accent, label, sublabel).quantize(colors=64).save(OUT / name, optimize=True)
        print(OUT / name, (OUT / name).stat().st_size)


if __name__ == "__main__":
    main()
