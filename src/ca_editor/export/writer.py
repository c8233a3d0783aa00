"""Files into a stage: new content is written, content the previous bundle already has is hard-linked.

Links and the first files are made in this process. From the ``WORKERS_AFTER``-th new file on (and only with
more than one core), story and archive pages are rendered and written by worker processes
(``export.workers``) while this one reads the next stories, and other new files are written by them too;
what they did comes back when the writer closes. Pages are fingerprinted here, before they are handed out,
so the manifest's inputs never wait for a worker.

Every path is a bundle-relative name built by ``export.site`` from validated slugs, numbers and hashes; the
writer still refuses anything that could leave the stage.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from ca_editor.domain.dates import MonthBucket, YearBucket
from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import Section, Story
from ca_editor.durable import link_or_copy
from ca_editor.export.pictures import PictureFile
from ca_editor.export.previous import PreviousBundle
from ca_editor.export.renditions import Picture
from ca_editor.export.spool import SpooledMap
from ca_editor.export.workers import PageWorkers, cores

START_WORKERS_PIXELS = 2_000_000  # a crop this large costs about 0.1 s to encode: worth a worker
WORKERS_AFTER = 200  # new files made here before starting the workers pays (about 0.3 s of CPU each)
_SAFE_PATH = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)*[A-Za-z0-9][A-Za-z0-9._-]*$")


class BundleWriter:
    def __init__(
        self,
        stage: Path,
        previous: PreviousBundle,
        frame: tuple[Section, tuple[YearBucket, ...]] | None = None,
    ) -> None:
        """``frame`` (the section and archive every page shows) lets pages go to worker processes."""
        self.root = str(stage)
        self.previous = previous
        self._frame = frame
        self.hashes = SpooledMap()  # what the manifest lists: path -> sha256
        self.inputs = SpooledMap()  # path -> page fingerprint
        self.written = 0  # files whose bytes were written (not linked): what an incremental export costs
        self.linked = 0
        self._dirs: set[str] = {""}
        self._present: dict[str, frozenset[str]] = {}  # folder -> names in the previous bundle's folder
        self._workers: PageWorkers | None = None

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        workers, self._workers = self._workers, None
        if workers is not None:
            if kind is None:
                raise RuntimeError("BundleWriter.finish() was not called")
            workers.abort()

    def finish(self) -> None:
        """Wait for the workers' files and take in their hashes: call before the manifest is written."""
        workers, self._workers = self._workers, None
        if workers is None:
            return
        try:
            results = workers.close()
        except BaseException:
            workers.abort()
            raise
        for path, digest, written in results:
            self.hashes[path] = digest
            if written:
                self.written += 1
            else:
                self.linked += 1

    def delegating(self) -> bool:
        """Whether pages now go to the worker processes (story pages, archive months); starts them."""
        if self._workers is None and self.written >= WORKERS_AFTER:
            self.start_workers()
        return self._workers is not None

    def expect_pages(self, count: int) -> None:
        """``count`` pages are coming: with no previous bundle to link from, each will be rendered, so
        start the workers at once when there are enough; their start then overlaps the first pages."""
        if self.previous.root is None and count >= WORKERS_AFTER:
            self.start_workers()

    def start_workers(self) -> None:
        """Start the page workers now (with more than one core)."""
        if self._workers is None and self._frame is not None and cores() >= 2:
            previous = str(self.previous.root) if self.previous.root is not None else None
            self._workers = PageWorkers(self.root, previous, *self._frame)

    def offer_story_page(
        self, relative: str, key: str, story: Story, body_html: str, picture: Picture | None = None
    ) -> bool:
        """Hand a story page to a worker; False when they are all behind: render it here then."""
        assert self._workers is not None
        # Planned first: its folder must exist before a worker may write into it. A page refused here is
        # rendered by the caller under the same key, so the recorded input stands either way.
        return self._workers.offer_story(relative, self._planned(relative, key), story, body_html, picture)

    def archive_month(
        self, year: YearBucket, month: MonthBucket, stories: list[Story], relative: str, key: str
    ) -> None:
        """Hand a month to the worker writing its year, which keeps the month's list for the year page and
        writes the month page at ``relative``, unless the previous bundle's is linked here."""
        assert self._workers is not None
        write = not self.reuse(relative, key)
        old = self._planned(relative, key) if write else None
        self._workers.archive_month(year, month, stories, old, write)

    def archive_year(self, year: YearBucket, relative: str, key: str) -> None:
        """The year's months were all handed over: its worker writes the year page, unless it is linked."""
        assert self._workers is not None
        write = not self.reuse(relative, key)
        old = self._planned(relative, key) if write else None
        self._workers.archive_year(year, old, write)

    def _planned(self, relative: str, key: str) -> str | None:
        """Get ``relative`` ready for a worker; the previous bundle's sha256 if the page may be linked."""
        self._submit("prepare", relative)
        self.inputs[relative] = key
        old_hash = self.previous.files.get(relative)
        return old_hash if old_hash is not None and self._linkable(relative) else None

    def reusable(self, relative: str, key: str) -> bool:
        """Whether the previous bundle's file was built from the same inputs and can be linked."""
        old_hash = self.previous.files.get(relative)
        return old_hash is not None and self.previous.inputs.get(relative) == key and self._linkable(relative)

    def reuse(self, relative: str, key: str) -> bool:
        """Link the previous bundle's file if it was built from the same inputs; False if it must be built."""
        if not self.reusable(relative, key):
            return False
        old_hash = self.previous.files[relative]
        self._submit("link", relative)
        self.hashes[relative] = old_hash
        self.inputs[relative] = key
        return True

    def put(self, relative: str, data: bytes, key: str | None = None) -> None:
        """Record ``data`` at ``relative``: linked from the previous bundle when identical, else written."""
        digest = hashlib.sha256(data).hexdigest()
        if self.previous.files.get(relative) == digest and self._linkable(relative):
            self._submit("link", relative)
        else:
            self._submit("prepare", relative)  # checks the path and makes its folder, for a worker too
            if self._workers is not None and self._workers.offer_write(relative, data, digest):
                digest = ""  # the worker reports the file when it is written
            else:
                self._submit("write", relative, data)
        if digest:
            self.hashes[relative] = digest
        if key is not None:
            self.inputs[relative] = key

    def put_picture_files(self, files: Iterable[PictureFile]) -> bool:
        """A picture's renditions: linked from the previous bundle when it has the same bytes, else from
        the derivative cache (copied where links cannot be made), else written.

        False when a cached file is gone (pruned since the cache was asked, ``DerivativeCache.prune``): a
        cache miss, so none of the picture's files stays placed and the caller encodes it again."""
        placed: list[str] = []
        counts = self.linked, self.written
        for file in files:
            relative = file.rendition.path
            if self.previous.files.get(relative) == file.sha256 and self._linkable(relative):
                self._submit("link", relative)
            elif file.cached is not None:
                self._submit("prepare", relative)
                try:
                    link_or_copy(file.cached, f"{self.root}/{relative}")
                except FileNotFoundError:
                    for undone in placed:  # their hashes stay: encoding again gives the same bytes
                        Path(self.root, undone).unlink()
                    self.linked, self.written = counts
                    return False
                self.linked += 1
            else:
                assert file.data is not None
                self._submit("write", relative, file.data)
            self.hashes[relative] = file.sha256
            placed.append(relative)
        return True

    def offer_picture(self, picture: Picture, original: bytes, cache_root: str | None) -> bool:
        """Hand a picture to encode (and cache) to a worker, starting them; False when there are none or
        all are behind (the caller encodes it then). Workers are started for a large original only: a
        small one encodes here in less time than a worker takes to start."""
        if self._workers is None and picture.box_pixels >= START_WORKERS_PIXELS:
            self.start_workers()
        if self._workers is None:
            return False
        for rendition in picture.renditions:
            self._submit("prepare", rendition.path)
        return self._workers.offer_picture(picture, original, cache_root)

    def write_new(self, relative: str, chunks: Iterable[bytes]) -> None:
        """A file the manifest does not list (the manifest itself), written here piece by piece."""
        self._submit("prepare", relative)  # checks the path, makes its folder
        with open(f"{self.root}/{relative}", "xb") as out:  # noqa: PTH123
            for chunk in chunks:
                out.write(chunk)

    def _linkable(self, relative: str) -> bool:
        if self.previous.root is None:
            return False
        folder, _, name = relative.rpartition("/")
        present = self._present.get(folder)
        if present is None:
            try:
                present = frozenset(os.listdir(self.previous.root / folder))  # noqa: PTH208 - names
            except OSError:
                present = frozenset()
            self._present[folder] = present
        return name in present

    def _submit(self, op: str, relative: str, data: bytes = b"") -> None:
        if not _SAFE_PATH.match(relative) or ".." in relative.split("/"):
            raise ExportFailedError(f"refusing to write outside the bundle: {relative!r}")
        parent = relative.rpartition("/")[0]
        if parent not in self._dirs:
            Path(self.root, parent).mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        target = f"{self.root}/{relative}"
        if op == "prepare":
            return
        if op == "link":
            link_or_copy(f"{self.previous.root}/{relative}", target)
            self.linked += 1
        else:
            with open(target, "xb") as out:  # noqa: PTH123 - hot path, no Path objects
                out.write(data)
            self.written += 1
