"""Export a section: fill the render cache, then stream one consistent read into the bundle writer.

Nothing here holds the whole archive: the stories are streamed newest first in batches (``yield_per``),
archive counts come from index range counts, and bodies are read from the render cache only for the pages
that must be rendered.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, select
from sqlalchemy.orm import Session

from ca_editor.domain.errors import ExportFailedError, NotFoundError
from ca_editor.domain.model import (
    ImageAsset,
    SectionLayout,
    Story,
    StoryImage,
    StoryStatus,
)
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.release import Release
from ca_editor.domain.snapshots import SnapshotContent
from ca_editor.export import inplace, site, update
from ca_editor.export.bundle import Progress, StoryEntry, write_bundle
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.export.manifest import Manifest
from ca_editor.export.manifest_text import ManifestText
from ca_editor.export.sanitize import render_markdown
from ca_editor.locations import derivatives_dir
from ca_editor.persistence.database import Database
from ca_editor.persistence.export_marks import generation
from ca_editor.persistence.mapping import focus_of, story_from_row
from ca_editor.persistence.models import (
    RENDER_SCAN_INDEX,
    AssetRow,
    RenderedBodyRow,
    SectionRow,
    StoryRow,
)
from ca_editor.services import rendering
from ca_editor.services.archive_counts import exported_archive, publishable_month_counts
from ca_editor.services.checks import prepare_release
from ca_editor.services.export_record import record_export
from ca_editor.services.export_scope import exported_slots, exported_where
from ca_editor.services.export_variants import layouts_to_export, section_has_variants, with_scheduled_months
from ca_editor.services.identity import Identity
from ca_editor.services.sections import read_layout
from ca_editor.services.snapshots import content_of

STREAM_BATCH = 1000  # rows per fetch while streaming stories
_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def export_time() -> datetime:
    """Now, unless ``SOURCE_DATE_EPOCH`` pins it (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


class ExportService:
    def __init__(
        self, db: Database, identity: Identity | None = None, derivatives: DerivativeCache | None = None
    ) -> None:
        self._db = db
        self._identity = identity or Identity()
        self.derivatives = derivatives or DerivativeCache(derivatives_dir())

    @property
    def db(self) -> Database:
        return self._db

    @property
    def by(self) -> str:
        """Who exports: recorded with the export's snapshots."""
        return self._identity.name

    def read_asset(self, sha256: str) -> bytes:
        return self._read_asset(sha256)

    def snapshot(self, section_id: int, *, include_unapproved: bool = False) -> SiteSnapshot:
        """Everything an export shows, in memory: for previews and small sites; the export streams."""
        with self._db.read() as session:
            head = self._head(session, section_id, include_unapproved)
            rows = session.scalars(
                select(StoryRow)
                .where(exported_where(section_id, include_unapproved))
                .order_by(StoryRow.published_at.desc(), StoryRow.id.desc())
            )
            stories = tuple(story_from_row(row) for row in rows)
            return SiteSnapshot(head.section, head.slots, stories, head.archive, head.generated_at)

    def export(
        self,
        section_id: int,
        out_dir: Path,
        *,
        full: bool = False,
        progress: Progress | None = None,
        cancelled: Callable[[], bool] | None = None,
        release: Release | None = None,
        as_of: datetime | None = None,
    ) -> Manifest:
        """Write the bundle for ``section_id`` into ``out_dir``, replacing an earlier bundle atomically.
        ``index.html`` is the layout live ``as_of`` (default: now); variants: ``services.export_variants``.

        The bundle holds approved and published stories; with ``release.include_unapproved`` also slotted
        stories that are not (otherwise their slots are left off the page). The pre-export checklist runs in
        the same read the bundle is written from: with errors the export is refused
        (``ReleaseBlockedError``, nothing written) unless ``release.override_reason`` gives a reason. The
        manifest's ``release`` records the checklist, the override, the unapproved slots and the latest
        sign-off (``manifest.release``); a successful export records an EXPORT layout snapshot.

        Pages whose inputs did not change since the bundle already in ``out_dir`` are linked from it rather
        than rendered; ``full`` renders every page (the result is the same bytes either way). When only a
        few stories changed and nothing every page shows, the bundle is updated in place instead
        (``export.update``): only the changed files are written.
        """
        release = release or Release()
        started = datetime.now(UTC)  # the mark's time: no later than the checklist's "now"
        done = None
        if not full and as_of is None and not section_has_variants(self._db, section_id):
            with _collection_paused():
                done = self._update_in_place(section_id, out_dir, progress, cancelled, release)
        if done is None:
            done = self._write_new(section_id, out_dir, full, progress, cancelled, release, as_of)
        manifest, block = done
        by = self._identity.name
        record_export(self._db, by, section_id, out_dir, manifest, block.recorded, started, block.variant_id)
        self.derivatives.prune_now_and_then()  # the image cache stays bounded (a stat, or a prune a day)
        return manifest

    def _write_new(
        self,
        section_id: int,
        out_dir: Path,
        full: bool,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
        release: Release,
        as_of: datetime | None = None,
    ) -> tuple[Manifest, _ExportedBlock]:
        where = exported_where(section_id, release.include_unapproved)
        moment = as_of or export_time()
        with self._db.read() as session:
            if session.get(SectionRow, section_id) is None:
                raise NotFoundError(f"section {section_id} does not exist")
            # The checklist before any work: a refused export costs no rendering.
            live, _ = layouts_to_export(session, section_id, moment, release.include_unapproved)
            prepare_release(session, section_id, release, self._identity.name, layout=live)
            missing = rendering.missing_ids(session, where)
            estimate = int(session.scalar(select(func.count(StoryRow.id)).where(where)) or 0)
        offset = len(missing)
        if missing:
            fill_progress = None
            if progress is not None:
                report = progress

                def fill_progress(done: int, _total: int) -> None:
                    report(done, offset + estimate + 2)

            rendering.fill_cache(self._db, missing, fill_progress)
        shifted = None
        if progress is not None:
            report_all = progress

            def shifted(done: int, total: int) -> None:
                report_all(offset + done, offset + total)

        with self._db.read() as session:
            # Once for the checks, the pages and the snapshot: the layout live at ``moment``, any variants.
            layout, schedule = layouts_to_export(session, section_id, moment, release.include_unapproved)
            filled = prepare_release(session, section_id, release, self._identity.name, layout=layout)
            head = self._head(session, section_id, release.include_unapproved, layout)
            head = with_scheduled_months(session, head, schedule)
            count = int(session.scalar(select(func.count(StoryRow.id)).where(where)) or 0)
            stream = _StoryStream(session, where)
            marked = schedule is None and as_of is None  # else the page depends on the clock: no mark
            block = _ExportedBlock.of(layout, generation(session) if marked else None)
            manifest = write_bundle(
                head,
                stream,
                count,
                out_dir,
                self._read_asset,
                full=full,
                progress=shifted,
                cancelled=cancelled,
                release=filled,
                cache=self.derivatives,
                schedule=schedule,
            )
            return manifest, block

    def _update_in_place(
        self,
        section_id: int,
        out_dir: Path,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
        release: Release,
    ) -> tuple[Manifest, _ExportedBlock] | None:
        """The bundle in ``out_dir`` brought up to date in place, or ``None`` when a new one must be built."""
        target = out_dir.expanduser().resolve()
        if not (target / site.MANIFEST).is_file():
            return None
        try:
            with inplace.locked(target):
                previous = ManifestText.read(target)
                if previous is None:
                    return None  # not a manifest this export can update: a new bundle reads it as JSON
                for attempt in range(2):
                    with self._db.read() as session:
                        if session.get(SectionRow, section_id) is None:
                            raise NotFoundError(f"section {section_id} does not exist")
                        # Read once for the checks, the pages and the snapshot (each read is milliseconds).
                        layout = read_layout(session, section_id)
                        by = self._identity.name
                        filled = prepare_release(session, section_id, release, by, layout=layout)
                        where = exported_where(section_id, release.include_unapproved)
                        scan = _scan(session, where)
                        missing = [i for i, (_v, body, _img) in scan.items() if not body]
                        if not missing:
                            head = self._head(session, section_id, release.include_unapproved, layout)
                            source = _UpdateSource(session, where)
                            block = _ExportedBlock.of(layout, generation(session))
                            manifest = update.update_bundle(
                                head,
                                scan,  # type: ignore[arg-type]  # no body hash is missing here
                                source,
                                previous,
                                self._read_asset,
                                progress=progress,
                                cancelled=cancelled,
                                release=filled,
                                cache=self.derivatives,
                            )
                            return None if manifest is None else (manifest, block)
                    if attempt:
                        return None  # the cache keeps missing rows (saves racing this export)
                    rendering.fill_cache(self._db, missing)
        except OSError as exc:
            raise ExportFailedError(
                f"the bundle could not be written ({exc.strerror or exc}); the previous bundle is untouched"
            ) from exc
        return None

    def _head(
        self, session: Session, section_id: int, include_unapproved: bool, layout: SectionLayout | None = None
    ) -> SiteSnapshot:
        """Section, slots, archive counts and export time: what every page shows. No stories."""
        layout = layout or read_layout(session, section_id)
        slots = exported_slots(layout.slots, include_unapproved)
        archive = exported_archive(publishable_month_counts(session), slots)
        return SiteSnapshot(layout.section, slots, (), archive, export_time())

    def _read_asset(self, sha256: str) -> bytes:
        with self._db.read() as session:
            data = session.scalar(select(AssetRow.data).where(AssetRow.sha256 == sha256))
            if data is None:
                raise NotFoundError(f"image {sha256[:12]} is missing from the database")
            return data


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection during an update in place (its work is bounded: a few hundred stories at
    most). A full collection walks every object of the process, over 100 ms in a desk with Qt and
    SQLAlchemy loaded, and an update allocates enough to set one off at a random point: it then took longer
    than the update itself. Reference counting frees memory as usual; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _scan(session: Session, where: ColumnElement[bool]) -> dict[int, tuple[int, str | None, str | None]]:
    """Version, clean body hash (``None`` when the render cache misses) and image of every exported story.

    On SQLite both sides are answered from covering indexes (``ix_stories_export_scan``, and
    ``ix_rendered_bodies_scan``, named here because SQLite would rather look rows up by id and read one wide
    cache row per story), fetched through the driver's cursor, in C, rather than row by row through
    SQLAlchemy.
    """
    stmt = (
        select(StoryRow.id, StoryRow.version, RenderedBodyRow.html_sha256, StoryRow.image_sha256)
        .outerjoin(RenderedBodyRow, rendering.fresh_join())
        .where(where)
    )
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return {row[0]: (row[1], row[2], row[3]) for row in connection.execute(stmt)}
    compiled = stmt.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    # If SQLAlchemy ever spells the join differently the hint is left out: slower, never wrong.
    sql = str(compiled).replace(_CACHE_JOIN, _CACHE_JOIN_BY_INDEX, 1)
    driver = connection.connection.driver_connection
    assert driver is not None
    rows = driver.execute(sql, [params[name] for name in compiled.positiontup or ()])
    return {row[0]: (row[1], row[2], row[3]) for row in rows.fetchall()}


_CACHE_JOIN = "LEFT OUTER JOIN rendered_bodies ON"
_CACHE_JOIN_BY_INDEX = f"LEFT OUTER JOIN rendered_bodies INDEXED BY {RENDER_SCAN_INDEX} ON"


class _ExportedBlock:
    """The block as the export read it: what its EXPORT snapshot records (not what it is a moment later)."""

    variant_id: int | None = None  # the scheduled variant on index.html; None: the main layout

    def __init__(self, section_version: int, content: SnapshotContent, generation: int | None) -> None:
        # ``generation``: the desk's, as the export's read saw it (``persistence.export_marks``).
        self.recorded = (section_version, content, generation)

    @classmethod
    def of(cls, layout: SectionLayout, generation: int | None) -> _ExportedBlock:
        block = cls(layout.section.version, content_of(layout), generation)
        block.variant_id = layout.variant.id if layout.variant is not None else None
        return block


class _UpdateSource:
    """What an update in place reads beyond the scan, in the scan's transaction."""

    def __init__(self, session: Session, where: ColumnElement[bool]) -> None:
        self._session = session
        self._where = where
        self._stream: _StoryStream | None = None

    def entries(self, story_ids: Sequence[int]) -> list[StoryEntry]:
        if not story_ids:
            return []
        self._stream = _StoryStream(self._session, and_(self._where, StoryRow.id.in_(story_ids)))
        return list(self._stream)

    def bodies(self, story_ids: Sequence[int]) -> Mapping[int, str]:
        stream = self._stream or _StoryStream(self._session, self._where)
        return stream.bodies(story_ids)

    def month(self, year: int, month: int) -> list[Story]:
        when = and_(
            func.extract("year", StoryRow.published_at) == year,
            func.extract("month", StoryRow.published_at) == month,
        )
        return [entry.story for entry in _StoryStream(self._session, and_(self._where, when))]


class _StoryStream:
    """The exported stories of one read transaction, newest first; bodies come from the render cache."""

    def __init__(self, session: Session, where: ColumnElement[bool]) -> None:
        self._session = session
        self._where = where
        self._late: dict[int, str] = {}  # bodies rendered here because the cache missed (a save raced)

    def __iter__(self) -> Iterator[StoryEntry]:
        stmt = (
            select(
                StoryRow.id,
                StoryRow.slug,
                StoryRow.title,
                StoryRow.summary,
                StoryRow.byline,
                StoryRow.published_at,
                StoryRow.status,
                StoryRow.tags,
                StoryRow.version,
                StoryRow.image_alt,
                StoryRow.image_caption,
                StoryRow.image_credit,
                StoryRow.image_focus_x,
                StoryRow.image_focus_y,
                AssetRow.sha256,
                AssetRow.media_type,
                AssetRow.width,
                AssetRow.height,
                AssetRow.byte_size,
                RenderedBodyRow.html_sha256,
            )
            .outerjoin(AssetRow, AssetRow.sha256 == StoryRow.image_sha256)
            .outerjoin(RenderedBodyRow, rendering.fresh_join())
            .where(self._where)
            .order_by(StoryRow.published_at.desc().nulls_last(), StoryRow.id.desc())
            .execution_options(yield_per=STREAM_BATCH)
        )
        for row in self._session.connection().execute(stmt):  # Core: no ORM row processing
            html_sha256 = row.html_sha256
            if html_sha256 is None:
                html = self._late[row.id] = render_markdown(self._body(row.id))
                html_sha256 = rendering.sha256_text(html)
            yield StoryEntry(_story(row), html_sha256)

    def bodies(self, story_ids: Sequence[int]) -> Mapping[int, str]:
        found = {i: self._late.pop(i) for i in story_ids if i in self._late}
        wanted = [i for i in story_ids if i not in found]
        if wanted:
            stmt = (
                select(RenderedBodyRow.story_id, RenderedBodyRow.html)
                .join(StoryRow, rendering.fresh_join())
                .where(RenderedBodyRow.story_id.in_(wanted))
            )
            found.update((i, html) for i, html in self._session.execute(stmt))
        return found

    def _body(self, story_id: int) -> str:
        return self._session.scalar(select(StoryRow.body).where(StoryRow.id == story_id)) or ""


StoryStreamOf = _StoryStream  # for ``services.export_all``: the same stream, one rule for what a page reads


def _story(row: Row[*tuple[Any, ...]]) -> Story:
    image = None
    if row.sha256 is not None:
        asset = ImageAsset(row.sha256, row.media_type, row.width, row.height, row.byte_size)
        focus = focus_of(row.image_focus_x, row.image_focus_y)
        image = StoryImage(asset, row.image_alt, row.image_caption, row.image_credit, focus)
    return Story(
        id=row.id,
        slug=row.slug,
        title=row.title,
        summary=row.summary,
        body="",  # the page takes the cached, sanitised body instead
        byline=row.byline,
        published_at=row.published_at,
        status=StoryStatus(row.status),
        tags=tuple(row.tags or ()),
        image=image,
        version=row.version,
        # Pages show neither; not reading them saves two date conversions per story.
        created_at=_NO_TIME,
        updated_at=_NO_TIME,
    )
