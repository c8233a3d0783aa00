"""The workflow table: which steps each status offers and how a move is named."""

from __future__ import annotations

from ca_editor.domain.model import StoryStatus
from ca_editor.domain.workflow import ORDER, change_phrase, status_edit_text, step_between, steps_from

D, R, A, P = StoryStatus.DRAFT, StoryStatus.READY, StoryStatus.APPROVED, StoryStatus.PUBLISHED


def test_each_status_offers_one_step_on_and_a_sensible_way_back() -> None:
    offered = {status: [(s.label, s.target, s.forward) for s in steps_from(status)] for status in ORDER}
    assert offered == {
        D: [("Mark ready", R, True)],
        R: [("Approve", A, True), ("Send back to draft", D, False)],
        A: [("Publish", P, True), ("Send back to ready", R, False)],
        P: [("Send back to ready", R, False)],
    }


def test_a_move_is_named_by_its_step_and_a_jump_plainly() -> None:
    assert change_phrase(None, D) == "Created as draft"
    assert change_phrase(R, A) == "Approved"
    assert change_phrase(P, R) == "Sent back to ready"
    assert change_phrase(D, P) == "Set from draft to published"  # an import or a script may jump
    assert step_between(D, P) is None


def test_the_undo_history_names_the_step() -> None:
    assert status_edit_text("Metro", D, R, other_edits=False) == "Mark “Metro” ready"
    assert status_edit_text("Metro", R, A, other_edits=False) == "Approve “Metro”"
    assert status_edit_text("Metro", A, P, other_edits=False) == "Publish “Metro”"
    assert status_edit_text("Metro", A, R, other_edits=False) == "Send “Metro” back to ready"
    assert status_edit_text("Metro", R, A, other_edits=True) == "Edit “Metro” (ready → approved)"
    assert status_edit_text("Metro", D, P, other_edits=False) == "Set “Metro” to published"
