"""Accept image bytes only when they really are a bounded image, and store them once by content hash."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import NotFoundError, Problem, ValidationError
from ca_editor.domain.model import ImageAsset
from ca_editor.domain.orientation import EXIF_ORIENTATION, oriented_size
from ca_editor.persistence.database import Database
from ca_editor.persistence.mapping import asset_from_row
from ca_editor.persistence.models import AssetRow

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 8000×5000 photo; decompression bombs are far beyond
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # Pillow warns above this and refuses above twice it
_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    media_type: str
    width: int
    height: int
    notes: tuple[str, ...] = ()  # accepted, but worth saying (an animation loses its motion, ...)


# Formats people pick that Pillow here cannot (or should not) read, by their first bytes: what to do instead.
_ISO_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_EXPORT_AS_JPEG = "export it as JPEG (or PNG) from the photo app and pick that file"
_NOT_IMAGES = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or an office document)",
    b"<!DO": "a web page",
    b"<htm": "a web page",
    b"<svg": "an SVG drawing",
    b"<?xm": "an XML file",
    b"II*\x00": "a TIFF image",
    b"MM\x00*": "a TIFF image",
}
_EXTENSION_TYPES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WebP", ".gif": "GIF"}
_TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}


def inspect_image(data: bytes, *, name: str = "the image") -> ImageInfo:
    """Identify and verify ``data``; raise ``ValidationError`` saying why it is refused and what to do.

    Accepted originals are kept as they are (the export makes clean copies, ``export.derivatives``);
    ``ImageInfo.notes`` says what a person should know about one (only its first frame is shown, its
    name claims another format, its colours are converted)."""
    if not data:
        raise _refuse(
            f"{name} is empty (0 bytes): the file was not saved or copied completely; pick it again"
        )
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(
            f"{name} is {len(data) / 1e6:.1f} MB; images up to {MAX_IMAGE_BYTES // 2**20} MB are accepted"
        )
    _refuse_known_other_formats(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as probe:
                fmt, (width, height) = probe.format or "", probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(_too_many_pixels(name, width, height))
                frames = getattr(probe, "n_frames", 1)
                mode = probe.mode
                probe.verify()
            # verify() leaves the image unusable; decode a fresh copy to catch truncated data.
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as full:
                full.load()
                # Stored as the reader sees it (EXIF orientation applied), like the export and the editor;
                # read after ``load``: a PNG's EXIF may follow its pixels, and ``verify`` needs them unread.
                displayed = oriented_size(width, height, full.getexif().get(EXIF_ORIENTATION))
    except UnidentifiedImageError:  # Pillow's own text names an in-memory object, useless to a person
        raise _refuse(f"{name} is not a PNG, JPEG, WebP or GIF image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(
            f"{name} claims to be far larger than any photo (a decompression bomb?); pictures up to "
            f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels are accepted"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        if "truncated" in str(exc).lower() or "end of file" in str(exc).lower():
            raise _refuse(
                f"{name} is cut short (truncated): it was not copied or downloaded completely; "
                "copy it again from the camera or the sender"
            ) from None
        raise _refuse(
            f"{name} is damaged and cannot be read ({exc}); export it again from the photo app"
        ) from None
    media_type = _FORMATS[fmt]
    return ImageInfo(media_type, *displayed, _notes(name, media_type, frames, mode))


def _refuse_known_other_formats(data: bytes, name: str) -> None:
    if data[4:8] == b"ftyp" and data[8:12] in _ISO_BRANDS:
        kind = "an AVIF" if data[8:12] in {b"avif", b"avis"} else "a HEIC/HEIF (iPhone)"
        raise _refuse(f"{name} is {kind} photo, which the desk cannot read; {_EXPORT_AS_JPEG}")
    for magic, kind in _NOT_IMAGES.items():
        if data[: len(magic)].lower() == magic.lower():
            raise _refuse(f"{name} is {kind}, not a PNG, JPEG, WebP or GIF image")


def _too_many_pixels(name: str, width: int, height: int) -> str:
    return (
        f"{name} is {width}×{height} pixels ({width * height / 1e6:.0f} megapixels); pictures up to "
        f"{MAX_IMAGE_PIXELS / 1e6:.0f} megapixels are accepted: make it smaller in the photo app first"
    )


def _notes(name: str, media_type: str, frames: int, mode: str) -> tuple[str, ...]:
    notes = []
    if frames > 1:
        notes.append(f"{name} is animated ({frames} frames); pages show its first frame only")
    if mode == "CMYK":
        notes.append(f"{name} is in print colours (CMYK); the bundle converts them to screen colours (sRGB)")
    claimed = _EXTENSION_TYPES.get(_suffix(name))
    actual = _TYPE_NAMES[media_type]
    if claimed is not None and claimed != actual:
        notes.append(f"{name} is really a {actual} image, whatever its name says; it is kept as {actual}")
    return tuple(notes)


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower().strip("'\"") if dot >= 0 else ""


def store_image(
    session: Session, data: bytes, *, name: str = "the image", info: ImageInfo | None = None
) -> ImageAsset:
    """Store ``data`` (once per distinct content) and return its asset value (``info``: already inspected)."""
    info = info or inspect_image(data, name=name)
    sha = hashlib.sha256(data).hexdigest()
    row = session.get(AssetRow, sha)
    if row is None:
        row = AssetRow(
            sha256=sha,
            media_type=info.media_type,
            width=info.width,
            height=info.height,
            byte_size=len(data),
            data=data,
        )
        session.add(row)
        session.flush()
    return asset_from_row(row)


def _refuse(message: str) -> ValidationError:
    return ValidationError([Problem("image", message)])


class ImageService:
    """Images for the desk: add a picked file, read bytes back for thumbnails and previews."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, data: bytes, *, name: str = "the image") -> ImageAsset:
        with self._db.write() as session:
            return store_image(session, data, name=name)

    def add_noting(self, data: bytes, *, name: str = "the image") -> tuple[ImageAsset, tuple[str, ...]]:
        """``add``, and what a person should be told about the picture (``ImageInfo.notes``)."""
        info = inspect_image(data, name=name)
        with self._db.write() as session:
            return store_image(session, data, name=name, info=info), info.notes

    def read(self, sha256: str) -> bytes:
        with self._db.read() as session:
            data = session.scalar(select(AssetRow.data).where(AssetRow.sha256 == sha256))
            if data is None:
                raise NotFoundError(f"image {sha256[:12]} is missing from the database")
            return data

    def get(self, sha256: str) -> ImageAsset:
        with self._db.read() as session:
            row = session.get(AssetRow, sha256)
            if row is None:
                raise NotFoundError(f"image {sha256[:12]} is missing from the database")
            return asset_from_row(row)
