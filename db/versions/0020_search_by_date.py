"""Search newest first at any size (issue 18), SQLite only: a full-text index whose rowids follow the dates.

- ``stories_fts_by_date``: a contentless FTS5 index of the same text as ``stories_fts``, its rowid the
  story's *date key* (``persistence.search.DATE_KEY_SQL``): the publication second shifted left 31 bits
  plus the id, or the id minus 2**62 for an undated story. ``MATCH … ORDER BY rowid DESC LIMIT n`` then
  streams the newest matches, where ``stories_fts`` (rowid = id) must collect and sort every match.
- ``stories_fts_words``: every word ever indexed (as the tokenizer folded it), once: the search box's last
  word, a prefix, becomes an OR of the known words it starts, which FTS5 streams; a prefix query itself
  merges the whole postings of its words before the first row. Words of deleted stories stay (harmless).
- ``stories_fts_scratch`` (+ its ``fts5vocab``): where a saved story's words are tokenized, then emptied.

All start with ``stories_fts``: desk copies leave them out and the target's triggers refill them.
PostgreSQL: nothing (its search walks the date index, ``services.text_pages``).

Revision ID: 0020_search_by_date
Revises: 0019_layout_variants
Create Date: 2026-12-07
"""

from alembic import op

from ca_editor.persistence.search_by_date import FILL, date_key_sql

revision = "0020_search_by_date"
down_revision = "0019_layout_variants"
branch_labels = None
depends_on = None

TOKENIZER = "tokenize='unicode61 remove_diacritics 2'"  # as stories_fts (0001)


_NEW_WORDS = """
    INSERT INTO stories_fts_scratch(rowid, title, summary, body) VALUES (1, new.title, new.summary, new.body);
    INSERT OR IGNORE INTO stories_fts_words(word) SELECT term FROM stories_fts_scratch_vocab;
    INSERT INTO stories_fts_scratch(stories_fts_scratch) VALUES ('delete-all');"""

_INSERT = f"""INSERT INTO stories_fts_by_date(rowid, title, summary, body)
    VALUES ({date_key_sql("new")}, new.title, new.summary, new.body);"""  # noqa: S608 - no value spliced in
_DELETE = f"""INSERT INTO stories_fts_by_date(stories_fts_by_date, rowid, title, summary, body)
    VALUES ('delete', {date_key_sql("old")}, old.title, old.summary, old.body);"""  # noqa: S608

TRIGGERS = {
    "stories_fts_by_date_ai": f"AFTER INSERT ON stories BEGIN {_INSERT} {_NEW_WORDS} END",
    "stories_fts_by_date_ad": f"AFTER DELETE ON stories BEGIN {_DELETE} END",
    "stories_fts_by_date_au": (
        f"AFTER UPDATE OF title, summary, body, published_at ON stories BEGIN {_DELETE} {_INSERT} {_NEW_WORDS} END"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        f"CREATE VIRTUAL TABLE stories_fts_by_date USING fts5(title, summary, body, content='', {TOKENIZER})"
    )
    op.execute("CREATE TABLE stories_fts_words (word TEXT PRIMARY KEY) WITHOUT ROWID")
    op.execute(
        f"CREATE VIRTUAL TABLE stories_fts_scratch USING fts5(title, summary, body, content='', {TOKENIZER})"
    )
    op.execute("CREATE VIRTUAL TABLE stories_fts_scratch_vocab USING fts5vocab(stories_fts_scratch, 'row')")
    for statement in FILL:  # every story once, then the triggers keep it
        op.execute(statement)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in (
        "stories_fts_scratch_vocab",
        "stories_fts_scratch",
        "stories_fts_words",
        "stories_fts_by_date",
    ):
        op.execute(f"DROP TABLE IF EXISTS {table}")
