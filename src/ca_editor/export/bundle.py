"""Write a bundle: stream the stories, render only pages whose inputs changed, swap the folder in atomically.

Memory stays flat however large the archive: stories arrive one by one, newest first (so each month's and
then each year's stories are contiguous), and only one year's links are held at a time. Bodies are fetched in
small batches, and only for pages that must be rendered.

Re-exports are incremental. The manifest records, besides each file's sha256, a fingerprint of every page's
inputs (its data, the templates and the code that turns one into the other). A page whose fingerprint matches
the previous bundle's is hard-linked from it into the stage, not rendered; a page that is rendered but comes
out byte-identical is linked too. So only files whose content changed are written, and the new bundle is the
same bytes a full export would give.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ca_editor import __version__
from ca_editor.domain.dates import MonthBucket, YearBucket
from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import Section, Slot, Story, StoryImage
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.release import Release
from ca_editor.export import fingerprint, pages, site
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.export.manifest import Manifest, slot_entries
from ca_editor.export.pictures import PicturePlanner, encode_files
from ca_editor.export.previous import PreviousBundle
from ca_editor.export.renditions import Picture
from ca_editor.export.sanitize import render_markdown
from ca_editor.export.schedule import Schedule
from ca_editor.export.spool import SpooledMap
from ca_editor.export.staging import staged_directory
from ca_editor.export.templating import environment
from ca_editor.export.writer import BundleWriter
from ca_editor.locations import static_dir

AssetReader = Callable[[str], bytes]  # sha256 -> image bytes
Progress = Callable[[int, int], None]  # done, total
BODY_BATCH = 256  # story bodies fetched per query when pages must be rendered
HOLD_STORIES = 5000  # a year with more stories than this is streamed to a worker, never held (≈4 MB)


class ExportCancelledError(ExportFailedError):
    """The user cancelled; the previous bundle is untouched."""


@dataclass(frozen=True, slots=True)
class StoryEntry:
    """A story as the bundle needs it: its fields (the body may be left empty) and its clean body's hash."""

    story: Story
    body_sha256: str


@dataclass(frozen=True, slots=True)
class SectionFront:
    """A further live section of an ``export --all`` bundle: its front page at ``site.section_path``, and
    its scheduled layouts' pages and ``schedule.json`` beside it when it has variants."""

    section: Section
    slots: tuple[Slot, ...]
    schedule: Schedule | None = None


class StoryStream(Protocol):
    """Every story that gets a page, newest first (``published_at`` descending, undated last, then id)."""

    def __iter__(self) -> Iterator[StoryEntry]: ...

    def bodies(self, story_ids: Sequence[int]) -> Mapping[int, str]:
        """Sanitised body HTML of the given stories (the renderer's output, ready for ``Markup``)."""
        ...


def build_bundle(
    snapshot: SiteSnapshot,
    out_dir: Path,
    read_asset: AssetReader,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    cache: DerivativeCache | None = None,
) -> Manifest:
    """Write the bundle of an in-memory snapshot (small sites, tests); bodies are rendered here."""
    stream = _SnapshotStream(snapshot.stories)
    count = len(snapshot.stories)
    return write_bundle(
        snapshot, stream, count, out_dir, read_asset, progress=progress, cancelled=cancelled, cache=cache
    )


