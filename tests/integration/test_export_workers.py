"""Pages rendered and written by the export's worker processes are the bytes this process would write."""

from __future__ import annotations

import hashlib
import io
import itertools
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update

from ca_editor.domain.dates import MonthBucket
from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import Story, StoryFields, StoryStatus
from ca_editor.export import bundle, pages, spool, workers, writer
from ca_editor.export.bundle import ExportCancelledError
from ca_editor.export.templating import environment
from ca_editor.persistence.models import SectionRow
from ca_editor.services.container import Services


@pytest.fixture(autouse=True)
def _pinned_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> list[subprocess.Popen[bytes]]:
    """Every page worker started, so a test can tell they ran and that none is left running."""
    started: list[subprocess.Popen[bytes]] = []
    original = subprocess.Popen

    def popen(*args: object, **kwargs: object) -> subprocess.Popen[bytes]:
        proc: subprocess.Popen[bytes] = original(*args, **kwargs)  # type: ignore[call-overload]
        started.append(proc)
        return proc

    monkeypatch.setattr(workers.subprocess, "Popen", popen)
    return started


def use_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers from the first page, and two of them even on a one-core machine."""
    monkeypatch.setattr(writer, "WORKERS_AFTER", 0)
    monkeypatch.setattr(writer, "cores", lambda: 3)
    monkeypatch.setattr(workers, "worker_count", lambda: 2)
    monkeypatch.setattr(workers, "STORY_BATCH", 2)


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def add_stories(services: Services, count: int) -> None:
    for number in range(count):
        services.stories.create(
            StoryFields(
                title=f"Сюжет {number} — “quotes” & <tags>",
                summary=f"Summary {number} with Қазақ letters",
                body=f"## Part {number}\n\nText with *emphasis*.[^1]\n\n[^1]: Footnote {number}.",
                byline="Desk" if number % 2 else "",
                published_at=datetime(2020 + number % 3, 1 + number % 12, 1 + number % 27, tzinfo=UTC),
                status=StoryStatus.PUBLISHED,
                tags=("energy", f"tag-{number}") if number % 3 else (),
            )
        )


def exported_then_workers(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, count: int
) -> tuple[Path, int, dict[str, bytes]]:
    """A bundle exported in this process, then workers from the first page: (folder, section, contents)."""
    add_stories(services, count)
    out = tmp_path / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    use_workers(monkeypatch)
    return out, section_id, contents(out)


def assert_previous_bundle_kept(
    out: Path, before: dict[str, bytes], spawned: list[subprocess.Popen[bytes]]
) -> None:
    assert contents(out) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".out")) == []
    assert spawned and all(proc.poll() is not None for proc in spawned)  # no worker left running


@pytest.mark.parametrize("behind", [False, True], ids=["workers-keep-up", "workers-behind"])
def test_pages_from_the_workers_equal_pages_rendered_in_process(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawned: list[subprocess.Popen[bytes]],
    behind: bool,
) -> None:
    add_stories(services, 30)
    section_id = services.section_id()
    services.exports.export(section_id, tmp_path / "here", full=True)
    assert spawned == []  # a small bundle never pays for starting workers
    use_workers(monkeypatch)
    if behind:  # two offers in three find every pipe full: this process renders those pages itself
        ready = itertools.cycle([False, False, True])
        monkeypatch.setattr(workers.PageWorkers, "_ready", lambda self, index: next(ready))
    services.exports.export(section_id, tmp_path / "workers", full=True)
    assert len(spawned) == 2
    assert all(proc.returncode == 0 for proc in spawned)
    assert contents(tmp_path / "workers") == contents(tmp_path / "here")


def test_a_worker_links_a_page_that_came_out_the_same_as_the_previous_bundle(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(services, 20)
    section_id = services.section_id()
    out = tmp_path / "out"
    use_workers(monkeypatch)
    services.exports.export(section_id, out)
    before = inodes(out)
    # The description is part of every page's fingerprint but only the front page shows it: every story
    # page is rendered again, comes out the same, and is linked rather than written.
    with services.db.write() as session:
        session.execute(
            update(SectionRow).where(SectionRow.id == section_id).values(description="A new description")
        )
    services.exports.export(section_id, out)
    after = inodes(out)
    pages_alike = [path for path in after if path.startswith(("stories/", "archive/"))]
    assert any(path.startswith("archive/") for path in pages_alike)
    assert pages_alike and all(after[path] == before[path] for path in pages_alike)
    assert after["index.html"] != before["index.html"]
    monkeypatch.setattr(writer, "WORKERS_AFTER", 10**9)
    services.exports.export(section_id, tmp_path / "full", full=True)
    assert contents(out) == contents(tmp_path / "full")


def test_an_error_in_a_worker_fails_the_export_and_keeps_the_previous_bundle(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawned: list[subprocess.Popen[bytes]],
) -> None:
    out, section_id, before = exported_then_workers(services, tmp_path, monkeypatch, 10)
    original = workers.PageWorkers.offer_story

    def offer_twice(self: workers.PageWorkers, path: str, *rest: object) -> bool:
        original(self, path, *rest)  # type: ignore[arg-type]
        return original(self, path, *rest)  # type: ignore[arg-type]  # the child refuses to overwrite

    monkeypatch.setattr(workers.PageWorkers, "offer_story", offer_twice)
    with pytest.raises(ExportFailedError, match=r"could not be written .*File exists"):
        services.exports.export(section_id, out, full=True)
    assert_previous_bundle_kept(out, before, spawned)


def test_cancelling_stops_the_workers_and_keeps_the_previous_bundle(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawned: list[subprocess.Popen[bytes]],
) -> None:
    out, section_id, before = exported_then_workers(services, tmp_path, monkeypatch, 30)
    asked = itertools.count()
    with pytest.raises(ExportCancelledError):
        services.exports.export(section_id, out, full=True, cancelled=lambda: next(asked) > 20)
    assert_previous_bundle_kept(out, before, spawned)


def test_a_story_survives_packing_for_a_worker(services: Services) -> None:
    add_stories(services, 3)
    for summary in services.stories.list():
        story = services.stories.get(summary.id)
        unpacked = workers.unpack_story(workers.pack_story(story))
        for name in ("id", "slug", "title", "summary", "byline", "published_at", "status", "tags", "image"):
            assert getattr(unpacked, name) == getattr(story, name)


def test_a_manifest_spooled_to_disk_in_small_runs_equals_one_kept_in_memory(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(services, 25)
    section_id = services.section_id()
    memory = services.exports.export(section_id, tmp_path / "memory", full=True)
    monkeypatch.setattr(spool, "RUN_ENTRIES", 4)
    spooled = services.exports.export(section_id, tmp_path / "spooled", full=True)
    assert isinstance(spooled.files, spool.SpooledMap) and spooled.files._runs
    assert len(spooled.files) == len(memory.files)
    assert contents(tmp_path / "spooled") == contents(tmp_path / "memory")


def test_a_page_a_worker_cannot_render_fails_the_export_with_the_reason(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawned: list[subprocess.Popen[bytes]],
) -> None:
    out, section_id, before = exported_then_workers(services, tmp_path, monkeypatch, 10)
    original = workers.pack_story

    def unsafe_slug(story: Story) -> workers.PackedStory:
        packed = original(story)
        return (packed[0], "../../escaped", *packed[2:])  # what a worker must never write

    monkeypatch.setattr(workers, "pack_story", unsafe_slug)
    with pytest.raises(ExportFailedError, match=r"a page could not be rendered \(ValueError: .*unsafe slug"):
        services.exports.export(section_id, out, full=True)
    assert_previous_bundle_kept(out, before, spawned)
    assert not (tmp_path / "escaped.html").exists()


def test_a_new_bundle_of_many_pages_starts_the_workers_before_its_first_page(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawned: list[subprocess.Popen[bytes]],
) -> None:
    add_stories(services, 30)
    section_id = services.section_id()
    use_workers(monkeypatch)
    monkeypatch.setattr(writer, "WORKERS_AFTER", 10)
    monkeypatch.setattr(workers.PageWorkers, "_ready", lambda self, index: True)  # never behind
    rendered_here: list[str] = []
    original = bundle.pages.story_page

    def story_page(*args: object) -> object:
        page = original(*args)  # type: ignore[arg-type]
        rendered_here.append(page.path)
        return page

    monkeypatch.setattr(bundle.pages, "story_page", story_page)
    services.exports.export(section_id, tmp_path / "new")
    assert spawned and rendered_here == []  # no previous bundle: every page to a worker from the first
    spawned.clear()
    services.exports.export(section_id, tmp_path / "new", full=False)  # nothing changed: all linked
    assert spawned == []


def test_a_year_streamed_month_by_month_equals_its_pages_rendered_whole(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(services, 30)
    snapshot = services.exports.snapshot(services.section_id())
    year = snapshot.archive[0]

    def in_month(story: Story, month: MonthBucket) -> bool:
        when = story.published_at
        return when is not None and (when.year, when.month) == (month.year, month.month)

    months = [(month, [s for s in snapshot.stories if in_month(s, month)]) for month in year.months]
    frame = pages.Frame(snapshot.section, snapshot.archive)
    expected = {page.path: environment().get_template(page.template).render(page.context).encode()
                for page in pages.year_pages(frame, year, months)}  # fmt: skip
    (tmp_path / "archive").mkdir()
    monkeypatch.setattr(workers, "_STREAM_CHARS", 50)  # many pieces per page
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO()))
    child = workers._Child(str(tmp_path), None, snapshot.section, snapshot.archive)
    assert len(months) > 1
    for month, stories in months:  # one month at a time, as the export streams them
        child.handle(("month", year, month, [workers.pack_story(s) for s in stories], None, True))
    child.handle(("year", year, None, True))
    assert {path: (tmp_path / path).read_bytes() for path in expected} == expected
    reported = sys.stdout.buffer.getvalue().decode().splitlines()  # type: ignore[attr-defined]
    assert sorted(line.split(" ")[2] for line in reported) == sorted(expected)
    assert all(
        line.split(" ")[0] == hashlib.sha256(expected[line.split(" ")[2]]).hexdigest() for line in reported
    )


def test_a_large_year_held_for_linking_is_streamed_to_the_workers_once_it_grows(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    spawned: list[subprocess.Popen[bytes]],
) -> None:
    """Re-exporting over a bundle links most pages, so the workers may not be running when a year begins;
    a year past ``HOLD_STORIES`` starts them and goes on month by month rather than being held whole."""
    add_stories(services, 40)
    section_id = services.section_id()
    out = tmp_path / "out"
    services.exports.export(section_id, out)
    use_workers(monkeypatch)
    monkeypatch.setattr(writer, "WORKERS_AFTER", 10_000)  # no worker until a year is too large to hold
    monkeypatch.setattr(bundle, "HOLD_STORIES", 3)
    handed: list[tuple[int, int]] = []
    original = writer.BundleWriter.archive_month

    def noting(self: writer.BundleWriter, year: object, month: MonthBucket, *args: object) -> None:
        handed.append((month.year, month.month))
        original(self, year, month, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer.BundleWriter, "archive_month", noting)
    with services.db.write() as session:  # every page's fingerprint changes; every page comes out the same
        session.execute(update(SectionRow).values(description="A new description"))
    services.exports.export(section_id, out, full=False)
    assert spawned and handed
    assert len(handed) == len(set(handed))  # each month handed over once
    services.exports.export(section_id, tmp_path / "full", full=True)
    assert contents(out) == contents(tmp_path / "full")


def test_results_are_read_lazily_and_the_peak_from_the_last_line(tmp_path: Path) -> None:
    results = (tmp_path / "results").open("w+b")
    results.write(
        b"".join(f"{n:064x} {'W' if n % 2 else 'L'} stories/s{n}.html\n".encode() for n in range(300))
    )
    results.write(b"- P 51234\n")
    assert workers._peak_kb(results) == 51234
    results.seek(0)
    read = workers._parse(results)
    assert next(read) == ("stories/s0.html", f"{0:064x}", False)
    assert len(list(read)) == 299  # the peak line is not a file
    empty = (tmp_path / "empty").open("w+b")
    assert workers._peak_kb(empty) == 0
