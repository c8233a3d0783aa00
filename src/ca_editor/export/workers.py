"""Worker processes that render and write pages on every core while the export reads the next stories.

Rendering a page is pure Python (Jinja), and creating its file costs the kernel as much again or more (far
more right after many files were deleted on the same file system), so one process cannot keep two cores
busy and a thread cannot help (the GIL). The export hands each page to render
(a story page with its cached body; a year with its month pages) or each file to write to one of a few
plain ``python -m`` children: nothing of the caller's ``__main__`` is re-run and no Qt state is forked. Each
child renders with the same code and templates as the parent (``export.pages`` and ``templating``), so a
page is the same bytes wherever it was rendered.

Parent to child, on its stdin: frames of a 4-byte big-endian length and a pickle (our own two processes on
a private pipe). The first frame sets the child up (stage, previous bundle, section, archive); the others
are ``("stories", [...])``, ``("write", path, data, sha256)``, or a year's archive as ``("month", ...)``
frames, newest first, then its ``("year", ...)``, all to the same child: it writes each month page as its
month comes and keeps the month's list on disk until the year page, which lists them all, is written.
The child writes each file with ``O_EXCL``, or hard-links the previous bundle's file when the page came
out the same (its sha256 equals the one the parent sent), and reports one line per file on its stdout, which
is a temporary file the parent reads at the end: ``sha256 W|L path``, then ``- P kilobytes`` (its peak
resident size). On an error it prints ``errno<TAB>message`` to stderr (also a file) and exits 1.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import IO, Any

from markupsafe import Markup

from ca_editor.domain.dates import MonthBucket, YearBucket
from ca_editor.domain.model import ImageAsset, Section, Story, StoryImage, StoryStatus
from ca_editor.durable import link_or_copy
from ca_editor.export.renditions import Picture

_HEADER = struct.Struct(">I")
_PIPE_BYTES = 1 << 20  # Linux lets anyone raise a pipe to 1 MB: a hundred pages queued per worker
_F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
_NO_TIME = datetime(1970, 1, 1, tzinfo=UTC)  # pages never show it

_STREAM_CHARS = 1 << 18  # a streamed page is written in pieces of about this many characters

# Pages go out in small batches: one pickle and one pipe write per batch, not per page.
STORY_BATCH = 16

# A story as a tuple of plain values: pickling frozen slotted dataclasses costs three times as much.
PackedStory = tuple[Any, ...]
# What the child reports per file: path, sha256, and whether it was written (not linked).
Result = tuple[str, str, bool]


def cores() -> int:
    """Cores this process may run on (a container's or ``taskset``'s limit, not the machine's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def worker_count() -> int:
    # One per core: the exporting process also renders whenever every worker is behind. (One core left to
    # the parent spent less CPU, but on a machine shared with other work it got less of it, and the
    # benchmark's full export was slower: 0.73 of Hugo's time against 0.56.)
    return max(1, min(4, cores()))


def pack_story(story: Story) -> PackedStory:
    image = story.image
    packed_image = None
    if image is not None:
        asset = image.asset
        packed_image = (asset.sha256, asset.media_type, asset.width, asset.height, asset.byte_size,
                        image.alt, image.caption, image.credit, image.focus)  # fmt: skip
    return (story.id, story.slug, story.title, story.summary, story.byline, story.published_at,
            story.status.value, story.tags, story.version, packed_image)  # fmt: skip


def unpack_story(packed: PackedStory) -> Story:
    story_id, slug, title, summary, byline, published_at, status, tags, version, packed_image = packed
    image = None
    if packed_image is not None:
        sha256, media_type, width, height, byte_size, alt, caption, credit, focus = packed_image
        asset = ImageAsset(sha256, media_type, width, height, byte_size)
        image = StoryImage(asset, alt, caption, credit, focus)
    return Story(story_id, slug, title, summary, "", byline, published_at, StoryStatus(status), tags, image,
                 version, _NO_TIME, _NO_TIME)  # fmt: skip


class PageWorkers:
    """The parent's handle on the children: queue pages and files, then ``close`` for what they did."""

    def __init__(
        self, root: str, previous_root: str | None, section: Section, archive: tuple[YearBucket, ...]
    ):
        self._procs: list[subprocess.Popen[bytes]] = []
        self._results: list[IO[bytes]] = []
        self._errors: list[IO[bytes]] = []
        self.peaks_kb: list[int] = []  # each child's peak resident size, known after ``close``
        self._stories: list[tuple[str, str | None, PackedStory, str, Picture | None]] = []
        self._pending: list[memoryview] = []  # per child: what was sent that its pipe has not taken yet
        self._turn = 0
        self._archive_child: int | None = None  # the child writing the current year's archive pages
        setup = pickle.dumps((root, previous_root, section, archive), protocol=5)
        try:
            for _ in range(worker_count()):
                # Results and errors go to files, not pipes: a child never waits for the parent to read.
                results = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close() or abort()
                self._results.append(results)
                errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close() or abort()
                self._errors.append(errors)
                proc = subprocess.Popen(
                    [sys.executable, "-m", "ca_editor.export.workers"],
                    stdin=subprocess.PIPE,
                    stdout=results,
                    stderr=errors,
                    close_fds=True,
                )
                self._procs.append(proc)
                assert proc.stdin is not None
                with contextlib.suppress(OSError):
                    fcntl.fcntl(proc.stdin.fileno(), _F_SETPIPE_SZ, _PIPE_BYTES)
                # Never blocking: a full pipe means "render it yourself", not "wait" (see ``_dispatch``).
                os.set_blocking(proc.stdin.fileno(), False)
                self._pending.append(memoryview(_HEADER.pack(len(setup)) + setup))
        except BaseException:
            self.abort()
            raise

    def offer_story(
        self, path: str, old_sha256: str | None, story: Story, body_html: str, picture: Picture | None = None
    ) -> bool:
        """Queue a story page, or return False when every child is behind: the caller renders it then,
        rather than wait. ``old_sha256`` is the previous bundle's file, linked if the page equals it."""
        if len(self._stories) >= STORY_BATCH and not self._flush_stories(wait=False):
            return False
        self._stories.append((path, old_sha256, pack_story(story), body_html, picture))
        if len(self._stories) >= STORY_BATCH:
            self._flush_stories(wait=False)
        return True

    def archive_month(
        self,
        year: YearBucket,
        month: MonthBucket,
        stories: Sequence[Story],
        old_sha256: str | None,
        write: bool,
    ) -> None:
        """Queue a month of ``year`` to the child that has its year (the first month picks one): the child
        renders the month's list for the year page and, if ``write``, the month page. Months come newest
        first, as the year page lists them."""
        if self._archive_child is None:
            self._archive_child = self._turn
        packed = [pack_story(s) for s in stories]
        frame = pickle.dumps(("month", year, month, packed, old_sha256, write), protocol=5)
        self._dispatch(frame, wait=True, child=self._archive_child)

    def archive_year(self, year: YearBucket, old_sha256: str | None, write: bool) -> None:
        """The year's last month was queued: its child writes the year page (if ``write``) from the lists."""
        child, self._archive_child = self._archive_child, None
        frame = pickle.dumps(("year", year, old_sha256, write), protocol=5)
        self._dispatch(frame, wait=True, child=child)

    def offer_picture(self, picture: Picture, original: bytes, cache_root: str | None) -> bool:
        """Queue a picture to encode from ``original`` (and keep in the cache at ``cache_root``), or return
        False when every child is behind: the caller encodes it then."""
        frame = pickle.dumps(("picture", picture, original, cache_root), protocol=5)
        return self._dispatch(frame, wait=False)

    def offer_write(self, path: str, data: bytes, sha256: str) -> bool:
        """Queue a file to write, or return False when every child is behind (the caller writes it)."""
        return self._dispatch(pickle.dumps(("write", path, data, sha256), protocol=5), wait=False)

    def close(self) -> Iterator[Result]:
        """Wait for every file; then what each child did, read as it is iterated (a list of 200,000 results
        held 50 MB at the end of the export). Raises ``OSError`` with a child's error."""
        self._flush_stories(wait=True)
        for index, proc in enumerate(self._procs):
            self._drain(index)
            assert proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
        for proc in self._procs:
            if proc.wait() != 0:
                self._raise_child_error(proc)
        for results in self._results:
            self.peaks_kb.append(_peak_kb(results))
        return self._read_results()

    def _read_results(self) -> Iterator[Result]:
        try:
            for results in self._results:
                results.seek(0)
                yield from _parse(results)
        finally:
            self._close_files()

    def abort(self) -> None:
        for proc in self._procs:
            with contextlib.suppress(OSError):
                proc.kill()
            proc.wait()
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
        self._close_files()

    def _close_files(self) -> None:
        for file in (*self._results, *self._errors):
            file.close()
        self._results, self._errors = [], []

    def _flush_stories(self, *, wait: bool) -> bool:
        if not self._stories:
            return True
        if not self._dispatch(pickle.dumps(("stories", self._stories), protocol=5), wait=wait):
            return False
        self._stories = []
        return True

    def _dispatch(self, frame: bytes, *, wait: bool, child: int | None = None) -> bool:
        """Send ``frame`` to the next child (in turn) that has taken all it was sent; with ``wait``, to the
        next one in turn after waiting until it has (or to ``child``). False if none is ready and ``wait``
        is not set."""
        order = [(self._turn + step) % len(self._procs) for step in range(len(self._procs))]
        chosen = child if child is not None else next((i for i in order if self._ready(i)), None)
        if chosen is None:
            if not wait:
                return False
            chosen = order[0]
        self._drain(chosen)
        self._pending[chosen] = memoryview(_HEADER.pack(len(frame)) + frame)
        self._pump(chosen)
        self._turn = (chosen + 1) % len(self._procs)
        return True

    def _ready(self, index: int) -> bool:
        """Whether child ``index``'s pipe has taken everything sent to it so far."""
        return self._pump(index)

    def _pump(self, index: int) -> bool:
        """Move what is pending for child ``index`` into its pipe as far as the pipe takes it."""
        pending = self._pending[index]
        proc = self._procs[index]
        assert proc.stdin is not None
        while pending:
            try:
                written = os.write(proc.stdin.fileno(), pending)
            except BlockingIOError:
                break
            except BrokenPipeError:
                self._raise_child_error(proc)
            pending = pending[written:]
        self._pending[index] = pending
        return not pending

    def _drain(self, index: int) -> None:
        """Wait until child ``index``'s pipe has taken everything sent to it."""
        proc = self._procs[index]
        assert proc.stdin is not None
        while not self._pump(index):
            select.select([], [proc.stdin.fileno()], [])

    def _raise_child_error(self, proc: subprocess.Popen[bytes]) -> None:
        proc.wait()
        errors = self._errors[self._procs.index(proc)]
        errors.seek(0)
        message = errors.read(4096).decode("utf-8", "replace")
        number, _, text = message.strip().partition("\t")
        if not text:  # it said nothing: killed (out of memory?) or crashed in native code
            code = proc.returncode
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            text = f"a page worker stopped ({how}{': ' + message.strip() if message.strip() else ''})"
        raise OSError(int(number) if number.isdigit() else 0, text)


def _parse(results: IO[bytes]) -> Iterator[Result]:
    for line in results:
        digest, kind, path = line.decode("utf-8").rstrip("\n").split(" ", 2)
        if kind != "P":  # not the child's last line, its peak resident size (``_peak_kb``)
            yield path, digest, kind == "W"


def _peak_kb(results: IO[bytes]) -> int:
    """The peak resident size a child reported on the last line of its results."""
    size = results.seek(0, os.SEEK_END)
    results.seek(max(0, size - 64))
    last = results.read().decode("utf-8", "replace").rstrip("\n").rpartition("\n")[2]
    return int(last[4:]) if last.startswith("- P ") and last[4:].isdigit() else 0


def _own_peak_kb() -> int:
    """This process's peak resident size (VmHWM): its own since ``exec``, unlike a parent's view of it."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # noqa: PTH123
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


# ------------------------------------------------------------------------------------------ the child


class _Child:
    def __init__(
        self, root: str, previous_root: str | None, section: Section, archive: tuple[YearBucket, ...]
    ):
        from ca_editor.export import pages
        from ca_editor.export.templating import environment

        self._pages = pages
        self._root = root
        self._previous = previous_root
        self._frame = pages.Frame(section, archive)
        self._env = environment()
        self._out = sys.stdout.buffer
        # The current year's month lists, kept on disk until its year page is written: a year page lists
        # every story of its year (megabytes at 200,000 stories), and only one month is in memory.
        self._lists: list[tuple[MonthBucket, int, int]] = []  # month, offset, length in ``_spill``
        self._spill: IO[bytes] | None = None

    def handle(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "stories":
            for path, old, packed, body, picture in message[1]:
                page = self._pages.story_page(self._frame, unpack_story(packed), body, picture)
                if page.path != path:
                    raise OSError(0, f"the page of {path} came out as {page.path}")
                self._put(page, old)
        elif kind == "month":
            _, year, month, packed, old, write = message
            html = self._pages.story_list([unpack_story(s) for s in packed], self._pages.ARCHIVE_ROOT)
            self._keep_list(month, html)
            if write:
                self._stream(self._pages.month_page(self._frame, year, month, html), old)
        elif kind == "year":
            _, year, old, write = message
            if write:
                self._stream(self._pages.year_page(self._frame, year, self._kept_lists()), old)
            self._lists = []
            if self._spill is not None:
                self._spill.seek(0)
                self._spill.truncate()
        elif kind == "write":
            _, path, data, digest = message
            self._file(path, data, digest, None)
        elif kind == "picture":
            _, picture, original, cache_root = message
            self._picture(picture, original, cache_root)
        else:
            raise OSError(0, f"unknown page job {kind!r}")

    def _picture(self, picture: Picture, original: bytes, cache_root: str | None) -> None:
        # Imported here: Pillow only in a child that encodes.
        from ca_editor.export.image_cache import DerivativeCache
        from ca_editor.export.pictures import encode_files

        for file in encode_files(picture, original, DerivativeCache(cache_root)):
            path = file.rendition.path
            if file.cached is not None:
                link_or_copy(file.cached, f"{self._root}/{path}")
                self._out.write(f"{file.sha256} W {path}\n".encode())
            else:
                assert file.data is not None
                self._file(path, file.data, file.sha256, None)

    def _keep_list(self, month: MonthBucket, html: str) -> None:
        if self._spill is None:
            self._spill = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the child
        data = html.encode("utf-8")
        self._lists.append((month, self._spill.seek(0, os.SEEK_END), len(data)))
        self._spill.write(data)

    def _kept_lists(self) -> Iterator[tuple[MonthBucket, Markup]]:
        """The year's month lists, read back one at a time as the year page is written."""
        assert self._spill is not None
        for month, offset, length in self._lists:
            self._spill.seek(offset)
            yield month, Markup(self._spill.read(length).decode("utf-8"))  # noqa: S704 - rendered by us

    def _put(self, page: Any, old: str | None) -> None:
        data = self._env.get_template(page.template).render(page.context).encode("utf-8")
        self._file(page.path, data, hashlib.sha256(data).hexdigest(), old)

    def _stream(self, page: Any, old: str | None) -> None:
        """A page that may be large (a year page lists every story of its year: megabytes at 20,000) is
        written as Jinja generates it, never held whole: its text, its chunks and its bytes would be."""
        target = f"{self._root}/{page.path}"
        digest = hashlib.sha256()
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            pending: list[str] = []
            size = 0
            for chunk in self._env.get_template(page.template).generate(page.context):
                pending.append(chunk)
                size += len(chunk)
                if size >= _STREAM_CHARS:
                    _write_all(fd, digest, "".join(pending).encode("utf-8"))
                    pending, size = [], 0
            _write_all(fd, digest, "".join(pending).encode("utf-8"))
        finally:
            os.close(fd)
        sha256 = digest.hexdigest()
        if old == sha256 and self._previous is not None:
            os.unlink(target)  # noqa: PTH108 - the previous bundle has these bytes: link its file instead
            os.link(f"{self._previous}/{page.path}", target)
            self._out.write(f"{sha256} L {page.path}\n".encode())
        else:
            self._out.write(f"{sha256} W {page.path}\n".encode())

    def _file(self, path: str, data: bytes, digest: str, old: str | None) -> None:
        target = f"{self._root}/{path}"
        if old == digest and self._previous is not None:
            os.link(f"{self._previous}/{path}", target)
            self._out.write(f"{digest} L {path}\n".encode())
            return
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            # No early writeback (posix_fadvise DONTNEED): it made the sync before the swap shorter but cost
            # the workers more kernel time than it saved; 10,000 pages exported 0.2-0.75 s faster without.
        finally:
            os.close(fd)
        self._out.write(f"{digest} W {path}\n".encode())


def _write_all(fd: int, digest: Any, data: bytes) -> None:
    digest.update(data)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _frames(stream: IO[bytes]) -> Iterator[Any]:
    while True:
        header = stream.read(_HEADER.size)
        if not header:
            return
        size = _HEADER.unpack(header)[0]
        data = stream.read(size)
        if len(data) != size:
            raise EOFError
        yield pickle.loads(data)  # noqa: S301 - our own parent, on a private pipe


def main() -> int:
    # Ctrl+C in a terminal reaches the whole process group: the parent alone handles it (it aborts the
    # export, which kills us and removes the stage); a child dying of it first would look like a disk error.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        frames = _frames(sys.stdin.buffer)
        child = _Child(*next(frames))
        for message in frames:
            child.handle(message)
        sys.stdout.buffer.write(f"- P {_own_peak_kb()}\n".encode())
        sys.stdout.flush()
        return 0
    except OSError as exc:
        sys.stderr.write(f"{exc.errno or 0}\t{exc.strerror or exc}: {exc.filename or ''}\n")
        return 1
    except (EOFError, StopIteration):
        sys.stderr.write("0\tthe export stopped mid-page\n")
        return 1
    except Exception as exc:  # a template or page error: the parent reports it and keeps the old bundle
        sys.stderr.write(f"0\ta page could not be rendered ({type(exc).__name__}: {exc})\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())
