"""The render cache: each story body is rendered and sanitised once per edit, not once per export.

``cache_rendered_body`` runs when a story is saved. Rows missing or stale (after an import, a restore of an
old database, a new Markdown or nh3 or sanitiser: ``RENDERER_VERSION``) are filled by ``fill_cache`` before
an export, in worker processes when there are enough of them to pay for starting the workers.

A row is valid for one ``stories.version`` and one renderer version; on SQLite a trigger also deletes it when
the body changes by any path. Rows carry the source's sha256 (for inspection) and the HTML's (the export's
page fingerprints use it, so a page can be judged unchanged without reading its body).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, delete, insert, select
from sqlalchemy.orm import Session

from ca_editor.export.sanitize import RENDERER_VERSION, render_many, render_markdown
from ca_editor.persistence.database import Database
from ca_editor.persistence.models import RenderedBodyRow, StoryRow

if TYPE_CHECKING:
    from concurrent.futures import Future

CHUNK = 64  # bodies per task handed to a worker
POOL_THRESHOLD = 200  # fewer misses than this render in-process: starting workers costs about a second
Progress = Callable[[int, int], None]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def worker_count() -> int:
    return max(1, min(2, os.cpu_count() or 1))


def cache_rendered_body(session: Session, row: StoryRow) -> None:
    """Render ``row``'s body into the cache; call after the flush that gave the row its id and version."""
    store(session, [(row.id, row.version, row.body, render_markdown(row.body))])


def store(session: Session, rendered: Sequence[tuple[int, int, str, str]]) -> None:
    """Replace the cache rows of (story id, story version, source, html) entries whose story still exists."""
    if not rendered:
        return
    ids = [story_id for story_id, _, _, _ in rendered]
    existing = set(session.scalars(select(StoryRow.id).where(StoryRow.id.in_(ids))))
    session.execute(delete(RenderedBodyRow).where(RenderedBodyRow.story_id.in_(ids)))
    rows = [
        {
            "story_id": story_id,
            "story_version": version,
            "renderer_version": RENDERER_VERSION,
            "source_sha256": sha256_text(source),
            "html_sha256": sha256_text(html),
            "html": html,
        }
        for story_id, version, source, html in rendered
        if story_id in existing
    ]
    if rows:
        session.execute(insert(RenderedBodyRow), rows)


def fresh_join() -> ColumnElement[bool]:
    """Join condition of a story with its cache row, if that row is valid for this story and renderer."""
    return and_(
        RenderedBodyRow.story_id == StoryRow.id,
        RenderedBodyRow.story_version == StoryRow.version,
        RenderedBodyRow.renderer_version == RENDERER_VERSION,
    )


def missing_ids(session: Session, where: ColumnElement[bool]) -> list[int]:
    stmt = (
        select(StoryRow.id)
        .outerjoin(RenderedBodyRow, fresh_join())
        .where(where, RenderedBodyRow.story_id.is_(None))
        .order_by(StoryRow.id)
    )
    return list(session.scalars(stmt))


def fill_cache(db: Database, ids: Sequence[int], progress: Progress | None = None) -> int:
    """Render the bodies of ``ids`` into the cache, on every core when there are many. Returns the count."""
    if not ids:
        return 0
    chunks = [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]
    if len(ids) < POOL_THRESHOLD or worker_count() < 2:
        done = 0
        for chunk in chunks:
            sources = _sources(db, chunk)
            _save(db, sources, render_many([body for _, _, body in sources]))
            done += len(chunk)
            if progress:
                progress(done, len(ids))
        return len(ids)
    # Imported with the pool only: a one-story export renders here and need not load it (5-10 ms).
    from concurrent.futures.process import BrokenProcessPool

    try:
        _fill_in_workers(db, chunks, len(ids), progress)
    except BrokenProcessPool:
        # A worker died (out of memory, or a main script without an ``if __name__ == "__main__"`` guard,
        # which spawned workers re-run): whatever it did not store is rendered here instead.
        with db.read() as session:
            left = missing_ids(session, StoryRow.id.in_(ids))
        for chunk in (left[i : i + CHUNK] for i in range(0, len(left), CHUNK)):
            sources = _sources(db, chunk)
            _save(db, sources, render_many([body for _, _, body in sources]))
    return len(ids)


def _fill_in_workers(
    db: Database, chunks: list[Sequence[int]], total: int, progress: Progress | None
) -> None:
    from concurrent.futures import ProcessPoolExecutor

    done = 0
    context = multiprocessing.get_context("spawn")  # never fork a process that may run Qt threads
    with ProcessPoolExecutor(worker_count(), mp_context=context, initializer=_leave_ctrl_c_to_parent) as pool:
        in_flight: deque[tuple[list[tuple[int, int, str]], Future[list[str]]]] = deque()
        for chunk in chunks:
            sources = _sources(db, chunk)
            in_flight.append((sources, pool.submit(render_many, [body for _, _, body in sources])))
            if len(in_flight) >= 4 * worker_count():  # bounded: bodies never pile up in memory
                done += _finish(db, in_flight.popleft())
                if progress:
                    progress(done, total)
        while in_flight:
            done += _finish(db, in_flight.popleft())
            if progress:
                progress(done, total)


def _leave_ctrl_c_to_parent() -> None:
    """Ctrl+C reaches the pool's workers too (one process group): the parent stops the pool, and the
    workers print no traceback of their own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _finish(db: Database, item: tuple[list[tuple[int, int, str]], Future[list[str]]]) -> int:
    sources, future = item
    _save(db, sources, future.result())
    return len(sources)


def _sources(db: Database, ids: Sequence[int]) -> list[tuple[int, int, str]]:
    with db.read() as session:
        stmt = select(StoryRow.id, StoryRow.version, StoryRow.body).where(StoryRow.id.in_(ids))
        return [(i, v, b) for i, v, b in session.execute(stmt)]


def _save(db: Database, sources: list[tuple[int, int, str]], html: list[str]) -> None:
    with db.write() as session:
        store(session, [(i, v, b, h) for (i, v, b), h in zip(sources, html, strict=True)])
