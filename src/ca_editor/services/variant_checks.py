"""The checklist's findings about a section's scheduled variants (issue 16): overlaps and unready stories.

- Two windows that overlap are an error: the page would not know which layout to show (``domain.schedule``
  picks one so nothing breaks meanwhile, but the desk must decide).
- A variant not over yet whose block holds a story that is not approved is a warning: unless someone
  approves it by the variant's start, the card is left off the page then (or the export is refused).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ca_editor.domain.checklist import Finding, Severity
from ca_editor.domain.local_time import full_time
from ca_editor.domain.model import PUBLISHABLE_STATUSES
from ca_editor.domain.schedule import LayoutVariant, overlapping_pairs
from ca_editor.domain.text import shorten
from ca_editor.services.sections import read_layout
from ca_editor.services.variants import variants_of

VARIANT_OVERLAP = "variant_overlap"
VARIANT_UNAPPROVED = "variant_unapproved"


def variant_findings(session: Session, section_id: int, now: datetime) -> list[Finding]:
    """Every finding about the section's variants, in start order (none for a section without any)."""
    variants = variants_of(session, section_id)
    findings = [
        Finding(
            VARIANT_OVERLAP,
            Severity.ERROR,
            f"the variants '{first.name}' and '{second.name}' overlap from {full_time(second.starts_at)}: "
            "one layout is live at a time; move or shorten a window",
        )
        for first, second in overlapping_pairs(variants)
    ]
    for variant in variants:
        if variant.ends_at is None or variant.ends_at > now:
            findings.extend(_unapproved(session, section_id, variant))
    return findings


def _unapproved(session: Session, section_id: int, variant: LayoutVariant) -> list[Finding]:
    layout = read_layout(session, section_id, variant.id)
    return [
        Finding(
            VARIANT_UNAPPROVED,
            Severity.WARNING,
            f"the variant '{variant.name}' (from {full_time(variant.starts_at)}) shows "
            f"'{shorten(slot.story.title, 60)}', which is {slot.story.status.value}: approve it by then",
            slot.position,
            slot.story.id,
        )
        for slot in layout.slots
        if slot.story.status not in PUBLISHABLE_STATUSES
    ]
