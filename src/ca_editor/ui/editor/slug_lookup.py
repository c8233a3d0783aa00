"""The editor's slug questions to the database: the free slug a title gives, and who has a typed slug.

They run after each typing pause, so they run on the editor's background lane (``ui/background.py``),
never on the UI thread; the answer is used only if the form still shows the title and slug it was asked
about. ``StoryEditor.validate_now()`` (recovered edits, or when a test asks) asks them at once instead. A
save asks nothing: it uses the last answer if it is about the form, and the write itself refuses a slug in
use (``services/stories.py``), naming the story that has it, beside the slug field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject

from ca_editor.domain.errors import CaEditorError, Problem
from ca_editor.domain.slugs import is_valid_slug, make_slug, unique_slug
from ca_editor.domain.story_form import slug_taken_message
from ca_editor.services.stories import StoryService
from ca_editor.ui.background import Lane


@dataclass(frozen=True)
class SlugQuestion:
    """What the form showed when it asked."""

    title: str
    slug: str
    own_id: int | None


@dataclass(frozen=True)
class SlugFacts:
    question: SlugQuestion
    derived: str  # the free slug the title gives ("" for a blank title)
    taken: Problem | None  # the typed slug belongs to another story


def look_up(stories: StoryService, question: SlugQuestion) -> SlugFacts:
    """Ask the database (on any thread); a busy database gives what can be said without it."""
    return SlugFacts(question, _derive(stories, question), _taken(stories, question))


def _derive(stories: StoryService, question: SlugQuestion) -> str:
    if not question.title.strip():
        return ""
    try:
        return unique_slug(make_slug(question.title), lambda s: stories.is_slug_taken(s, question.own_id))
    except CaEditorError:
        return make_slug(question.title)


def _taken(stories: StoryService, question: SlugQuestion) -> Problem | None:
    slug = question.slug
    if not slug or not is_valid_slug(slug):
        return None
    try:
        if not stories.is_slug_taken(slug, question.own_id):
            return None
    except CaEditorError:
        return None  # the database is busy; the save itself checks again
    try:
        other: str | None = stories.get_by_slug(slug).title
    except CaEditorError:
        other = None
    return Problem("slug", slug_taken_message(slug, other))


class SlugChecks:
    """One editor's slug questions: asked on a background lane after a typing pause, or at once."""

    def __init__(self, owner: QObject, stories: StoryService, answered: Callable[[SlugFacts], None]) -> None:
        self._stories = stories
        self._lane = Lane(owner, "slug-check", latest_only=True)
        self._answered = answered  # decides whether the answer is still about what the form shows
        self._facts: SlugFacts | None = None

    def ask(self, question: SlugQuestion) -> None:
        stories = self._stories
        self._lane.submit(lambda _task: look_up(stories, question), done=self._answered)

    def ask_now(self, question: SlugQuestion) -> None:
        self._facts = look_up(self._stories, question)

    def accept(self, facts: SlugFacts) -> None:
        self._facts = facts

    def known(self, question: SlugQuestion) -> SlugFacts | None:
        """The last answer, if it was about ``question``."""
        facts = self._facts
        return facts if facts is not None and facts.question == question else None
