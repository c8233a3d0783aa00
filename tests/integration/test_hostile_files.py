"""Hostile files and giant fields: refused with a message that says why, and nothing half-written remains.

Images are named in the database and the bundle by the hash of their bytes, never by the name a file had,
so a path-like name can only ever appear as text in a message.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from ca_editor.domain.errors import ValidationError
from ca_editor.domain.model import StoryFields
from ca_editor.persistence.models import AssetRow, StoryRow
from ca_editor.services.container import Services
from ca_editor.services.images import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS


def _counts(services: Services) -> tuple[int, int]:
    with services.db.read() as session:
        assets = session.scalar(select(func.count()).select_from(AssetRow)) or 0
        stories = session.scalar(select(func.count()).select_from(StoryRow)) or 0
        return int(assets), int(stories)


def _png(width: int, height: int, mode: str = "1") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height``: what a decompression bomb looks like at open."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


HOSTILE_IMAGES = {
    "a real decompression bomb (12,000 × 12,000, a few kB)": (_png(12_000, 12_000), "pixels"),
    "a header claiming 100,000 × 100,000": (_png_claiming(100_000, 100_000), "pixels"),
    "a file over the size limit": (b"\x89PNG\r\n\x1a\n" + b"\0" * (MAX_IMAGE_BYTES + 1), "MB"),
    "text named .png": (b"just some words, not an image\n" * 10, "not a PNG, JPEG, WebP or GIF"),
    "an HTML page": (b"<!DOCTYPE html><script>alert(1)</script>", "not a PNG, JPEG, WebP or GIF"),
    "an SVG with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
        "not a PNG, JPEG, WebP or GIF",
    ),
    "a PDF": (b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF", "not a PNG, JPEG, WebP or GIF"),
    "a truncated PNG": (_png(64, 64, "RGB")[:60], "cut short (truncated)"),
    "an empty file": (b"", "is empty (0 bytes)"),
}


@pytest.mark.parametrize("case", list(HOSTILE_IMAGES))
def test_hostile_image_files_are_refused_with_the_reason_and_nothing_is_stored(
    services: Services, case: str
) -> None:
    data, reason = HOSTILE_IMAGES[case]
    before = _counts(services)
    with pytest.raises(ValidationError) as refused:
        services.images.add(data, name="../../../etc/passwd.png")
    message = str(refused.value)
    assert reason in message
    assert "../../../etc/passwd.png" in message  # the file is named as the user picked it, as text
    assert _counts(services) == before


def test_an_image_under_the_limits_is_accepted_whatever_its_name(services: Services) -> None:
    """Control for the bomb: the same kind of picture under the pixel limit is taken, named by its hash."""
    assert 12_000 * 12_000 > MAX_IMAGE_PIXELS > 4_000 * 4_000
    asset = services.images.add(_png(4_000, 4_000), name="../../<script>.png")
    assert asset.file_name.startswith(asset.sha256[:24])
    assert "/" not in asset.file_name and "<" not in asset.file_name


@pytest.mark.parametrize(
    ("field", "size"),
    [
        ("title", 10_000),
        ("summary", 5_000_000),
        ("body", 50 * 2**20),
        ("byline", 100_000),
        ("image_alt", 10**6),
    ],
)
def test_giant_fields_are_refused_with_their_size_and_nothing_is_written(
    services: Services, field: str, size: int
) -> None:
    before = _counts(services)
    values = {"title": "A title", field: "x" * size}
    if field == "image_alt":
        values["image_sha256"] = (
            services.sections.layout(services.section_id()).slots[0].story.image.asset.sha256
        )  # type: ignore[union-attr]
    with pytest.raises(ValidationError) as refused:
        services.stories.create(StoryFields(**values))  # type: ignore[arg-type]
    assert f"{size:,} characters" in str(refused.value)
    assert _counts(services) == before


@pytest.mark.sqlite_only  # SQLite's integrity_check of the file; the refusals themselves run on both engines
def test_refusals_leave_the_database_whole(services: Services, db_path: Path) -> None:
    for data, _ in HOSTILE_IMAGES.values():
        with pytest.raises(ValidationError):
            services.images.add(data, name="x.png")
    services.db.dispose()
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
