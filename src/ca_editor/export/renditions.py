"""Which files a picture becomes in the bundle, and what the HTML says of them. No I/O, no Pillow here.

Every image in a bundle is a derivative, never the original: the 16:9 crop around the editor's focal point
(``domain.crop``) in widths of 360, 720 and 1200 pixels (never wider than the crop itself), as WebP and as
a fallback every browser reads (JPEG, or PNG when the original has transparency). The card and the story
page show the same crop, so one set of files serves both.

A rendition's name carries its cache key: a hash of the original's sha256, the crop box, the width, the
format and the encoder settings (``ENCODER``). Another focal point that gives the same box (moving the
focus sideways on a 4:3 photo cut to 16:9) is the same file; new settings are new names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from PIL import __version__ as _PILLOW  # PIL's package only (1 ms), not Pillow's image code

from ca_editor.domain.crop import CARD_ASPECT, Box, crop_box
from ca_editor.domain.model import StoryImage

WIDTHS = (360, 720, 1200)
#: Changing any setting in ``export.derivatives`` changes this string, hence every name and cache key.
ENCODER = "v1 lanczos; webp q72 m4; jpeg q78 progressive optimized 4:2:0; png level 6; srgb, no metadata"
# Another Pillow (another libjpeg or libwebp) may encode other bytes: its files get other keys, so a cached
# file is always the bytes this installation would make. (Not ``importlib.metadata``: 50 ms in a worker.)


@dataclass(frozen=True, slots=True)
class ImageFacts:
    """What planning needs of an original beyond its database row: its size as displayed (EXIF
    orientation applied) and whether it has transparency (then the fallback is PNG, not JPEG)."""

    width: int
    height: int
    alpha: bool


@dataclass(frozen=True, slots=True)
class Rendition:
    key: str  # the derivative cache's key
    path: str  # bundle-relative
    width: int
    height: int
    format: str  # "webp", "jpeg" or "png"


@dataclass(frozen=True, slots=True)
class Picture:
    """One original cut around one focal point, in every width and format the bundle carries."""

    sha256: str
    box: Box  # in the oriented original's pixels
    webp: tuple[Rendition, ...]  # narrowest first
    fallback: tuple[Rendition, ...]  # same widths, JPEG or PNG

    @property
    def key(self) -> str:
        """The crop's identity: two pictures with the same key are the same files."""
        return _digest(self.sha256, self.box, ENCODER)

    @property
    def box_pixels(self) -> int:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])

    @property
    def renditions(self) -> tuple[Rendition, ...]:
        return self.webp + self.fallback

    @property
    def largest(self) -> Rendition:
        return self.fallback[-1]


_EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}


def widths_for(box_width: int) -> tuple[int, ...]:
    """360, 720 and 1200, none wider than the crop; a crop narrower than 1200 adds its own width."""
    return tuple(sorted({min(width, box_width) for width in WIDTHS}))


def plan_picture(image: StoryImage, facts: ImageFacts) -> Picture:
    """The derivatives of ``image`` cut around its focal point."""
    sha256 = image.asset.sha256
    box = crop_box(facts.width, facts.height, CARD_ASPECT, image.focus)
    box_w, box_h = box[2] - box[0], box[3] - box[1]
    fallback_format = "png" if facts.alpha else "jpeg"

    def rendition(width: int, fmt: str) -> Rendition:
        key = _digest(sha256, box, width, fmt, ENCODER, _PILLOW)
        height = max(1, round(width * box_h / box_w))
        path = f"images/{sha256[:12]}-{key[:10]}-{width}w.{_EXTENSIONS[fmt]}"
        return Rendition(key, path, width, height, fmt)

    widths = widths_for(box_w)
    return Picture(
        sha256,
        box,
        tuple(rendition(w, "webp") for w in widths),
        tuple(rendition(w, fallback_format) for w in widths),
    )


def picture_as_stored(image: StoryImage) -> Picture:
    """The plan from the database row alone (no EXIF orientation, transparency guessed from the format):
    for tests and sketches; an export reads the original's facts (``export.pictures``)."""
    asset = image.asset
    return plan_picture(image, ImageFacts(asset.width, asset.height, asset.media_type != "image/jpeg"))


def srcset(renditions: tuple[Rendition, ...], root: str) -> str:
    return ", ".join(f"{root}{r.path} {r.width}w" for r in renditions)


def _digest(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()
