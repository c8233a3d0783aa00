"""Make a picture's files from the original's bytes with Pillow: pixels only, nothing private.

Every derivative is re-encoded from pixels: EXIF orientation is applied first, colour is converted to sRGB
from an embedded ICC profile (CMYK too), and the saved file carries no EXIF, XMP, IPTC, comments, ICC
profile or thumbnail, because the image handed to the encoder has an empty ``info`` and no metadata
argument is given. The original in the database is never changed.

Deterministic: the same bytes, crop and settings give the same files (single-threaded encoders, fixed
settings, see ``renditions.ENCODER``).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from functools import cache

from PIL import Image, ImageCms, ImageOps

from ca_editor.domain.orientation import EXIF_ORIENTATION, oriented_size
from ca_editor.export.renditions import ImageFacts, Picture, Rendition

_FloatBox = tuple[float, float, float, float]
_MAX_PIXELS = 90_000_000  # the import refuses far smaller; this only stops a bomb stored long ago


def probe(data: bytes) -> ImageFacts:
    """The original's displayed size and transparency, read from its header (no pixels decoded)."""
    with _open(data) as image:
        width, height = oriented_size(*image.size, image.getexif().get(EXIF_ORIENTATION))
        return ImageFacts(width, height, _has_alpha(image))


def render(data: bytes, picture: Picture) -> Iterator[tuple[Rendition, bytes]]:
    """Every rendition of ``picture`` (widest first), encoded."""
    renditions = picture.renditions
    image, box = _pixels(data, picture, max(r.width for r in renditions))
    scaled: dict[int, Image.Image] = {}
    for width in sorted({r.width for r in renditions}, reverse=True):
        height = next(r.height for r in renditions if r.width == width)
        # The widest straight from the crop box, each narrower one from the one before: a third of the
        # work of scaling the whole crop every time, and Lanczos over a 1.7x step loses nothing visible.
        image = scaled[width] = image.resize((width, height), Image.Resampling.LANCZOS, box=box)
        box = (0.0, 0.0, float(width), float(height))
    for rendition in sorted(renditions, key=lambda r: (-r.width, r.format)):
        yield rendition, _encode(scaled[rendition.width], rendition.format)


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data))
    if image.width * image.height > _MAX_PIXELS:
        raise OSError(0, f"the image is {image.width}×{image.height} pixels, too large to convert")
    return image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA", "RGBa", "La"} or "transparency" in image.info


def _pixels(data: bytes, picture: Picture, widest: int) -> tuple[Image.Image, _FloatBox]:
    """The oriented sRGB original, decoded as small as the widest rendition allows, and the crop box in
    its pixels."""
    image = _open(data)
    oriented_width = oriented_size(*image.size, image.getexif().get(EXIF_ORIENTATION))[0]
    left, top, right, bottom = picture.box
    if image.format == "JPEG" and widest < right - left:
        # libjpeg scales by 1/2, 1/4 or 1/8 while decoding: a 12-MP photo decodes four times faster at
        # half size, which still leaves the crop at least ``widest`` pixels wide.
        scale = widest / (right - left)
        image.draft(image.mode, (int(image.width * scale) + 1, int(image.height * scale) + 1))
    image.load()
    oriented = ImageOps.exif_transpose(image) or image
    pixels = _to_srgb(oriented)
    factor = pixels.width / oriented_width
    return pixels, (left * factor, top * factor, right * factor, bottom * factor)


def _to_srgb(image: Image.Image) -> Image.Image:
    """RGB or RGBA pixels in sRGB, whatever the original's mode and profile."""
    alpha = _has_alpha(image)
    if image.mode in {"I;16", "I;16B", "I;16L", "I"}:
        # 16-bit grey: keep the top 8 bits (Pillow's plain conversion clips everything above 255).
        grey = image.convert("I").point(lambda value: value / 256).convert("L")
        if "transparency" in image.info:
            # Pillow's own conversion honours the transparent value (but clips the grey, hence the above).
            grey.putalpha(image.convert("RGBA").getchannel("A"))
            return grey.convert("RGBA")
        return grey.convert("RGB")
    profile = image.info.get("icc_profile")
    target = "RGBA" if alpha else "RGB"
    if profile and image.mode in {"RGB", "RGBA", "CMYK", "L"}:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            if image.mode == "RGBA":
                rgb = ImageCms.profileToProfile(image.convert("RGB"), source, _srgb(), outputMode="RGB")
                assert rgb is not None
                rgb.putalpha(image.getchannel("A"))
                return rgb
            converted = ImageCms.profileToProfile(image, source, _srgb(), outputMode="RGB")
            assert converted is not None
            return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a damaged or unusable profile: the plain conversion below is still a picture
    return image.convert(target)


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _encode(image: Image.Image, fmt: str) -> bytes:
    image.info.clear()  # nothing of the original's metadata reaches an encoder that would copy it
    out = io.BytesIO()
    if fmt == "webp":
        image.save(out, "WEBP", quality=72, method=4)
    elif fmt == "jpeg":
        image.save(out, "JPEG", quality=78, optimize=True, progressive=True, subsampling="4:2:0")
    else:
        image.save(out, "PNG", compress_level=6)
    return out.getvalue()