def write_bundle(
    head: SiteSnapshot,
    stories: StoryStream,
    story_count: int,
    out_dir: Path,
    read_asset: AssetReader,
    *,
    full: bool = False,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    release: Release | None = None,
    cache: DerivativeCache | None = None,
    fronts: Sequence[SectionFront] = (),
    sections_manifest: tuple[dict[str, object], ...] = (),
    schedule: Schedule | None = None,
) -> Manifest:
    """Write section page, story pages, archive pages, CSS, images and manifest into ``out_dir``.

    ``fronts``: the other sections of an ``export --all`` bundle, each a front page of its own sharing the
    story and archive pages (framed by ``head``'s section); ``sections_manifest`` lists them all in the
    manifest. ``schedule``: ``head``'s section's scheduled layouts (``export.schedule``), each a page of its
    own, and ``schedule.json``; a front's own schedule goes into its folder the same way.

    ``head`` gives the section, slots, archive counts and export time (its ``stories`` are not used);
    ``stories`` streams the story pages' data. With ``full`` the previous bundle is not reused.
    ``release`` (checklist, override, sign-off) goes into the manifest as it is. Images are encoded
    into ``cache`` and taken from it (None: nothing is kept, every picture is encoded).
    """
    months = sum(len(year.months) for year in head.archive)
    total = 1 + len(fronts) + story_count + len(head.archive) + months + 1  # pages, CSS; images as found
    total += sum(
        len(each.pages) + 1 for each in (schedule, *(f.schedule for f in fronts)) if each is not None
    )
    try:
        with staged_directory(out_dir) as stage:
            previous = PreviousBundle.empty() if full else PreviousBundle.read(out_dir.expanduser().resolve())
            with BundleWriter(stage, previous, (head.section, head.archive)) as writer:
                writer.expect_pages(story_count)
                planner = PicturePlanner(cache or DerivativeCache(None), read_asset)
                run = _Run(head, writer, planner, total, progress, cancelled, fronts, schedule)
                run.write_all(stories)
                writer.finish()
                manifest = Manifest(
                    generator=f"ca-editor {__version__}",
                    exported_at=head.generated_at,
                    section_slug=head.section.slug,
                    editors_choice=slot_entries(head),
                    problems=tuple(head.problems()),
                    files=writer.hashes,
                    page_inputs=writer.inputs,
                    frame=run.bundle_key,
                    stories=run.states,
                    release=release,
                    sections=sections_manifest,
                )
                writer.write_new(site.MANIFEST, (chunk.encode("utf-8") for chunk in manifest.json_chunks()))
            if progress:
                progress(run.total, run.total)
    except OSError as exc:
        raise ExportFailedError(
            f"the bundle could not be written ({exc.strerror or exc}); the previous bundle is untouched"
        ) from exc
    return manifest


