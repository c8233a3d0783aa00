"""Load a generated corpus into a fresh desk database quickly (bulk insert, bypassing the importer).

Through SQLAlchemy, so the same code loads an SQLite file and a PostgreSQL database.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

from corpus import BenchStory
from sqlalchemy import insert, text

from ca_editor.app import open_services
from ca_editor.export.sanitize import RENDERER_VERSION, render_many
from ca_editor.persistence.models import RenderedBodyRow, StoryRow, utcnow
from ca_editor.services.rendering import sha256_text

BATCH = 2000


def load(db: str | Path, stories: Iterable[BenchStory]) -> int:
    """Open ``db`` (a file or a server URL; migrated, demo section seeded); insert ``stories``, published."""
    services = open_services(str(db))
    count = 0
    now = utcnow()
    batch: list[dict[str, object]] = []
    with services.db.write() as session:
        for story in stories:
            batch.append(
                {
                    "slug": story.slug,
                    "title": story.title,
                    "summary": story.summary,
                    "body": story.body,
                    "byline": story.byline,
                    "published_at": story.published_at,
                    "status": "published",
                    "tags": list(story.tags),
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) >= BATCH:
                session.execute(insert(StoryRow), batch)
                count += len(batch)
                batch = []
        if batch:
            session.execute(insert(StoryRow), batch)
            count += len(batch)
    services.db.dispose()
    return count


def prefill_cache_from_pool(db: str | Path, pool: list[str]) -> float:
    """Fill the render cache for stories whose bodies all come from ``pool`` (scale runs only).

    Rendering 200,000 bodies would take minutes and measure the renderer, not the export; bodies repeat in
    the scale corpus, so each distinct body is rendered once and its row written for every story using it.
    """
    started = time.perf_counter()
    rendered = render_many(pool)
    by_body = {
        body: (sha256_text(body), sha256_text(html), html) for body, html in zip(pool, rendered, strict=True)
    }
    services = open_services(str(db), seed_demo=False)
    with services.db.write() as session:
        rows = session.execute(text("SELECT id, version, body FROM stories")).all()
        batch: list[dict[str, object]] = []
        for story_id, version, body in rows:
            source_sha, html_sha, html = by_body.get(body) or (None, None, None)
            if html is None:
                continue
            batch.append(
                {
                    "story_id": story_id,
                    "story_version": version,
                    "renderer_version": RENDERER_VERSION,
                    "source_sha256": source_sha,
                    "html_sha256": html_sha,
                    "html": html,
                }
            )
            if len(batch) >= BATCH:
                session.execute(insert(RenderedBodyRow), batch)
                batch = []
        if batch:
            session.execute(insert(RenderedBodyRow), batch)
    services.db.dispose()
    return time.perf_counter() - started
