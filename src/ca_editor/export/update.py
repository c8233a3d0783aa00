"""Incremental export in place: find the stories that changed since the bundle was written, re-render only
the pages they show on, and update the bundle folder with an undo journal (``export.inplace``).

The previous manifest says what built the bundle: ``frame`` (section, archive navigation, templates, code)
and, per story, its version, clean body's hash, list fields' key, slug and month (``fingerprint.
story_state``). The caller reads only the version, body hash and image of each exported story (one narrow
query, no bodies); a story whose pair differs from the manifest's is read in full and its page rendered,
and its month and year pages too when what archive lists show of it changed. When anything every page
shows changed (the frame), when too many stories changed, or when the folder is not exactly what its
manifest lists, this returns ``None`` before touching anything and the caller builds a new bundle instead.

The result is the same bytes as a full export: the same page functions and fingerprints build the same
pages and manifest entries. It trusts the story version: every save through the services bumps it and
renders the body again, and on SQLite a trigger drops the cached body when a body changes by any other
path; a title changed by raw SQL without a version bump is seen only by ``export(..., full=True)``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from ca_editor import __version__
from ca_editor.domain.model import Story, StoryImage
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.release import Release
from ca_editor.export import fingerprint, inplace, manifest_text, pages, site
from ca_editor.export.bundle import AssetReader, ExportCancelledError, Progress, StoryEntry
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.export.manifest import Manifest, slot_entries
from ca_editor.export.pictures import PictureFile, PicturePlanner
from ca_editor.export.renditions import Picture
from ca_editor.export.templating import environment
from ca_editor.locations import static_dir

MAX_CHANGED = 500  # past this many changed stories a new bundle beside the old one is about as quick

Scan = Mapping[int, tuple[int, str, str | None]]  # story id -> (version, clean body sha256, image sha256)
Month = tuple[int, int]


class UpdateSource(Protocol):
    """What the update reads beyond the scan, all from the same consistent read as the scan."""

    def entries(self, story_ids: Sequence[int]) -> list[StoryEntry]:
        """The given exported stories, in full (bodies left empty)."""
        ...

    def bodies(self, story_ids: Sequence[int]) -> Mapping[int, str]: ...

    def month(self, year: int, month: int) -> list[Story]:
        """The exported stories published in that month, newest first (as the export streams them)."""
        ...


def update_bundle(
    head: SiteSnapshot,
    scan: Scan,
    source: UpdateSource,
    previous: manifest_text.ManifestText,
    read_asset: AssetReader,
    *,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    release: Release | None = None,
    cache: DerivativeCache | None = None,
) -> Manifest | None:
    """Bring the bundle at ``previous.root`` up to date in place; ``None`` (nothing touched) if it cannot.

    The caller holds ``inplace.locked(previous.root)`` and has read ``previous`` under it. ``release`` goes
    into the new manifest as it is, as a full export would write it.
    """
    root = previous.root
    frame_key = fingerprint.frame_key(head.section, head.archive)
    if previous.frame != frame_key:
        return None
    states = previous.stories
    changed = _changed(scan, states.entry_prefixes(2))
    if changed is None:
        return None
    added = sum(1 for i in changed if str(i) not in states)
    removed: list[str] = []
    if len(states) != len(scan) - added:
        removed = [i for i in states.base_keys() if not i.isdigit() or int(i) not in scan]
    if len(changed) + len(removed) > MAX_CHANGED or not _folder_matches(root, previous.files):
        return None
    planner = PicturePlanner(cache or DerivativeCache(None), read_asset)
    plan = _Plan(head, frame_key, previous, source, planner, cancelled)
    if not plan.build(changed, removed, scan):
        return None
    return plan.commit(root, progress, release)


def _changed(scan: Scan, unchanged: set[str]) -> list[int] | None:
    """The stories whose version or body differ from the manifest's states (``unchanged``: each state's
    story id with its first two fields, version and body hash, from ``FlatMapText.entry_prefixes``)."""
    prefix = manifest_text.FlatMapText.entry_prefix
    changed = [
        i for i, (version, body, _img) in scan.items() if prefix(str(i), str(version), body) not in unchanged
    ]
    return None if len(changed) > MAX_CHANGED else changed


def _folder_matches(root: Path, files: manifest_text.FlatMapText) -> bool:
    """The folder holds exactly what its manifest lists: no foreign file (a new bundle would refuse the
    folder), no missing one (a new bundle writes it again). One listing per folder: bundles are flat, so
    any name a listing shows that the manifest does not, a folder inside ``stories/`` included, is foreign.
    Names only (``listdir``, no ``stat``): 10,000 stories list in a few milliseconds."""
    expected = files.names_by_folder()
    if expected is None:
        return False  # not a layout this export writes
    expected[""].append(site.MANIFEST)
    for folder, names in expected.items():
        try:
            present = os.listdir(root / folder if folder else root)  # noqa: PTH208 - names only
        except OSError:
            return False
        # A folder's names come in order from the manifest; the top level mixes files and folders.
        if sorted(present) != (names if folder else sorted(names)):
            return False
    return True


class _Plan:
    def __init__(
        self,
        head: SiteSnapshot,
        frame_key: str,
        previous: manifest_text.ManifestText,
        source: UpdateSource,
        planner: PicturePlanner,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.head = head
        self.frame_key = frame_key
        self.previous = previous
        self.source = source
        self.planner = planner
        self._placed: set[str] = set()  # pictures (``Picture.key``) whose files are checked
        self.cancelled = cancelled
        self.frame = pages.Frame(head.section, head.archive)
        self.env = environment()
        # Changes on top of the previous manifest's text; ``commit`` writes it with the changes spliced in.
        self.files = previous.files
        self.inputs = previous.inputs
        self.states = previous.stories
        self.writes: dict[str, bytes] = {}
        self.deletes: set[str] = set()
        self.rendered = 0

    def build(self, changed: list[int], removed: list[str], scan: Scan) -> bool:
        months: set[Month] = set()  # months whose lists may show something new
        old_paths: set[str] = set()
        for story_id in removed:
            _version, _body, _listed, slug, month = self.states.pop(story_id).split(" ")
            old_paths.add(site.story_path(slug))
            _add_month(months, month)
        entries = self.source.entries(changed)
        if len(entries) != len(changed):
            return False  # cannot happen within one read; never guess
        new_paths: set[str] = set()
        to_render: list[tuple[Story, str]] = []
        for entry in entries:
            story = entry.story
            listed_key = fingerprint.listed_key(story)
            state = fingerprint.story_state(story, entry.body_sha256, listed_key)
            before = self.states.get(str(story.id))
            self.states[str(story.id)] = state
            path = site.story_path(story.slug)
            new_paths.add(path)
            _version, _body, listed, slug, month = state.split(" ")
            if before is None:
                _add_month(months, month)
            else:
                _v, _b, old_listed, old_slug, old_month = before.split(" ")
                old_paths.add(site.story_path(old_slug))
                if (old_listed, old_month) != (listed, month):
                    _add_month(months, old_month)
                    _add_month(months, month)
            key = fingerprint.story_key(self.frame_key, story, entry.body_sha256, listed_key)
            if before is None or slug != before.split(" ")[3] or self.inputs.get(path) != key:
                to_render.append((story, key))
        for path in old_paths - new_paths:
            self.deletes.add(path)
            self.files.pop(path, None)
            self.inputs.pop(path, None)
        bodies = self.source.bodies([story.id for story, _ in to_render]) if to_render else {}
        for story, key in to_render:
            picture = self._picture(story.image) if story.image is not None else None
            self._render(pages.story_page(self.frame, story, bodies[story.id], picture), key)
        front = fingerprint.front_key(self.frame_key, self.head.slots)
        if self.inputs.get(site.INDEX) != front:
            self._render(pages.front_page(self.frame, self.head.slots, self._picture), front)
        if not self._archive(months):
            return False
        self._stylesheet()
        return self._images(scan, entries)

    def _archive(self, months: set[Month]) -> bool:
        buckets = {(m.year, m.month): (year, m) for year in self.head.archive for m in year.months}
        lists: dict[Month, list[Story]] = {}
        keys: dict[Month, str] = {}
        years = set()
        for month in sorted(months):
            if month not in buckets:
                return False  # the archive's months changed: the frame would have told; never guess
            year, bucket = buckets[month]
            lists[month] = stories = self.source.month(*month)
            if len(stories) != bucket.count:
                return False
            keys[month] = fingerprint.month_key(self.frame_key, bucket, stories)
            if self.inputs.get(site.month_path(*month)) != keys[month]:
                years.add(year)
        for year in sorted(years, key=lambda y: y.year):
            month_keys = []
            for bucket in year.months:
                at = (bucket.year, bucket.month)
                key = keys.get(at) or self.inputs.get(site.month_path(*at))
                if key is None:
                    return False
                keys[at] = key
                month_keys.append(key)
            year_key = fingerprint.year_key(self.frame_key, year, month_keys)
            groups = []
            for bucket in year.months:
                at = (bucket.year, bucket.month)
                if at not in lists:
                    lists[at] = self.source.month(*at)
                groups.append((bucket, lists[at]))
            page_keys = [year_key, *(keys[(b.year, b.month)] for b in year.months)]
            for page, key in zip(pages.year_pages(self.frame, year, groups), page_keys, strict=True):
                if self.inputs.get(page.path) != key:
                    self._render(page, key)
        return True

    def _stylesheet(self) -> None:
        data = (static_dir() / "style.css").read_bytes()
        self._put(site.STYLESHEET, data, None)

    def _images(self, scan: Scan, entries: list[StoryEntry]) -> bool:
        """Every image still shown keeps its files; an image no longer shown anywhere loses all of its.

        Derivatives are named ``images/<sha256[:12]>-...``. Pages made here placed their pictures' files
        (``_picture``); an unchanged page's are already in the folder. A crop an edit replaced stays until
        the next full export (the scan does not carry focal points), but a picture taken out of every story
        and slot leaves the bundle now."""
        wanted = {image[:12] for _v, _b, image in scan.values() if image is not None}
        wanted.update(s.image.asset.sha256[:12] for s in self.head.slots if s.image is not None)
        wanted.update(e.story.image.asset.sha256[:12] for e in entries if e.story.image is not None)
        present: dict[str, list[str]] = {}
        for path in self.files.with_prefix("images/"):
            present.setdefault(path.removeprefix("images/")[:12], []).append(path)
        if wanted - present.keys():
            return False  # an unchanged story's image missing from the bundle: build it anew
        for prefix in present.keys() - wanted:
            for path in present[prefix]:
                self.deletes.add(path)
                self.files.pop(path, None)
        return True

    def _picture(self, image: StoryImage) -> Picture:
        picture = self.planner.picture(image)
        if picture.key not in self._placed:
            self._placed.add(picture.key)
            try:
                self._put_picture_files(self.planner.files(picture))
            except FileNotFoundError:  # a cached file pruned meanwhile: a miss (placing again is harmless)
                self._put_picture_files(self.planner.encode_again(picture))
        return picture

    def _put_picture_files(self, files: list[PictureFile]) -> None:
        for file in files:
            path = file.rendition.path
            if self.files.get(path) == file.sha256 and path not in self.deletes:
                continue
            if file.data is not None:
                self._put(path, file.data, None)
            else:
                assert file.cached is not None
                self._put(path, Path(file.cached).read_bytes(), None)

    def _render(self, page: pages.Page, key: str) -> None:
        self._tick()
        html = self.env.get_template(page.template).render(page.context)
        self.rendered += 1
        self._put(page.path, html.encode("utf-8"), key)

    def _put(self, path: str, data: bytes, key: str | None) -> None:
        digest = hashlib.sha256(data).hexdigest()
        if key is not None:
            self.inputs[path] = key
        if self.files.get(path) == digest and path not in self.deletes:
            return  # same bytes as the file already there: keep it (and its inode)
        self.files[path] = digest
        self.deletes.discard(path)
        self.writes[path] = data

    def _tick(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ExportCancelledError("export cancelled; the previous bundle is untouched")

    def commit(self, root: Path, progress: Progress | None, release: Release | None) -> Manifest:
        manifest = Manifest(
            generator=f"ca-editor {__version__}",
            exported_at=self.head.generated_at,
            section_slug=self.head.section.slug,
            editors_choice=slot_entries(self.head),
            problems=tuple(self.head.problems()),
            files=self.files,
            page_inputs=self.inputs,
            frame=self.frame_key,
            stories=self.states,
            release=release,
        )
        total = self.rendered + len(self.writes) + 2
        done = [self.rendered]

        def step() -> None:
            done[0] += 1
            if progress is not None:
                progress(min(done[0], total - 1), total)

        chunks = (chunk.encode("utf-8") for chunk in manifest.json_chunks())
        inplace.apply(
            root,
            self.writes,
            self.deletes,
            (site.MANIFEST, chunks),
            before_file=self._tick,
            after_file=step,
        )
        counts = len(self.files), len(self.inputs), len(self.states)
        manifest_text.remember_written(root / site.MANIFEST, *counts)
        if progress is not None:
            progress(total, total)
        return manifest


def _add_month(months: set[Month], month: str) -> None:
    if month != "-":
        year, number = month.split("-")
        months.add((int(year), int(number)))