class _Run:
    """One export: walks the stream once, writing story pages as they come and archive pages per year."""

    def __init__(
        self,
        head: SiteSnapshot,
        writer: BundleWriter,
        planner: PicturePlanner,
        total: int,
        progress: Progress | None,
        cancelled: Callable[[], bool] | None,
        fronts: Sequence[SectionFront] = (),
        schedule: Schedule | None = None,
    ) -> None:
        self.head = head
        self.fronts = fronts
        self.schedule = schedule
        # Every front's (title, path), for the sections' navigation: none in a one-section bundle.
        self.nav = [(head.section.title, site.INDEX)] if fronts else []
        self.nav += [(front.section.title, site.section_path(front.section.slug)) for front in fronts]
        self.writer = writer
        self.total = total
        self.done = 0
        self.planner = planner
        self._placed: set[str] = set()  # pictures (``Picture.key``) whose files are in the stage
        self._progress = progress
        self._cancelled = cancelled
        self.frame = pages.Frame(head.section, head.archive)
        self.frame_key = fingerprint.frame_key(head.section, head.archive)
        # The manifest's frame: with further fronts it differs from any one section's, so an in-place update
        # of one section (``export.update``) never takes over an ``--all`` bundle, nor the other way round.
        self.bundle_key = (
            self.frame_key if not fronts else fingerprint.text_sha256(f"{self.frame_key}{self.nav}")
        )
        schedules = [("", schedule), *((site.section_folder(f.section.slug), f.schedule) for f in fronts)]
        paths = [folder + page.path for folder, each in schedules if each is not None for page in each.pages]
        if paths:  # likewise: an update in place knows nothing of the variants' pages
            self.bundle_key = fingerprint.text_sha256(f"{self.bundle_key}{paths}")
        self.env = environment()
        self.states = SpooledMap()  # story id -> fingerprint.story_state, for the manifest
        self._stream: StoryStream | None = None
        self._pending: list[tuple[Story, str]] = []  # story pages to render, waiting for their bodies
        # The current year's archive: month keys, and where its pages are made. Streamed months go to a
        # worker as they end (``writer.archive_month``); held months wait here for the year's end.
        self._month_keys: list[str] = []
        self._held: list[tuple[MonthBucket, list[Story]]] = []
        self._streaming: bool | None = None

    def write_all(self, stories: StoryStream) -> None:
        self._tick()
        self.writer.put(site.STYLESHEET, (static_dir() / "style.css").read_bytes())
        self._step()
        front = pages.front_page(self.frame, self.head.slots, self._picture, sections=self.nav)
        self._page(front, self._front_key(self.frame_key, self.head.slots))
        for other in self.fronts:
            path = site.section_path(other.section.slug)
            frame_key = fingerprint.frame_key(other.section, self.head.archive)
            key = self._front_key(frame_key, other.slots)
            if self.writer.reuse(path, key):
                self._tick()
                self._step()
                continue
            frame = pages.Frame(other.section, self.head.archive)
            self._page(pages.front_page(frame, other.slots, self._picture, path=path, sections=self.nav), key)
        if self.schedule is not None:
            self._schedule(self.schedule, self.frame, "")
        for other in self.fronts:
            if other.schedule is not None:
                frame = pages.Frame(other.section, self.head.archive)
                self._schedule(other.schedule, frame, site.section_folder(other.section.slug))
        self._stories(stories)

    def _schedule(self, schedule: Schedule, frame: pages.Frame, folder: str) -> None:
        """Every scheduled layout's page, then ``schedule.json`` with their checksums (always rendered: a
        handful of pages, and the checksums come from their bytes), all in ``folder`` (the one holding the
        section's front: '' or ``sections/<slug>/``); ``schedule.json`` names its pages relative to it."""
        checksums: dict[str, str] = {}
        for layout in schedule.pages:
            self._tick()
            path = folder + layout.path
            page = pages.front_page(frame, layout.slots, self._picture, path=path, sections=self.nav)
            data = self.env.get_template(page.template).render(page.context).encode("utf-8")
            checksums[layout.path] = hashlib.sha256(data).hexdigest()
            self.writer.put(path, data)
            self._step()
        self._tick()
        self.writer.put(folder + site.SCHEDULE, schedule.to_json(checksums))
        self._step()

    def _front_key(self, frame_key: str, slots: Sequence[Slot]) -> str:
        key = fingerprint.front_key(frame_key, slots)
        return key if not self.nav else fingerprint.text_sha256(f"{key}{self.nav}")

    def _stories(self, stories: StoryStream) -> None:
        self._stream = stories
        archive = _ArchiveWalk(self.head.archive, self._month, self._year)
        for entry in stories:
            story = entry.story
            self._tick()
            if story.image is not None:
                self._picture(story.image)  # its files go into the stage whether or not the page is made
            listed = fingerprint.listed_key(story)
            key = fingerprint.story_key(self.frame_key, story, entry.body_sha256, listed)
            self.states[str(story.id)] = fingerprint.story_state(story, entry.body_sha256, listed)
            if self.writer.reuse(site.story_path(story.slug), key):
                self._step()
            else:
                self._pending.append((story, key))
                if len(self._pending) >= BODY_BATCH:
                    self._render_stories()
            archive.add(story, listed)
        archive.close()
        self._render_stories()

    def _render_stories(self) -> None:
        if not self._pending or self._stream is None:
            return
        bodies = self._stream.bodies([story.id for story, _ in self._pending])
        for story, key in self._pending:
            body = bodies[story.id]
            picture = self._picture(story.image) if story.image is not None else None
            if self.writer.delegating() and self.writer.offer_story_page(
                site.story_path(story.slug), key, story, body, picture
            ):
                self._step()
            else:  # few pages so far, one core, or every worker is behind: this process renders it
                self._page(pages.story_page(self.frame, story, body, picture), key, ticked=True)
        self._pending = []

    def _month(self, year: YearBucket, month: MonthBucket, stories: list[Story], listed: list[str]) -> None:
        if self._streaming is None:  # the year's first month: its pages go to a worker if they are running
            self._streaming = self.writer.delegating()
        self._month_keys.append(fingerprint.month_key_of(self.frame_key, month, listed))
        self._held.append((month, stories))
        if not self._streaming and sum(len(held) for _, held in self._held) > HOLD_STORIES:
            # A year this large is not held: start the workers (a re-export that links most pages has not
            # needed them yet) and stream it from here on.
            self.writer.start_workers()
            self._streaming = self.writer.delegating()
        if self._streaming:
            keys = self._month_keys[-len(self._held) :]
            for (held_month, held_stories), key in zip(self._held, keys, strict=True):
                self._tick()
                path = site.month_path(held_month.year, held_month.month)
                self.writer.archive_month(year, held_month, held_stories, path, key)
                self._step()
            self._held = []

    def _year(self, year: YearBucket) -> None:
        self._render_stories()  # the year's story pages first: a failure leaves no page half-way
        month_keys, held, streaming = self._month_keys, self._held, self._streaming
        self._month_keys, self._held, self._streaming = [], [], None
        year_key = fingerprint.year_key(self.frame_key, year, month_keys)
        if streaming:
            self._tick()
            self.writer.archive_year(year, site.year_path(year.year), year_key)
            self._step()
            return
        keys = [year_key, *month_keys]
        paths = [site.year_path(year.year)] + [site.month_path(m.year, m.month) for m, _ in held]
        if all(self.writer.reusable(path, key) for path, key in zip(paths, keys, strict=True)):
            for path, key in zip(paths, keys, strict=True):  # nothing changed: no list is rendered
                self._tick()
                self.writer.reuse(path, key)
                self._step()
            return
        for page, key in zip(pages.year_pages(self.frame, year, held), keys, strict=True):
            if self.writer.reuse(page.path, key):
                self._tick()
                self._step()
            else:
                self._page(page, key)

    def _page(self, page: pages.Page, key: str, *, ticked: bool = False) -> None:
        if not ticked:
            self._tick()
        html = self.env.get_template(page.template).render(page.context)
        self.writer.put(page.path, html.encode("utf-8"), key)
        self._step()

    def _picture(self, image: StoryImage) -> Picture:
        """The derivatives of ``image``; the first time a crop is met its files go into the stage: linked
        from the previous bundle or the cache, else encoded by a worker (or here when they are all busy)."""
        picture = self.planner.picture(image)
        if picture.key in self._placed:
            return picture
        self._placed.add(picture.key)
        self.total += 1
        files = self.planner.cached_files(picture)
        if files is None or not self.writer.put_picture_files(files):  # not cached, or pruned meanwhile
            self.planner.encoded += 1
            original = self.planner.original(picture.sha256)
            cache = self.planner.cache
            if not self.writer.offer_picture(picture, original, cache.root):
                # Just stored: too new for any prune to drop, so nothing can be missing here.
                self.writer.put_picture_files(encode_files(picture, original, cache))
        self._step()
        return picture

    def _tick(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise ExportCancelledError("export cancelled; the previous bundle is untouched")

    def _step(self) -> None:
        self.done += 1
        if self._progress:
            self._progress(min(self.done, self.total - 1), self.total)


class _ArchiveWalk:
    """Groups a newest-first stream into months, handing each finished month to ``on_month`` and then each
    finished year to ``on_year``: one month's stories are held at a time. Checks every month's count
    against the archive the pages show, so a list always matches its navigation."""

    def __init__(
        self,
        archive: tuple[YearBucket, ...],
        on_month: Callable[[YearBucket, MonthBucket, list[Story], list[str]], None],
        on_year: Callable[[YearBucket], None],
    ) -> None:
        self._buckets = {(m.year, m.month): (year, m) for year in archive for m in year.months}
        self._on_month = on_month
        self._on_year = on_year
        self._done: set[tuple[int, int]] = set()
        self._month: tuple[int, int] | None = None
        self._stories: list[Story] = []
        self._listed: list[str] = []  # each story's ``fingerprint.listed_key``, for the month's key

    def add(self, story: Story, listed: str) -> None:
        if story.published_at is None:
            return
        at = (story.published_at.year, story.published_at.month)
        if at != self._month:
            if self._month is not None and at > self._month:
                raise ExportFailedError("stories must arrive newest first; nothing was exported")
            self._close_month(at[0])
            self._month = at
        self._stories.append(story)
        self._listed.append(listed)

    def close(self) -> None:
        self._close_month(None)
        if self._done != set(self._buckets):
            raise ExportFailedError("the archive changed during the export; export again")

    def _close_month(self, next_year: int | None) -> None:
        if self._month is None:
            return
        found = self._buckets.get(self._month)
        if found is None or found[1].count != len(self._stories):
            raise ExportFailedError(
                f"the archive of {self._month[0]} changed during the export; export again"
            )
        year, month = found
        self._on_month(year, month, self._stories, self._listed)
        self._done.add(self._month)
        self._month, self._stories, self._listed = None, [], []
        if next_year != year.year:
            if any((year.year, m.month) not in self._done for m in year.months):
                raise ExportFailedError(f"the archive of {year.year} changed during the export; export again")
            self._on_year(year)


class _SnapshotStream:
    """A snapshot's stories as a stream: sorted newest first, bodies rendered on request."""

    def __init__(self, stories: Iterable[Story]) -> None:
        dated = sorted((s for s in stories if s.published_at), key=lambda s: (s.published_at, s.id))
        undated = sorted((s for s in stories if not s.published_at), key=lambda s: s.id)
        self._stories = {s.id: s for s in (*reversed(dated), *reversed(undated))}

        self._html: dict[int, str] = {}

    def __iter__(self) -> Iterator[StoryEntry]:
        for story in self._stories.values():
            html = self._html[story.id] = render_markdown(story.body)
            yield StoryEntry(story, fingerprint.text_sha256(html))

    def bodies(self, story_ids: Sequence[int]) -> Mapping[int, str]:
        return {i: self._html[i] for i in story_ids}
