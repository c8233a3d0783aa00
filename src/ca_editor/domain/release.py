"""What an export carries besides its pages: the checklist it passed, any override, the sign-off.

A caller asks for an export with a ``Release`` holding only its choices (``override_reason``,
``include_unapproved``); the export service fills in the rest from the same read it writes the bundle
from, and the manifest records it under ``release``. An export whose checklist has errors is refused
(``ReleaseBlockedError``) unless a reason is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ca_editor.domain.checklist import CheckReport, Finding
from ca_editor.domain.errors import ExportFailedError

MAX_REASON = 2_000


@dataclass(frozen=True, slots=True)
class SignOff:
    """The latest sign-off of the section's block, and whether the block changed since."""

    snapshot_id: int
    by: str
    at: datetime
    note: str
    section_version: int  # the layout's version when it was signed off
    changed_since: bool  # the slots, their overrides or their stories' texts differ from what was signed

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot_id,
            "by": self.by,
            "at": _utc_text(self.at),
            "note": self.note,
            "section_version": self.section_version,
            "changed_since": self.changed_since,
        }


@dataclass(frozen=True, slots=True)
class UnapprovedSlot:
    """A slotted story that is neither approved nor published."""

    slot: int  # 1-based
    story_id: int
    slug: str
    title: str
    status: str
    included: bool  # exported as it is (``include_unapproved``), or left off the page

    def to_json(self) -> dict[str, Any]:
        return {
            "slot": self.slot,
            "story": self.slug,
            "title": self.title,
            "status": self.status,
            "included": self.included,
        }


@dataclass(frozen=True, slots=True)
class Release:
    # The caller's choices.
    override_reason: str = ""  # why the export goes ahead despite checklist errors
    include_unapproved: bool = False  # export slotted stories that are not approved, as they are
    # Filled in by the export service.
    checks: CheckReport | None = None
    # What ``checks`` covers (``services.checks.EXPORT_SCOPE``); the whole checklist is ``ca-editor check``.
    checks_scope: tuple[str, ...] = ()
    override_by: str = ""
    sign_off: SignOff | None = None
    unapproved: tuple[UnapprovedSlot, ...] = ()

    @property
    def reason(self) -> str:
        return " ".join(self.override_reason.split())[:MAX_REASON]

    @property
    def overridden(self) -> bool:
        """Errors were present and a reason let the export go ahead."""
        return self.checks is not None and not self.checks.ok and bool(self.reason)

    def to_json(self) -> dict[str, Any]:
        checks = self.checks or CheckReport()
        return {
            "checks": {
                "scope": list(self.checks_scope),
                "errors": len(checks.errors),
                "warnings": len(checks.warnings),
                "findings": [finding_json(f) for f in checks.findings],
            },
            "override": {"by": self.override_by, "reason": self.reason} if self.overridden else None,
            "include_unapproved": self.include_unapproved,
            "unapproved": [u.to_json() for u in self.unapproved],
            "sign_off": self.sign_off.to_json() if self.sign_off else None,
        }


def finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "slot": finding.slot,
        "story_id": finding.story_id,
        "message": finding.message,
    }


class ReleaseBlockedError(ExportFailedError):
    """The checklist has errors and no reason was given to export anyway; nothing was written."""

    def __init__(self, report: CheckReport) -> None:
        self.report = report
        self.section_slug = ""  # set by ``export --all``: the section whose checklist refused the bundle
        errors = report.errors
        listed = "; ".join(_where(f) + f.message for f in errors[:5])
        more = f"; and {len(errors) - 5} more" if len(errors) > 5 else ""
        super().__init__(
            f"the checklist has {len(errors)} error(s): {listed}{more}. Fix them, or export anyway with a "
            "reason (it is recorded in the manifest). Nothing was exported."
        )


def _where(finding: Finding) -> str:
    return f"slot {finding.slot}: " if finding.slot is not None else ""


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
