"""The pre-export checklist's findings: what is wrong with the page before it goes out, and how badly.

Errors block an export unless someone overrides them with a reason (recorded in the manifest); warnings only
inform; hints suggest (a photo cropped around its middle because nobody chose a focal point) and are never
counted as warnings. The checks themselves live in ``services.checks``; this module is the vocabulary the
checklist panel, ``ca-editor check``, the export gate and the printed review sheet share.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    HINT = "hint"


class FixPlace(StrEnum):
    """Where a finding is fixed, for the checklist's Fix button."""

    STORY_IMAGE = "story_image"  # the story editor's image field (its picture, focal point, alt text)
    SLOT_IMAGE = "slot_image"  # the slot's override form (the page-only picture)


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable, for scripts and tests: "empty_slot", "missing_alt", ...
    severity: Severity
    message: str  # a sentence an editor can act on
    slot: int | None = None  # 1-based slot position the finding is about, if any
    story_id: int | None = None
    fix: FixPlace | None = None  # where the Fix button goes; None: clicking the finding is enough

    def __str__(self) -> str:
        where = f"slot {self.slot}: " if self.slot is not None else ""
        return f"{self.severity.value}: {where}{self.message}"


@dataclass(frozen=True, slots=True)
class CheckReport:
    findings: tuple[Finding, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def hints(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.HINT)

    @property
    def ok(self) -> bool:
        """No errors (warnings do not block an export)."""
        return not self.errors
