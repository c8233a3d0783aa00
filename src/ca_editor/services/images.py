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


def inspect_image(data: bytes, *, name: str = "the image") -> ImageInfo:
    """Identify and verify ``data``; raise ``ValidationError`` saying why it is refused."""
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(
            f"{name} is {len(data) / 1e6:.1f} MB; images up to {MAX_IMAGE_BYTES // 2**20} MB are accepted"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as probe:
                fmt, (width, height) = probe.format or "", probe.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _refuse(f"{name} is {width}×{height} pixels, more than {MAX_IMAGE_PIXELS:,} in all")
                probe.verify()
            # verify() leaves the image unusable; decode a fresh copy to catch truncated data.
            with Image.open(io.BytesIO(data), formats=list(_FORMATS)) as full:
                full.load()
    except UnidentifiedImageError:  # Pillow's own text names an in-memory object, useless to a person
        raise _refuse(f"{name} is not a PNG, JPEG, WebP or GIF image") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse(f"{name} is not an image we can read safely ({exc})") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise _refuse(f"{name} is damaged or truncated ({exc})") from None
    return ImageInfo(_FORMATS[fmt], width, height)


def store_image(session: Session, data: bytes, *, name: str = "the image") -> ImageAsset:
    """Store ``data`` (once per distinct content) and return its asset value."""
    info = inspect_image(data, name=name)
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
