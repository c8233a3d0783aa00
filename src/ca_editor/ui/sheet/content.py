"""What a review sheet shows, read once from the services as plain values (no Qt here).

Gathering and drawing are separate so the renderer can be driven by hand-made values in tests, and so the
sheet shows one consistent moment: the layout, the checklist, the last sign-off and the thumbnails are read
one after the other before anything is drawn.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ca_editor.domain.checklist import CheckReport
from ca_editor.domain.errors import NotFoundError
from ca_editor.domain.model import SectionLayout
from ca_editor.domain.release import SignOff
from ca_editor.services.container import Services

#: Characters that must never reach a printed line: C0/C1 controls, surrogates, noncharacters. Line breaks
#: and tabs become spaces; a row is one paragraph per field.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class ReviewSheet:
    """Everything one printed sheet shows; ``images`` holds the bytes of the thumbnails by sha256."""

    layout: SectionLayout
    report: CheckReport
    sign_off: SignOff | None  # the latest one, with whether the block changed since
    generated_at: datetime  # aware, in the printer's local time
    database: str
    printed_by: str
    images: Mapping[str, bytes] = field(default_factory=dict)


def gather(
    services: Services,
    section_id: int,
    report: CheckReport | None = None,
    *,
    now: datetime | None = None,
    variant_id: int | None = None,
) -> ReviewSheet:
    """Read the section's layout (the main one, or the scheduled variant ``variant_id``: sign-off is per
    layout), its checklist (``report`` when the caller ran it), the last sign-off and the thumbnails' bytes.
    An image missing from the database is left out (the sheet says so in its place)."""
    layout = services.sections.layout(section_id, variant_id)
    if report is None:
        report = services.checks.run(section_id, variant_id=variant_id)
    sign_off = services.review.last_sign_off(section_id, variant_id)  # "changed since" as the review counts
    images: dict[str, bytes] = {}
    for slot in layout.slots:
        image = slot.image
        if image is None or image.asset.sha256 in images:
            continue
        with contextlib.suppress(NotFoundError):  # the sheet says "image missing" in its place
            images[image.asset.sha256] = services.images.read(image.asset.sha256)
    return ReviewSheet(
        layout=layout,
        report=report,
        sign_off=sign_off,
        generated_at=(now or datetime.now(UTC)).astimezone(),
        database=services.db.display_name,
        printed_by=services.identity.name,
        images=images,
    )


def clean(text: str) -> str:
    """One printable line: controls out, every run of white space (line breaks included) one space."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def default_file_name(layout: SectionLayout, today: datetime | None = None) -> str:
    """'central-asia-review-2026-11-27.pdf' (the slug is already safe on every file system)."""
    day = (today or datetime.now(UTC)).astimezone()
    which = f"-{layout.variant.slug}" if layout.variant is not None else ""  # a variant's own sheet
    return f"{layout.section.slug}{which}-review-{day:%Y-%m-%d}.pdf"
