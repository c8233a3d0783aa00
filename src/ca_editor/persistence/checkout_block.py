"""A section's settings and block as plain JSON-able values: what a check-out keeps as its base, and what
the check-in reads from either desk to merge (``services/merge_sides.py``). One reader for all three, so
equal blocks read equal. The main layout's block only: scheduled variants (0019) travel with a check-out
but are not merged back.

``{"settings": {"title", "description", "slug", "slot_count", "teaser_limit"}, "slots": [{"story_id": int,
"overrides": {"headline", "summary", "image_sha256", "image_alt", "image_focus"}}, …]}`` in slot order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from ca_editor.domain.errors import NotFoundError
from ca_editor.persistence.models import SectionRow, SlotRow

SETTING_NAMES = ("title", "description", "slug", "slot_count", "teaser_limit")
OVERRIDE_NAMES = ("headline", "summary", "image_sha256", "image_alt", "image_focus")


def read_block(connection: Connection, section_id: int) -> dict[str, Any]:
    sections, slots = SectionRow.__table__, SlotRow.__table__
    section = connection.execute(
        select(
            sections.c.title,
            sections.c.description,
            sections.c.slug,
            sections.c.slot_count,
            sections.c.teaser_limit,
        ).where(sections.c.id == section_id)
    ).first()
    if section is None:
        raise NotFoundError(f"section {section_id} does not exist")
    rows = connection.execute(
        select(
            slots.c.story_id,
            slots.c.headline_override,
            slots.c.summary_override,
            slots.c.image_override_sha256,
            slots.c.image_override_alt,
            slots.c.image_override_focus_x,
            slots.c.image_override_focus_y,
        )
        .where(slots.c.section_id == section_id, slots.c.variant_id.is_(None))  # the main layout (0019)
        .order_by(slots.c.position, slots.c.id)
    ).all()
    return {
        "settings": {
            "title": section.title,
            "description": section.description or "",
            "slug": section.slug,
            "slot_count": int(section.slot_count),
            "teaser_limit": int(section.teaser_limit or 0),
        },
        "slots": [{"story_id": int(row[0]), "overrides": overrides_of(*row[1:])} for row in rows],
    }


def overrides_of(
    headline: str | None,
    summary: str | None,
    image_sha256: str | None,
    image_alt: str | None,
    focus_x: float | None,
    focus_y: float | None,
) -> dict[str, Any]:
    """A slot's (or former slot's) page-only overrides as the merge compares them."""
    focus = [float(focus_x), float(focus_y)] if focus_x is not None and focus_y is not None else None
    return {
        "headline": headline,
        "summary": summary,
        "image_sha256": image_sha256,
        "image_alt": image_alt if image_sha256 is not None else None,
        "image_focus": focus if image_sha256 is not None else None,
    }
