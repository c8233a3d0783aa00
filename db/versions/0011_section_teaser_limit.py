"""Per-section teaser advice, and the client's own teasers on an untouched demo section.

``sections.teaser_limit``: the card summary length above which the checklist advises that phones cut the
teaser (``summary_too_long``). Existing sections keep the advice they had (400); 0 turns it off (NOT NULL:
the ORM sends a column's default for an explicit None, so "off" cannot be NULL).

The demo is the client's Central Asia page, whose cards show teasers of 444 to 1,370 characters, verbatim
from their site (``resources/demo/central-asia-section.txt``). Until now the demo stories carried short
summaries the client never wrote. For a desk still on the demo this carries the content forward:

- a demo story (by slug) whose summary is still exactly the one we shipped (listed below) gets the
  client's teaser from the shipped ``resources/demo/stories.jsonl``; a summary an editor changed, and any
  page-only summary on a slot, is left alone. The story's version is bumped (an editor open on the old
  text is told it changed) and the change is recorded as the demo's (``updated_by``);
- the section with the demo's slug gets the demo's ``teaser_limit`` from ``section.json`` (none: the
  client's page would not pass a 400-character advice). The setting is new, so no editor's choice is lost.

The texts are read from the shipped demo files rather than copied here: they are the demo's one source, and
a later demo update changes what a desk migrating past this step receives. The update triggers of 0009
bump the desk generation, so the next export notices the new summaries.

Downgrade drops the column and leaves the summaries as they are (text, not schema).

Revision ID: 0011_section_teaser_limit
Revises: 0010_oriented_asset_sizes
Create Date: 2026-12-08
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from ca_editor.locations import demo_dir
from ca_editor.persistence.models import UTCDateTime

revision = "0011_section_teaser_limit"
down_revision = "0010_oriented_asset_sizes"
branch_labels = None
depends_on = None

DEMO_AUTHOR = "ca-editor demo"  # services.demo.DEMO_AUTHOR, as of this step

# The summaries the demo shipped up to 0010, by story slug: only a story still holding its own is changed.
_SHIPPED_SUMMARIES = {
    "tajikistan-tense-amid-arrests-and-rumours-of-a-failed-coup": (
        "Tadjik President Emomamli Rahmon has run Tajikistan with an iron hand since taking "
        "power in 1992. There are now reports that he is preparing to hand power to his son. So, "
        "news of dissent in the Central Asian Republic is rare."
    ),
    "tokayev-ratifies-treaty-on-allied-relations-with-uzbekistan": (
        "Kazakhstan's President, Kassym-Jomart Tokayev, officially ratified on Monday (20 May) a "
        "significant treaty on allied relations with Uzbekistan, to elevate the bilateral "
        "relationship to a new strategic level."
    ),
    "steinmeier-visits-kazakhstan-holds-talks-with-tokayev": (
        "The German President Frank-Walter Steinmeier has held talks with the Kazakh President "
        "Kassym-Jomart Tokayev during an official visit to Kazakhstan on 20 June."
    ),
    "commentary-kazakhstan-throws-a-lavish-party-for-multilateralism": (
        '"Such big jamborees as the Astana International Forum happen often, and are – more '
        'often than not – considered as talking shops with limited results." However, "the '
        "Astana International Forum marks the emergence of a new Kazakhstan on the international "
        'stage."'
    ),
    "first-astana-international-forum-taking-place-on-8-9-june": (
        "The first Astana International Forum (AIF) is taking place in Kazakhstan on Thursday "
        "and Friday (8-9 June)."
    ),
    "kazakhstan-and-eu-discuss-next-steps-to-deepen-cooperation": (
        "Representatives of Kazakhstan and the European Union met in the Kazakh capital Astana "
        "on Tuesday (23 May) to discuss the next steps for deeping their partnership at the 20th "
        "meeting of their mutual Cooperation Committee."
    ),
    "xi-outlines-grand-plan-for-china-and-central-asia": (
        "Leaders of China and Central Asian countries on Friday (19 May) signed and released the "
        "Xian Declaration following the first China-Central Asia Summit."
    ),
    "president-xi-hosts-first-china-central-asia-summit-in-xian": (
        "The President of China Xi Jinping is hosting the first ever China-Central Asia summit "
        "on Thursday and Friday (18 and 19 May)."
    ),
}

_stories = sa.table(
    "stories",
    sa.column("id", sa.Integer),
    sa.column("slug", sa.String),
    sa.column("summary", sa.Text),
    sa.column("version", sa.Integer),
    sa.column("updated_at", UTCDateTime()),
    sa.column("updated_by", sa.String),
)


def upgrade() -> None:
    op.add_column("sections", sa.Column("teaser_limit", sa.Integer, nullable=False, server_default="400"))
    folder = demo_dir()
    meta = json.loads((folder / "section.json").read_text(encoding="utf-8"))
    connection = op.get_bind()
    connection.execute(
        sa.text("UPDATE sections SET teaser_limit = :limit WHERE slug = :slug"),
        {"limit": meta.get("teaser_limit", 400) or 0, "slug": meta["slug"]},
    )
    teasers = _demo_summaries(folder / "stories.jsonl")
    rows = connection.execute(
        sa.select(_stories.c.id, _stories.c.slug, _stories.c.summary).where(
            _stories.c.slug.in_(list(_SHIPPED_SUMMARIES))
        )
    ).all()
    now = datetime.now(UTC)
    for story_id, slug, summary in rows:
        untouched = summary == _SHIPPED_SUMMARIES[slug]
        if untouched and teasers.get(slug, summary) != summary:
            connection.execute(
                sa.update(_stories)
                .where(_stories.c.id == story_id)
                .values(
                    summary=teasers[slug],
                    version=_stories.c.version + 1,
                    updated_at=now,
                    updated_by=DEMO_AUTHOR,
                )
            )


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+), not a batch copy: rebuilding ``sections`` would drop its triggers
    # (0009) and cascade-delete its slots.
    op.execute("ALTER TABLE sections DROP COLUMN teaser_limit")


def _demo_summaries(path: Path) -> dict[str, str]:
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {record["slug"]: record.get("summary") or "" for record in records}
