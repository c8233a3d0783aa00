"""Oriented asset sizes: ``assets.width``/``height`` become the size a reader sees, EXIF orientation applied.

Until now the import stored the stored pixel grid's size, so a camera's portrait (1000×600 pixels, EXIF
orientation 6) was measured by the checklist as a landscape while the export, the editor and the preview
showed it 600×1000. The import now stores the turned size (``services.images.inspect_image``); this
carries existing JPEG and WebP rows forward by reading each original's header (no pixels decoded) and
swapping the two for orientations 5 to 8 (``domain.orientation``). PNG and GIF originals are left as they
are: their EXIF may follow the pixels, and cameras do not write them.

One row at a time: only the sha256s are listed first, each blob is read, looked at and let go. The
``assets`` update triggers of 0009 bump the desk generation, so the next export notices the new sizes.

Revision ID: 0010_oriented_asset_sizes
Revises: 0009_export_marks
Create Date: 2026-12-07
"""

import io

import sqlalchemy as sa
from alembic import op
from PIL import Image

from ca_editor.domain.orientation import EXIF_ORIENTATION, oriented_size

revision = "0010_oriented_asset_sizes"
down_revision = "0009_export_marks"
branch_labels = None
depends_on = None

_LISTED = sa.text("SELECT sha256 FROM assets WHERE media_type IN ('image/jpeg', 'image/webp')")


def upgrade() -> None:
    connection = op.get_bind()
    for (sha256,) in connection.execute(_LISTED).fetchall():
        row = connection.execute(
            sa.text("SELECT width, height, data FROM assets WHERE sha256 = :sha"), {"sha": sha256}
        ).one()
        turned = _displayed_size(row.data)
        if turned is not None and turned != (row.width, row.height):
            connection.execute(
                sa.text("UPDATE assets SET width = :w, height = :h WHERE sha256 = :sha"),
                {"w": turned[0], "h": turned[1], "sha": sha256},
            )


def downgrade() -> None:
    # The stored grid's size again: swap back what upgrade swapped (read the same way, row by row).
    connection = op.get_bind()
    for (sha256,) in connection.execute(_LISTED).fetchall():
        data = connection.execute(
            sa.text("SELECT data FROM assets WHERE sha256 = :sha"), {"sha": sha256}
        ).scalar_one()
        stored = _stored_size(data)
        if stored is not None:
            connection.execute(
                sa.text("UPDATE assets SET width = :w, height = :h WHERE sha256 = :sha"),
                {"w": stored[0], "h": stored[1], "sha": sha256},
            )


def _displayed_size(data: bytes) -> tuple[int, int] | None:
    """The original's size after its EXIF orientation, from its header; None when it cannot be read (the
    row stays as it is: the export reports such a picture itself)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return oriented_size(*image.size, image.getexif().get(EXIF_ORIENTATION))
    except Exception:  # any damage: leave the row alone, never fail the upgrade
        return None


def _stored_size(data: bytes) -> tuple[int, int] | None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            return width, height
    except Exception:  # as above
        return None
