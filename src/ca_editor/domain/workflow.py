"""The story workflow: draft → ready → approved → published, and the steps offered between them.

The desk moves a story one step at a time: forward (``Mark ready``, ``Approve``, ``Publish``) or back for
rework (``Send back to draft`` from ready, ``Send back to ready`` from approved or published: a story pulled
from the page needs approving again). The services accept any status (an import may bring a published
story); this table is what the editor offers and how the undo history names a move.
"""

from __future__ import annotations

from dataclasses import dataclass

from ca_editor.domain.model import StoryStatus

#: The statuses in workflow order.
ORDER: tuple[StoryStatus, ...] = (
    StoryStatus.DRAFT,
    StoryStatus.READY,
    StoryStatus.APPROVED,
    StoryStatus.PUBLISHED,
)

#: What a status is called on screen.
LABELS: dict[StoryStatus, str] = {
    StoryStatus.DRAFT: "Draft",
    StoryStatus.READY: "Ready",
    StoryStatus.APPROVED: "Approved",
    StoryStatus.PUBLISHED: "Published",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One move offered from a status: the button's ``label`` and the status it leads to."""

    source: StoryStatus
    target: StoryStatus
    label: str  # "Approve", "Send back to ready"
    past: str  # "Approved", "Sent back to ready": the history line and the editor's confirmation

    @property
    def forward(self) -> bool:
        return ORDER.index(self.target) > ORDER.index(self.source)

    def undo_text(self, title: str) -> str:
        """How the undo history names this step for the story ``title``."""
        if self.target is StoryStatus.READY and self.forward:
            return f"Mark “{title}” ready"
        if not self.forward:
            return f"Send “{title}” back to {self.target.value}"
        return f"{self.label} “{title}”"


_D, _R, _A, _P = ORDER
_STEPS: dict[StoryStatus, tuple[Step, ...]] = {
    _D: (Step(_D, _R, "Mark ready", "Marked ready"),),
    _R: (Step(_R, _A, "Approve", "Approved"), Step(_R, _D, "Send back to draft", "Sent back to draft")),
    _A: (Step(_A, _P, "Publish", "Published"), Step(_A, _R, "Send back to ready", "Sent back to ready")),
    _P: (Step(_P, _R, "Send back to ready", "Sent back to ready"),),
}


def steps_from(status: StoryStatus) -> tuple[Step, ...]:
    """The moves offered from ``status``, the forward one (if any) first."""
    return _STEPS[status]


def step_between(source: StoryStatus, target: StoryStatus) -> Step | None:
    """The offered step from ``source`` to ``target``, or None for a jump the workflow does not offer."""
    return next((step for step in _STEPS[source] if step.target is target), None)


def change_phrase(source: StoryStatus | None, target: StoryStatus) -> str:
    """A recorded status change in words: 'Approved', 'Sent back to ready', 'Created as draft'."""
    if source is None:
        return f"Created as {target.value}"
    step = step_between(source, target)
    if step is not None:
        return step.past
    return f"Set from {source.value} to {target.value}"


def status_edit_text(title: str, before: StoryStatus, after: StoryStatus, *, other_edits: bool) -> str:
    """The undo history's name for a save that moved a story from ``before`` to ``after``."""
    step = step_between(before, after)
    if step is not None and not other_edits:
        return step.undo_text(title)
    if other_edits:
        return f"Edit “{title}” ({before.value} → {after.value})"
    return f"Set “{title}” to {after.value}"
