"""Camera-like JPEGs made with Pillow, for the image benchmark and the tests (no binary fixtures).

A "photo" is smooth colour fields, shapes with soft edges and sensor noise: at 720 pixels wide it
compresses about as a real photo does, unlike flat colour (far smaller) or pure noise (far larger). Each
carries what a camera writes and a news desk must never publish: GPS coordinates, the camera's make,
model and body serial number, the owner's name, an ICC profile, an XMP packet, a comment and an
orientation tag.
"""

from __future__ import annotations

import io
import random
from functools import cache

from PIL import Image, ImageCms, ImageDraw, ImageFilter

CAMERA_SIZE = (4000, 3000)  # 12 megapixels
SECRETS = {
    "artist": "Aigerim Secret-Owner",
    "owner": "Aigerim Secret-Owner",
    "serial": "SN-7731-SECRET-0042",
    "make": "SecretCam",
    "model": "SecretCam X-100",
    "comment": "shot at the safe house",
    "xmp": "SecretXmpCreator",
}
GPS_LATITUDE = (43.0, 15.0, 30.12)  # 43°15'30.12" N: Almaty
GPS_LONGITUDE = (76.0, 56.0, 44.11)


@cache
def _base(seed: int, size: tuple[int, int]) -> Image.Image:
    # Tuned so that its 720-pixel WebP weighs about what a busy real photo's does (53 KB here against
    # 55 KB for a detailed photo of a circuit board): a budget met with these holds for real pictures.
    rnd = random.Random(seed)
    width, height = size
    fields = [Image.effect_noise((40, 30), 80).resize(size, Image.Resampling.BICUBIC) for _ in range(3)]
    base = Image.merge("RGB", fields)
    draw = ImageDraw.Draw(base)
    scale = width / 4000
    for _ in range(1200):
        x, y = rnd.randrange(width), rnd.randrange(height)
        r = max(2, int(rnd.randrange(8, 160) * scale))
        colour = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            draw.ellipse((x, y, x + r, y + r * rnd.random()), fill=colour)
        else:
            end = (x + int(rnd.randrange(-400, 400) * scale), y + int(rnd.randrange(-400, 400) * scale))
            draw.line((x, y, *end), fill=colour, width=max(1, int(rnd.randrange(2, 12) * scale)))
    base = base.filter(ImageFilter.GaussianBlur(1.5 * scale))
    noise = Image.effect_noise(size, 18).convert("RGB")
    return Image.blend(base, noise, 0.12)


def photo(seed: int, size: tuple[int, int] = CAMERA_SIZE) -> Image.Image:
    """A photo-like picture; different seeds differ in every pixel block that matters to a hash (a patch
    of their own), while sharing the expensive base among eight."""
    image = _base(seed % 8, size).copy()
    rnd = random.Random(seed)
    patch = Image.effect_noise((64, 64), 40 + seed % 50).convert("RGB")
    image.paste(patch, (rnd.randrange(size[0] - 64), rnd.randrange(size[1] - 64)))
    return image


@cache
def icc_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = SECRETS["make"]
    exif[0x0110] = SECRETS["model"]
    exif[0x013B] = SECRETS["artist"]
    exif[0x0112] = orientation
    exif[0x8298] = f"(c) {SECRETS['owner']}"
    private = exif.get_ifd(0x8769)  # the Exif IFD
    private[0xA430] = SECRETS["owner"]  # CameraOwnerName
    private[0xA431] = SECRETS["serial"]  # BodySerialNumber
    private[0x9003] = "2026:11:27 14:05:00"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", GPS_LATITUDE
    gps[3], gps[4] = "E", GPS_LONGITUDE
    return exif


def xmp_packet() -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        f'xmp:CreatorTool="{SECRETS["xmp"]}"/></rdf:RDF></x:xmpmeta>'
    ).encode()


def camera_jpeg(
    seed: int, size: tuple[int, int] = CAMERA_SIZE, orientation: int = 1, quality: int = 92
) -> bytes:
    """A camera JPEG with every private tag in ``SECRETS``, GPS coordinates and an ICC profile."""
    out = io.BytesIO()
    photo(seed, size).save(
        out,
        "JPEG",
        quality=quality,
        exif=camera_exif(orientation),
        icc_profile=icc_profile(),
        comment=SECRETS["comment"],
        xmp=xmp_packet(),
    )
    return out.getvalue()
