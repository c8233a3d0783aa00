"""The check-in's conflict dialog on real merge outcomes (``domain/merge.py`` over hand-made sides): one card
per conflict with base, theirs and mine; Apply waits for a choice on each; take all mine / theirs; long texts
cut with the whole in a tooltip; the notices and the stories that fell out named."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from ca_editor.domain.merge import DeskSide, MergeOutcome, SlotPick, merge, resolve
from ca_editor.services.checkin import CheckinResult
from ca_editor.services.checkin_apply import Applied
from ca_editor.ui.checkin_flow import checked_in_text
from ca_editor.ui.merge_dialog import MergeDialog, notice_lines
from ca_editor.ui.merge_values import LIMIT, shown_text, value_text

SETTINGS = {"title": "Central Asia", "description": "", "slug": "central-asia", "slot_count": 3}


def story(title: str, body: str = "Body.") -> dict[str, object]:
    return {"title": title, "slug": title.lower().replace(" ", "-"), "body": body, "tags": ["water"]}


BASE = DeskSide(
    SETTINGS,
    (SlotPick("s1"), SlotPick("s2")),
    {"s1": story("Water talks"), "s2": story("Rail link"), "s3": story("Bazaar")},
)


def diverged() -> MergeOutcome:
    """The heading, a story's body and a slot's headline changed differently on both desks."""
    theirs = DeskSide(
        {**SETTINGS, "title": "Central Asia today"},
        (SlotPick("s1", {"headline": "Water talks resume"}), SlotPick("s2")),
        {**BASE.stories, "s2": story("Rail link", "Theirs. " * 200)},
    )
    mine = DeskSide(
        {**SETTINGS, "title": "Central Asia this week"},
        (SlotPick("s1", {"headline": "Talks on water, day two"}), SlotPick("s2")),
        {**BASE.stories, "s2": story("Rail link", "Mine. " * 200)},
    )
    return merge(BASE, theirs, mine)


def titles(outcome: MergeOutcome) -> dict[str, str]:
    sides = (outcome.base, outcome.theirs, outcome.mine)
    return {key: str(fields["title"]) for side in sides for key, fields in side.stories.items()}


def test_each_conflict_is_a_card_and_apply_waits_for_every_choice(qtbot: QtBot) -> None:
    outcome = diverged()
    dialog = MergeDialog(outcome, section_title="Central Asia", titles=titles(outcome))
    qtbot.addWidget(dialog)
    assert [card.conflict.id for card in dialog.cards] == [c.id for c in outcome.conflicts]
    assert len(dialog.cards) == 3
    heading = dialog.cards[0]
    assert [label.text() for label in heading.values] == [
        "Central Asia",
        "Central Asia today",
        "Central Asia this week",
    ]
    assert not dialog.apply_button.isEnabled()
    assert dialog.decided.text() == "0 of 3 decided"
    heading.keep_mine.setChecked(True)
    dialog.cards[1].keep_theirs.setChecked(True)
    assert not dialog.apply_button.isEnabled()
    dialog.cards[2].keep_mine.setChecked(True)
    assert dialog.apply_button.isEnabled()
    assert dialog.decided.text() == "3 of 3 decided"
    choices = dialog.choices()
    assert list(choices.values()) == ["mine", "theirs", "mine"]
    result = resolve(outcome, choices).result
    assert result.settings["title"] == "Central Asia this week"
    assert not heading.values[1].isEnabled() and heading.values[2].isEnabled()  # the loser reads muted


def test_take_all_mine_and_all_theirs_choose_every_card(qtbot: QtBot) -> None:
    outcome = diverged()
    dialog = MergeDialog(outcome, section_title="Central Asia")
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.findChild(QPushButton, "take-all-mine"), Qt.MouseButton.LeftButton)
    assert set(dialog.choices().values()) == {"mine"} and len(dialog.choices()) == 3
    qtbot.mouseClick(dialog.findChild(QPushButton, "take-all-theirs"), Qt.MouseButton.LeftButton)
    assert set(dialog.choices().values()) == {"theirs"}
    assert dialog.apply_button.isEnabled()


def test_a_long_text_is_cut_at_a_word_and_whole_in_its_tooltip(qtbot: QtBot) -> None:
    outcome = diverged()
    dialog = MergeDialog(outcome, section_title="Central Asia")
    qtbot.addWidget(dialog)
    body = next(card for card in dialog.cards if card.conflict.field == "body")
    theirs = body.values[1]
    assert len(theirs.text()) <= LIMIT and theirs.text().endswith("…")
    assert theirs.toolTip().count("Theirs.") == 200  # the whole body, not what the column shows
    assert shown_text("word " * 200).endswith("word…")


def test_notices_and_fallen_out_stories_are_named(qtbot: QtBot) -> None:
    theirs = DeskSide({**SETTINGS, "slot_count": 2}, BASE.slots, BASE.stories)
    mine = DeskSide(SETTINGS, (*BASE.slots, SlotPick("s3")), BASE.stories)
    outcome = merge(BASE, theirs, mine)
    assert outcome.fallen_out  # mine added a third story; theirs cut the block to two
    dialog = MergeDialog(outcome, section_title="Central Asia", titles=titles(outcome))
    qtbot.addWidget(dialog)
    assert not dialog.cards and dialog.apply_button.isEnabled()  # nothing to decide
    lines = notice_lines(outcome.notices, outcome.fallen_out, titles(outcome))
    assert any("“Bazaar”" in line and "previously in editor's choice" in line for line in lines)


def test_a_headline_with_markup_reads_as_typed(qtbot: QtBot) -> None:
    theirs = DeskSide({**SETTINGS, "title": "<b>Theirs</b>"}, BASE.slots, BASE.stories)
    mine = DeskSide({**SETTINGS, "title": "<i>Mine</i>"}, BASE.slots, BASE.stories)
    dialog = MergeDialog(merge(BASE, theirs, mine), section_title="<b>x</b>")
    qtbot.addWidget(dialog)
    values = dialog.cards[0].values
    assert values[1].text() == "<b>Theirs</b>" and values[1].textFormat() == Qt.TextFormat.PlainText
    assert "&lt;i&gt;Mine&lt;/i&gt;" in values[2].toolTip()  # the rich tooltip escapes it


def test_values_read_as_words() -> None:
    assert value_text(None) == "(not there)"
    assert value_text("") == "(empty)"
    assert value_text(["water", "energy"]) == "water, energy"
    assert value_text("s3", {"s3": "Bazaar"}) == "“Bazaar”"
    assert value_text("2026-12-07T10:00:00+00:00").startswith("7 December 2026")


def test_what_came_in_is_said_in_words_zero_counts_left_out() -> None:
    applied = Applied(updated=2, created=1, copies=1)
    said = checked_in_text("Central Asia", CheckinResult("central-asia", applied))
    assert said == (
        "“Central Asia” is back from the laptop: 2 stories updated, 1 new story, "
        "1 losing version kept as a copy."
    )
    assert "no story changed" in checked_in_text("X", CheckinResult("x", Applied()))
    assert "already" in checked_in_text("X", CheckinResult("x", None))
