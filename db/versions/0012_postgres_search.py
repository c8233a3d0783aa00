"""Full-text search on PostgreSQL: a ``tsvector`` column over title, summary and body, with a GIN index.

SQLite has had FTS5 since 0001 (``unicode61 remove_diacritics 2``); this is its PostgreSQL twin, built to
match what FTS5 finds:

- the text search configuration ``ca_editor_search`` is ``simple`` (no stemming, no stop words: FTS5 has
  neither) plus ``unaccent`` when that extension can be had (``Ősszel`` finds ``osszel`` as on SQLite).
  ``unaccent`` is a trusted extension of Debian's server package, so a role allowed to create objects in the
  database installs it; a role that may not gets the configuration without it, and search still works;
- punctuation is turned into spaces before parsing, so ``3.5``, ``example.com`` or ``a/b`` give the same
  words as FTS5's tokenizer (PostgreSQL's parser would keep them whole, and a search for ``3`` would miss);
  typed text is cut into words the same way (``persistence.search``);
- ``stories.search_vector`` is a STORED generated column (``ca_editor_search_vector(title, summary, body)``,
  which also keeps an outsized body from refusing the save, below): every write path (the ORM, a bulk import, a
  copy) keeps it true without a trigger, and the GIN index answers words and ``word:*`` prefixes (as you
  type) alike, so no trigram index is needed.

The story list's three indexes (date, status and date, title) are rebuilt ending in ``id`` on PostgreSQL,
as SQLite's end in the rowid: an order and a keyset page are then one index walk there too.

The column is not in the ORM model (SQLite has no such column; ``persistence.search`` names it for the
query). On SQLite this step does nothing.

Revision ID: 0012_postgres_search
Revises: 0011_section_teaser_limit
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_postgres_search"
down_revision = "0011_section_teaser_limit"
branch_labels = None
depends_on = None

CONFIG = "ca_editor_search"  # persistence.search.SEARCH_CONFIG
# ASCII punctuation and the common typographic marks (dashes, quotes, bullets, ellipsis, guillemets, CJK
# marks): FTS5's unicode61 separates words at each of them. A regular expression class: translate() with
# the same characters cost six times as much per story.
PUNCTUATION = "[!-/:-@[-`{-~\u00a1\u00a7\u00ab\u00b6\u00b7\u00bb\u00bf\u2010-\u2027\u2030-\u205e\u3001-\u3003\u3008-\u3011]"
FUNCTION = "ca_editor_search_vector"
# A body may hold a million characters; a tsvector at most 1 MB. Natural text stays far below (a million
# characters of prose: about 0.5 MB), but a million distinct tokens would not, and the story could then not
# be saved at all. Such a text is indexed from its start, halved until the vector fits: the story saves, and
# all but the tail of an outsized body is found. A vector takes at most about five bytes per byte of text,
# so only a body over 150 kB takes that path (its exception block costs a subtransaction per call).
_SEARCH_VECTOR_FUNCTIONS = [
    """
CREATE FUNCTION {function}_outsized(words text) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    size integer := length(words);
BEGIN
    LOOP
        BEGIN
            RETURN to_tsvector({config}::regconfig, left(words, size));
        EXCEPTION WHEN program_limit_exceeded THEN
            size := size / 2;
        END;
    END LOOP;
END
$$""",
    """
CREATE FUNCTION {function}(title text, summary text, body text) RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
SELECT CASE WHEN octet_length(body) < 150000 THEN to_tsvector({config}::regconfig, words)
            ELSE {schema}.{function}_outsized(words) END
FROM regexp_replace(title || ' ' || summary || ' ' || body, {punctuation}, ' ', 'g') AS words
$$""",
]
# The story list's orders and keyset pages compare (column, id) row values (services.listing). An SQLite
# index ends in the rowid by itself; on PostgreSQL an index without id left a sort after the index walk, and
# a deep page filtered every row before it instead of starting at its place.
_LIST_INDEXES = {
    "ix_stories_published_at": ["published_at"],
    "ix_stories_status_published_at": ["status", "published_at"],
    "ix_stories_title": ["title"],
}
# Token types that can hold non-ASCII letters (asciiword and friends have no accents to remove).
_ACCENTED_TYPES = "word, numword, hword, numhword, hword_part, hword_numpart"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _unaccent_available() -> bool:
    """Install ``unaccent`` if this role may; a refusal (or a server without it) is not an error."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")).first():
        return True
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")).first():
        return False
    try:
        with bind.begin_nested():  # a savepoint: the migration's one transaction survives a refusal
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    except sa.exc.DBAPIError:
        return False
    return True


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = pg_catalog.simple)")
    if _unaccent_available():
        op.execute(
            f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {_ACCENTED_TYPES} WITH unaccent, simple"
        )
    schema = op.get_bind().execute(sa.text("SELECT current_schema()")).scalar_one()
    config = _literal(f'"{schema}".{CONFIG}')  # qualified: a restore runs with an empty search_path
    for statement in _SEARCH_VECTOR_FUNCTIONS:
        op.execute(
            statement.format(
                function=FUNCTION, config=config, schema=f'"{schema}"', punctuation=_literal(PUNCTUATION)
            )
        )
    op.execute(
        "ALTER TABLE stories ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({FUNCTION}(title, summary, body)) STORED"
    )
    op.execute("CREATE INDEX ix_stories_search ON stories USING gin (search_vector)")
    for name, columns in _LIST_INDEXES.items():  # the same names, ending in id as SQLite's do by themselves
        op.drop_index(name, "stories")
        op.create_index(name, "stories", [*columns, "id"])


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_stories_search")
    for name, columns in _LIST_INDEXES.items():
        op.drop_index(name, "stories")
        op.create_index(name, "stories", columns)
    op.execute("ALTER TABLE stories DROP COLUMN IF EXISTS search_vector")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text, text, text)")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}_outsized(text)")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}")
