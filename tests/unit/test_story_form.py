"""The story editor's state without Qt (domain/story_form.py): modes, baseline, problems and decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ca_editor.domain.errors import Problem
from ca_editor.domain.model import Story, StoryFields, StoryStatus
from ca_editor.domain.story_form import (
    FieldVerdict,
    FormMode,
    RemovedElsewhere,
    SavedElsewhere,
    StoryForm,
    parse_tags,
    sentence,
    slug_taken_message,
    summary_item,
)
from ca_editor.domain.text import shorten

WHEN = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


def _story(story_id: int = 7, title: str = "Steppe wind farms double output", version: int = 3) -> Story:
    fields = StoryFields(title=title, slug="steppe-wind", status=StoryStatus.READY)
    return Story.from_fields(
        fields, story_id=story_id, image=None, version=version, created_at=WHEN, updated_at=WHEN
    )


def _editing(story: Story | None = None) -> StoryForm:
    form = StoryForm()
    story = story or _story()
    form.open(story)
    form.loaded(story.fields())
    return form


# --- small helpers -------------------------------------------------------------------------------------


def test_tags_are_trimmed_and_repeats_and_blanks_dropped() -> None:
    assert parse_tags("Kazakhstan, Energy,, Energy ") == ("Kazakhstan", "Energy")
    assert parse_tags("") == ()
    assert parse_tags(" , ,") == ()


def test_a_problem_reads_as_a_sentence_naming_its_field() -> None:
    assert sentence(Problem("title", "is 10,000 characters long")) == "Title is 10,000 characters long"
    assert sentence(Problem("image_alt", "has no alt text")) == "Alt text has no alt text"
    assert sentence(Problem("title", "a story needs a title")) == "A story needs a title"
    assert sentence(Problem("odd_field", "contains a tab")) == "Odd field contains a tab"


def test_a_summary_item_names_the_field_unless_the_sentence_does() -> None:
    assert summary_item(Problem("title", "is too long")) == "Title is too long"
    assert summary_item(Problem("slug", "must be lower-case")) == "Slug: Must be lower-case"


def test_shorten_keeps_one_line_and_marks_the_cut() -> None:
    assert shorten("  two\n lines  ", 50) == "two lines"
    assert shorten("x" * 60, 50) == "x" * 49 + "…"
    assert len(shorten("y" * 100, 10)) == 10


def test_a_taken_slug_names_the_other_story_or_says_another() -> None:
    said = slug_taken_message("wind", "Steppe wind farms")
    assert said.startswith("'wind' is already used by “Steppe wind farms”;")
    assert "leave it blank to derive a free one" in said
    assert "another story" in slug_taken_message("wind", None)
    assert "…" in slug_taken_message("wind", "z" * 80)


# --- modes ------------------------------------------------------------------------------------------------


def test_a_fresh_form_shows_nothing_and_allows_nothing() -> None:
    form = StoryForm()
    assert form.mode is FormMode.NONE and form.opened is None and form.own_id is None
    assert not form.is_dirty(StoryFields(title="anything"))
    assert form.why_not_save(StoryFields(title="x")) == "No story is open"
    assert not form.can_revert() and not form.can_delete()
    assert form.heading().startswith("No story selected")
    assert form.preview(StoryFields(title="x"), None, WHEN) is None
    assert not form.edited()  # filling the empty form is no edit


def test_opening_a_story_makes_it_the_baseline() -> None:
    story = _story()
    form = _editing(story)
    assert form.mode is FormMode.EDITING and form.own_id == 7
    assert not form.is_dirty(story.fields())
    assert form.is_dirty(replace(story.fields(), title="Changed"))
    assert form.can_delete()
    assert form.heading() == "Story #7: Steppe wind farms double output"


def test_a_long_title_is_cut_in_the_heading() -> None:
    form = _editing(_story(title="A " * 100))
    assert form.heading().endswith("…") and len(form.heading()) <= len("Story #7: ") + 80


def test_a_new_story_has_no_id_and_cannot_be_deleted() -> None:
    form = StoryForm()
    form.start_new()
    form.loaded(StoryFields(title=""))
    assert form.mode is FormMode.NEW and form.own_id is None
    assert form.heading() == "New story (not saved yet)"
    assert not form.can_delete()
    assert form.is_dirty(StoryFields(title="Something"))


def test_closing_forgets_the_story_its_problems_and_the_image_messages() -> None:
    form = _editing()
    form.live_problems = [Problem("title", "a story needs a title")]
    form.save_refused([Problem("slug", "taken")])
    form.image_refusal, form.image_note = "bad file", "first frame only"
    form.close()
    assert form.mode is FormMode.NONE and form.opened is None and form.baseline is None
    assert form.problems() == [] and form.image_refusal == form.image_note == ""


def test_a_story_deleted_under_unsaved_edits_becomes_new_and_dirty() -> None:
    story = _story()
    form = _editing(story)
    form.become_new()
    assert form.mode is FormMode.NEW and form.opened is None
    assert form.baseline == StoryFields(title="")
    assert form.is_dirty(story.fields())


def test_loading_clears_what_a_refused_save_and_the_image_chooser_said() -> None:
    form = _editing()
    form.save_refused([Problem("slug", "taken")])
    form.image_refusal = "not an image"
    form.loaded(_story().fields())
    assert form.save_problems == [] and form.image_refusal == ""


# --- dirty, problems ---------------------------------------------------------------------------------------


def test_note_dirty_says_when_the_state_flips() -> None:
    story = _story()
    form = _editing(story)
    edited = replace(story.fields(), byline="Dana")
    assert form.note_dirty(edited) and form.dirty
    assert not form.note_dirty(edited)  # still dirty: no flip
    assert form.note_dirty(story.fields()) and not form.dirty


def test_an_edit_drops_the_refused_save_problems_and_waits_for_the_checks() -> None:
    form = _editing()
    form.save_refused([Problem("slug", "is taken")])
    assert form.problems() == [Problem("slug", "is taken")]
    assert form.edited()
    assert form.save_problems == [] and not form.checked
    form.checks_done([Problem("title", "a story needs a title")])
    assert form.checked and form.errors() == [Problem("title", "a story needs a title")]


def test_problems_list_live_checks_then_refused_save_problems_without_repeats() -> None:
    form = _editing()
    same = Problem("title", "a story needs a title")
    form.checks_done([same])
    form.save_refused([same, Problem("slug", "is taken"), Problem("body", "odd", "warning")])
    assert form.problems() == [same, Problem("slug", "is taken"), Problem("body", "odd", "warning")]
    assert form.errors() == [same, Problem("slug", "is taken")]


def test_a_field_verdict_joins_its_problems_and_takes_the_worst_severity() -> None:
    form = _editing()
    form.checks_done([Problem("summary", "is long", "warning"), Problem("summary", "contains a tab")])
    verdict = form.field_verdict("summary")
    assert verdict == FieldVerdict("error", "Summary is long\nSummary contains a tab")
    assert form.field_verdict("title") == FieldVerdict()
    form.checks_done([Problem("summary", "is long", "warning")])
    assert form.field_verdict("summary").severity == "warning"


def test_the_image_verdict_adds_the_choosers_refusal_as_an_error_and_its_note_as_a_warning() -> None:
    form = _editing()
    form.image_note = "Animated: first frame only."
    assert form.field_verdict("image") == FieldVerdict("warning", "Animated: first frame only.")
    form.image_refusal = "x.png is not an image. The image was not changed."
    verdict = form.field_verdict("image")
    assert verdict.severity == "error"
    assert verdict.text == "x.png is not an image. The image was not changed.\nAnimated: first frame only."
    assert form.problems() == []  # the chooser's words never block a save


def test_the_summary_counts_lists_four_and_says_whether_saving_is_blocked() -> None:
    form = _editing()
    assert form.summary() == FieldVerdict()
    form.checks_done([Problem("body", "is long", "warning")])
    assert form.summary() == FieldVerdict("warning", "1 problem: Body is long. Warnings do not stop saving.")
    form.checks_done([Problem(f, "is wrong") for f in ("title", "slug", "summary", "byline", "tags")])
    summary = form.summary()
    assert summary.severity == "error"
    assert summary.text.startswith("5 problems: Title is wrong; Slug is wrong;")
    assert "; and 1 more." in summary.text and summary.text.endswith(" Fix the errors to save.")
    assert "Tags" not in summary.text


# --- decisions -------------------------------------------------------------------------------------------


def test_save_needs_a_change_and_no_errors() -> None:
    story = _story()
    form = _editing(story)
    assert form.why_not_save(story.fields()) == "Nothing to save: no changes"
    edited = replace(story.fields(), byline="Dana")
    form.note_dirty(edited)
    assert form.why_not_save(edited) == ""
    form.checks_done([Problem("slug", "is already used")])
    why = form.why_not_save(edited)
    assert why == "Fix before saving: Slug is already used"
    assert form.can_revert()


def test_before_the_typing_pause_save_is_judged_by_the_checks_that_need_no_database() -> None:
    story = _story()
    form = _editing(story)
    form.checks_done([Problem("title", "a story needs a title")])  # about the text before the last keystroke
    fixed = replace(story.fields(), title="Fixed again")
    form.edited()
    form.note_dirty(fixed)
    assert form.why_not_save(fixed) == ""  # the stale error does not disable Save
    blank = replace(story.fields(), title=" ")
    form.note_dirty(blank)
    assert form.why_not_save(blank) == "Fix before saving: Title: A story needs a title"


def test_the_reason_lists_at_most_three_errors_each_cut_short() -> None:
    form = _editing()
    form.note_dirty(StoryFields(title="other"))
    form.checks_done([Problem(f, "is " + "bad " * 50) for f in ("title", "slug", "summary", "byline")])
    why = form.why_not_save(StoryFields(title="other"))
    assert why.count(";") == 2 and "Byline" not in why and "…" in why


def test_revert_needs_unsaved_edits() -> None:
    form = _editing()
    assert not form.can_revert()
    form.note_dirty(StoryFields(title="changed"))
    assert form.can_revert()


def test_the_preview_fills_a_blank_slug_and_trims_the_title() -> None:
    form = StoryForm()
    form.start_new()
    form.loaded(StoryFields(title=""))
    shown = form.preview(StoryFields(title="  Wind farms  "), None, WHEN)
    assert shown is not None and shown.id == 0 and shown.version == 0
    assert shown.title == "Wind farms" and shown.slug == "wind-farms" and shown.created_at == WHEN
    form.derived_slug = "wind-farms-2"
    shown = form.preview(StoryFields(title="Wind farms"), None, WHEN)
    assert shown is not None and shown.slug == "wind-farms-2"
    shown = form.preview(StoryFields(title="Wind farms", slug="mine"), None, WHEN)
    assert shown is not None and shown.slug == "mine"


def test_the_preview_of_an_existing_story_keeps_its_id_version_and_dates() -> None:
    story = _story(story_id=12, version=5)
    form = _editing(story)
    shown = form.preview(story.fields(), None, datetime(2030, 1, 1, tzinfo=UTC))
    assert shown is not None and (shown.id, shown.version, shown.created_at) == (12, 5, WHEN)


def test_leaving_names_the_story_or_calls_it_new() -> None:
    assert StoryForm().leave_name("  ") == "the new story"
    assert StoryForm().leave_name("Wind") == "Wind"


@pytest.mark.parametrize(
    ("shown", "saved_id", "saving", "dirty", "expected"),
    [
        (7, 7, True, False, SavedElsewhere.IGNORE),  # this editor's own save
        (7, 8, False, False, SavedElsewhere.IGNORE),  # another story
        (7, 7, False, False, SavedElsewhere.RELOAD),
        (7, 7, False, True, SavedElsewhere.WARN),
    ],
)
def test_a_save_elsewhere_reloads_or_warns(
    shown: int, saved_id: int, saving: bool, dirty: bool, expected: SavedElsewhere
) -> None:
    form = _editing(_story(story_id=shown))
    assert form.on_saved_elsewhere(_story(story_id=saved_id), saving=saving, dirty=dirty) is expected


def test_redo_shows_again_the_story_undo_took_away() -> None:
    form = StoryForm()
    form.removed_id = 7
    assert form.on_saved_elsewhere(_story(story_id=7), saving=False, dirty=False) is SavedElsewhere.SHOW_AGAIN
    assert form.on_saved_elsewhere(_story(story_id=8), saving=False, dirty=False) is SavedElsewhere.IGNORE


@pytest.mark.parametrize(
    ("removed", "deleting", "dirty", "expected"),
    [
        (8, False, False, RemovedElsewhere.IGNORE),
        (7, False, False, RemovedElsewhere.CLOSE),
        (7, True, True, RemovedElsewhere.CLOSE),  # deleted from here: the edits go with it, as asked
        (7, False, True, RemovedElsewhere.KEEP_AS_NEW),
    ],
)
def test_a_removal_elsewhere_closes_or_keeps_the_edits_as_new(
    removed: int, deleting: bool, dirty: bool, expected: RemovedElsewhere
) -> None:
    form = _editing(_story(story_id=7))
    assert form.on_removed_elsewhere(removed, deleting=deleting, dirty=dirty) is expected
    assert StoryForm().on_removed_elsewhere(7, deleting=False, dirty=True) is RemovedElsewhere.IGNORE
