"""Which stories an export gives a page: one rule for the export, its checklist and the in-place update."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ca_editor.domain.model import PUBLISHABLE_STATUSES, Slot
from ca_editor.persistence.models import SlotRow, StoryRow


def exported_where(section_id: int, include_unapproved: bool = False) -> ColumnElement[bool]:
    """Approved and published stories; with ``include_unapproved``, also any story placed in the block."""
    publishable = StoryRow.status.in_([s.value for s in PUBLISHABLE_STATUSES])
    if not include_unapproved:
        return publishable
    slotted = select(SlotRow.story_id).where(SlotRow.section_id == section_id)
    return or_(publishable, _InSubquery(StoryRow.id, slotted.scalar_subquery()))


class _InSubquery(FunctionElement[bool]):
    """``id IN (SELECT …)``; on PostgreSQL ``id = ANY(ARRAY(SELECT …))``. OR-ed with the status test, the
    IN form made PostgreSQL read every story (a hashed subplan filter); the array is one value, so the OR
    becomes two index scans (a BitmapOr). SQLite plans both sides on indexes either way."""

    name = "in_subquery"
    inherit_cache = True


@compiles(_InSubquery)
def _in_subquery(element: _InSubquery, compiler: SQLCompiler, **kw: Any) -> str:
    column, subquery = element.clauses
    return f"{compiler.process(column, **kw)} IN {compiler.process(subquery, **kw)}"


@compiles(_InSubquery, "postgresql")
def _any_of_array(element: _InSubquery, compiler: SQLCompiler, **kw: Any) -> str:
    column, subquery = element.clauses
    return f"{compiler.process(column, **kw)} = ANY(ARRAY{compiler.process(subquery, **kw)})"


def exported_slots(slots: tuple[Slot, ...], include_unapproved: bool = False) -> tuple[Slot, ...]:
    """The slots the front page shows: a slot whose story is left out of the bundle is left off the page."""
    if include_unapproved:
        return slots
    return tuple(slot for slot in slots if slot.story.status in PUBLISHABLE_STATUSES)
