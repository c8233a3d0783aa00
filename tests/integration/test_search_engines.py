"""The search box behaves the same on SQLite (FTS5) and PostgreSQL (tsvector): one set of cases, both engines.

Each test runs once per engine (``engine`` fixture). Words, case, the last word as a prefix, phrases in
quotes, accents, punctuation in the stored text and in what is typed: the expected stories are written
once, so a difference between the engines fails one of the two runs. The demo-data searches and the
update/delete following live in test_story_services.py (also on both engines).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests import db_query
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.domain.model import StoryFields
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery, StorySort

CORPUS = {
    "steppe": ("Kazakh title news", "Astana hosts a summit", "Leaders met in the steppe capital."),
    "cotton": ("Uzbek cotton harvest", "the title of the Kazakhstan report", "Pickers and prices."),
    "cyrillic": ("Қазақстан жаңалықтары", "Тоқаев ратифицировал договор", ""),
    "accents": ("Café culture in Bishkek", "a résumé of events", "Ősszel Dushanbe"),
    "operators": ("AND NEAR OR NOT", "query operators as plain words", "a & b | !c :* <-> (d)"),
    "quotes": ('He said "abc" twice', "O'Neil was quoted", "Kazakhstan’s “quoted” words"),
    "prices": ("Cotton prices", "title-free text about markets", "up 3.5% at example.com/markets"),
    "underscore": ("snake_case names", "path a\\b and C:\\temp", "e-mail: desk@example.org"),
}

# What each typed text finds, on either engine.
CASES: dict[str, set[str]] = {
    # words: every one required, any case, only the last a prefix
    "cotton": {"cotton", "prices"},
    "COTTON": {"cotton", "prices"},
    "cotton harvest": {"cotton"},
    "kaz": {"steppe", "cotton", "quotes"},
    "kaz title": set(),
    "title kaz": {"steppe", "cotton"},
    "steppe capital": {"steppe"},
    "zzzznotaword": set(),
    # phrases: the words next to each other, in order; an open quote is a phrase being typed
    '"cotton harvest"': {"cotton"},
    '"harvest cotton"': set(),
    '"title of the"': {"cotton"},
    '"cotton harv': {"cotton"},
    '"cotton harv"': set(),
    'uzbek "cotton harvest" pick': {"cotton"},
    '"kazakh title': {"steppe"},
    '"title kazakh': set(),
    # accents and other scripts
    "cafe": {"accents"},
    "café": {"accents"},
    "cafe\u0301": {"accents"},
    "resume": {"accents"},
    "osszel": {"accents"},
    "ŐSSZEL": {"accents"},
    "қазақ": {"cyrillic"},
    "ҚАЗАҚСТАН": {"cyrillic"},
    "тоқаев договор": {"cyrillic"},
    # punctuation in the stored text splits words as FTS5's tokenizer does
    "3": {"prices"},
    "3.5": {"prices"},
    "5 example": {"prices"},
    "example.com": {"prices"},
    "markets": {"prices"},
    "neil": {"quotes"},
    "o'neil": {"quotes"},
    "kazakhstan s": {"quotes"},
    "quoted words": {"quotes"},
    "snake case": {"underscore"},
    "snake_case": {"underscore"},
    "temp": {"underscore"},
    "desk example org": {"underscore"},
    "e-mail": {"underscore"},
    # typed punctuation is a separator, never query syntax
    "title:kazakh": {"steppe", "cotton"},
    "-cotton": {"cotton", "prices"},
    "cotton OR summit": set(),
    "AND": {"operators", "cotton", "underscore"},  # and… in "Pickers and prices", "a\\b and C:"
    "NEAR(": {"operators"},
    "a & b": {"operators", "accents", "underscore"},  # the word a, then b… (Bishkek, a\\b)
    "!c": {"operators", "accents", "underscore", "cotton", "prices", "steppe"},
    "d:*": {"operators", "underscore", "accents"},  # d, desk, Dushanbe
    "<-> plain": {"operators"},
    "(d) | ! words": {"operators"},
    "^cotton": {"cotton", "prices"},
    "cotton\\": {"cotton", "prices"},
    "'cotton'": {"cotton", "prices"},
    '"abc': {"quotes"},
}

# Text without a word finds nothing; none of it may raise, on either engine.
NOTHING = ["*", "'", '"', '""', "\\", "\\\\", "-", "()", "&|!", ":*", "<->", "—…", "\x00", "🙂", "_"]
HOSTILE = [
    *NOTHING,
    '"abc',
    "a & | ! ( ) :*",
    "'; DROP TABLE stories; --",
    "%_\\",
    "{title summary}: x",
    "a' | 'b",
    "a\\' & b",
    "\\'\\'",
    "x" * 5000,
    " ".join(["word"] * 100),
    "ß ñ 中文 🙂",
]


@pytest.fixture
def desk(empty_services: Services) -> Iterator[tuple[Services, dict[str, str]]]:
    """A desk holding the corpus; also the slug of each corpus key."""
    slugs = {}
    for key, (title, summary, body) in CORPUS.items():
        created = empty_services.stories.create(StoryFields(title=title, summary=summary, body=body))
        slugs[created.slug] = key
    yield empty_services, slugs


def found(services: Services, slugs: dict[str, str], text: str) -> set[str]:
    return {slugs[story.slug] for story in services.stories.list(StoryQuery(text=text, limit=None))}


def test_every_case_finds_the_same_stories(desk: tuple[Services, dict[str, str]]) -> None:
    services, slugs = desk
    assert {text: found(services, slugs, text) for text in CASES} == CASES


def test_the_count_agrees_with_the_list(desk: tuple[Services, dict[str, str]]) -> None:
    services, _ = desk
    counts = {text: services.stories.count(StoryQuery(text=text)) for text in CASES}
    assert counts == {text: len(expected) for text, expected in CASES.items()}


def test_hostile_text_never_raises_and_wordless_text_finds_nothing(
    desk: tuple[Services, dict[str, str]],
) -> None:
    services, slugs = desk
    for text in HOSTILE:
        listed = services.stories.list(StoryQuery(text=text, limit=None))
        assert services.stories.count(StoryQuery(text=text)) == len(listed), repr(text)
    assert {text: found(services, slugs, text) for text in NOTHING} == {text: set() for text in NOTHING}
    assert len(services.stories.list(StoryQuery(text="   ", limit=None))) == len(CORPUS)  # no text: no filter


def test_search_works_with_every_sort_order(desk: tuple[Services, dict[str, str]]) -> None:
    services, slugs = desk
    for sort in StorySort:
        for descending in (True, False):
            query = StoryQuery(text="cotton", sort=sort, descending=descending, limit=None)
            assert {slugs[s.slug] for s in services.stories.list(query)} == {"cotton", "prices"}


def test_an_outsized_body_saves_and_its_start_is_found(empty_services: Services) -> None:
    # A million characters of distinct tokens: PostgreSQL's tsvector (1 MB at most) cannot hold them all.
    body = " ".join(f"w{i}" for i in range(200_000))[: 1_000_000 - 20]
    story = empty_services.stories.create(StoryFields(title="Outsized", body="openingword " + body))
    assert [s.id for s in empty_services.stories.list(StoryQuery(text="openingword"))] == [story.id]
    assert [s.id for s in empty_services.stories.list(StoryQuery(text="outsized w17"))] == [story.id]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=40))
def test_any_typed_text_is_a_query_on_either_engine(desk: tuple[Services, dict[str, str]], text: str) -> None:
    services, _ = desk
    listed = services.stories.list(StoryQuery(text=text, limit=None))
    assert services.stories.count(StoryQuery(text=text)) == len(listed)


@pytest.mark.postgresql_only
@pytest.mark.parametrize("owner", [True, False], ids=["database owner", "schema rights only"])
def test_a_plain_role_migrates_and_searches(engine: str, postgres: PostgresServer, owner: bool) -> None:
    """``unaccent`` is a trusted extension: the database's owner installs it without being a superuser. A role
    that may only create in the schema cannot; the desk still migrates and searches, accents then count."""
    assert engine == "postgresql"
    role, database = f"plain_{uuid.uuid4().hex[:8]}", f"t_{uuid.uuid4().hex[:12]}"
    postgres.admin(f'CREATE ROLE "{role}" LOGIN')
    postgres.admin(f'CREATE DATABASE "{database}"' + (f' OWNER "{role}"' if owner else ""))
    if not owner:
        db_query.run(postgres.url(database), f'GRANT CREATE ON SCHEMA public TO "{role}"')
    services = open_services(postgres.url(database, role), seed_demo=False)
    try:
        created = services.stories.create(StoryFields(title="Ősszel Dushanbe", body="3.5% up"))
        for text in ("Ősszel", "dushanbe", '"3 5"'):
            assert [s.id for s in services.stories.list(StoryQuery(text=text))] == [created.id], text
        accentless = [s.id for s in services.stories.list(StoryQuery(text="osszel"))]
        assert accentless == ([created.id] if owner else [])
    finally:
        services.db.dispose()
