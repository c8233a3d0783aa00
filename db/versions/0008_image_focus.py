"""Focal points: where the editor wants an image's crop centred (issue 17).

Fractions (x, y) in 0..1 of the image's width and height after EXIF orientation, on the story's image and
on a slot's image override (and on a former slot, so putting a story back restores its override's focus).
NULL means the centre, which is what every existing row keeps: no data changes.

Plain ADD COLUMN, not batch mode: a batch rebuild of ``stories`` would drop the search triggers (0006).

Revision ID: 0008_image_focus
Revises: 0007_render_cache_scan_index
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_image_focus"
down_revision = "0007_render_cache_scan_index"
branch_labels = None
depends_on = None

_COLUMNS = {
    "stories": ("image_focus_x", "image_focus_y"),
    "slots": ("image_override_focus_x", "image_override_focus_y"),
    "former_slots": ("image_override_focus_x", "image_override_focus_y"),
}


def upgrade() -> None:
    for table, columns in _COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Float, nullable=True))


def downgrade() -> None:
    for table, columns in _COLUMNS.items():
        for column in reversed(columns):
            op.drop_column(table, column)
