"""Incremental export in place: only changed files are touched, crashes and cancels roll back, and the
bundle always equals a full export of the same data."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ca_editor import durable
from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.export import inplace, update
from ca_editor.export.bundle import ExportCancelledError
from ca_editor.services.container import Services


@pytest.fixture(autouse=True)
def _pinned_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def add_stories(services: Services, count: int, *, dated: bool = True) -> list[int]:
    ids = []
    for number in range(count):
        when = datetime(2021 + number % 2, 1 + number % 12, 1 + number % 27, tzinfo=UTC) if dated else None
        story = services.stories.create(
            StoryFields(
                title=f"In place {number} {'dated' if dated else 'undated'}",
                summary=f"Summary {number}",
                body=f"Body {number} with *emphasis*.",
                published_at=when,
                status=StoryStatus.PUBLISHED,
            )
        )
        ids.append(story.id)
    return ids


def edit(services: Services, story_id: int, **changes: object) -> None:
    story = services.stories.get(story_id)
    services.stories.update(story.id, replace(story.fields(), **changes), expected_version=story.version)


def full_export(services: Services, folder: Path) -> dict[str, bytes]:
    services.exports.export(services.section_id(), folder, full=True)
    return contents(folder)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts updates done in place (so a test knows which path ran)."""
    calls: list[int] = []
    original = inplace.apply

    def counting(*args: object, **kwargs: object) -> None:
        calls.append(1)
        original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(inplace, "apply", counting)
    return calls


def test_a_body_edit_is_written_in_place_and_equals_a_full_export(
    services: Services, tmp_path: Path, spy: list[int]
) -> None:
    ids = add_stories(services, 8)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    before = inodes(out)
    edit(services, ids[2], body="A corrected body.")
    services.exports.export(services.section_id(), out)
    after = inodes(out)
    assert spy == [1]
    slug = services.stories.get(ids[2]).slug
    assert {p for p in after if after[p] != before[p]} == {f"stories/{slug}.html", "manifest.json"}
    assert set(after) == set(before)
    assert not (out / inplace.JOURNAL).exists()
    assert contents(out) == full_export(services, tmp_path / "full")


def test_quotes_in_a_slotted_headline_still_update_in_place(
    services: Services, tmp_path: Path, spy: list[int]
) -> None:
    """The manifest's head then holds JSON escapes; its maps, which the update splices, still hold none."""
    slotted = services.sections.layout(services.section_id()).slots[0].story
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    edit(services, slotted.id, title='A \\ "quoted" headline')
    services.exports.export(services.section_id(), out)
    assert spy == [1]
    assert '\\"quoted\\"' in (out / "manifest.json").read_text(encoding="utf-8")
    edit(services, slotted.id, body="A corrected body.")  # and again, over the escaped head
    services.exports.export(services.section_id(), out)
    assert spy == [1, 1]
    assert contents(out) == full_export(services, tmp_path / "full")


def test_a_title_edit_rewrites_its_month_and_year_pages(
    services: Services, tmp_path: Path, spy: list[int]
) -> None:
    ids = add_stories(services, 8)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    before = inodes(out)
    story = services.stories.get(ids[1])
    edit(services, ids[1], title="A sharper headline", published_at=story.published_at.replace(day=28))
    services.exports.export(services.section_id(), out)
    after = inodes(out)
    assert spy == [1]
    assert story.published_at is not None
    month = f"archive/{story.published_at.year}-{story.published_at.month:02d}.html"
    changed = {p for p in after if after[p] != before[p]}
    assert {f"stories/{story.slug}.html", month, f"archive/{story.published_at.year}.html"} <= changed
    assert contents(out) == full_export(services, tmp_path / "full")


def test_slug_change_deletion_and_unpublishing_of_undated_stories_in_place(
    services: Services, tmp_path: Path, spy: list[int]
) -> None:
    ids = add_stories(services, 4, dated=False)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    old_slug = services.stories.get(ids[0]).slug
    edit(services, ids[0], slug="a-brand-new-slug")
    services.stories.delete(ids[1])
    gone = services.stories.get(ids[2]).slug
    edit(services, ids[2], status=StoryStatus.DRAFT)
    services.exports.export(services.section_id(), out)
    assert spy == [1]
    assert not (out / "stories" / f"{old_slug}.html").exists()
    assert not (out / "stories" / f"{gone}.html").exists()
    assert (out / "stories" / "a-brand-new-slug.html").is_file()
    assert contents(out) == full_export(services, tmp_path / "full")


def test_a_frame_change_falls_back_to_a_new_bundle_and_still_equals_a_full_export(
    services: Services, tmp_path: Path, spy: list[int]
) -> None:
    ids = add_stories(services, 6)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    edit(services, ids[0], published_at=datetime(2015, 3, 3, tzinfo=UTC))  # a new month in the archive
    services.stories.delete(ids[3])
    services.exports.export(services.section_id(), out)
    assert spy == []
    assert contents(out) == full_export(services, tmp_path / "full")


def test_a_failed_write_rolls_back_to_the_previous_bundle(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_stories(services, 5)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    before = contents(out)
    edit(services, ids[0], title="Changed title")
    edit(services, ids[1], body="Changed body")
    writes = {"n": 0}
    original = durable.write_synced

    def fail_on_third(path: Path, data: bytes | str) -> None:
        writes["n"] += 1
        if writes["n"] == 3:
            raise OSError(28, "No space left on device")
        original(path, data)

    monkeypatch.setattr(durable, "write_synced", fail_on_third)
    with pytest.raises(ExportFailedError, match="previous bundle is untouched"):
        services.exports.export(services.section_id(), out)
    assert writes["n"] == 3
    assert contents(out) == before
    assert not (out / inplace.JOURNAL).exists()


def test_a_journal_left_by_a_crash_is_rolled_back_by_the_next_export(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_stories(services, 5)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    before = contents(out)
    edit(services, ids[0], title="Changed title")
    edit(services, ids[1], body="Changed body")

    # kill -9 half-way: some files replaced, the journal still there, no rollback ran.
    writes = {"n": 0}
    original = durable.write_synced

    def die_on_fourth(path: Path, data: bytes | str) -> None:
        writes["n"] += 1
        if writes["n"] == 4:
            raise KeyboardInterrupt
        original(path, data)

    monkeypatch.setattr(durable, "write_synced", die_on_fourth)
    monkeypatch.setattr(inplace, "rollback", lambda root: None)
    with pytest.raises(KeyboardInterrupt):
        services.exports.export(services.section_id(), out)
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert (out / inplace.JOURNAL).is_dir()
    assert contents(out) != before

    inplace.recover(out.resolve())  # what the next export does first
    assert contents(out) == before

    # Once more, then let the next export (incremental, then a full one) find the journal.
    monkeypatch.setattr(durable, "write_synced", die_on_fourth)
    monkeypatch.setattr(inplace, "rollback", lambda root: None)
    writes["n"] = 0
    with pytest.raises(KeyboardInterrupt):
        services.exports.export(services.section_id(), out)
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    services.exports.export(services.section_id(), out)
    assert not (out / inplace.JOURNAL).exists()
    assert contents(out) == full_export(services, tmp_path / "full")


def test_a_full_export_also_rolls_back_a_leftover_journal_first(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_stories(services, 3)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    edit(services, ids[0], body="Changed")
    monkeypatch.setattr(inplace, "rollback", lambda root: None)
    monkeypatch.setattr(update, "MAX_CHANGED", 10)

    def crash(*_args: object, **_kwargs: object) -> None:
        (out / inplace.JOURNAL / "old").mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr(inplace, "apply", crash)
    with pytest.raises(KeyboardInterrupt):
        services.exports.export(services.section_id(), out)
    monkeypatch.undo()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert (out / inplace.JOURNAL).is_dir()
    services.exports.export(services.section_id(), out, full=True)  # would refuse a foreign file
    assert not (out / inplace.JOURNAL).exists()


def test_cancelling_an_update_in_place_rolls_it_back(
    services: Services, tmp_path: Path, spy: list[int]
) -> None:
    ids = add_stories(services, 5)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    before = contents(out)
    edit(services, ids[0], title="Changed title")
    edit(services, ids[1], body="Changed body")
    asked = {"n": 0}
    progress: list[tuple[int, int]] = []

    def cancel_after_first_file() -> bool:
        asked["n"] += 1
        return bool(progress)

    with pytest.raises(ExportCancelledError, match="previous bundle is untouched"):
        services.exports.export(
            services.section_id(),
            out,
            cancelled=cancel_after_first_file,
            progress=lambda done, total: progress.append((done, total)),
        )
    assert spy == [1]
    assert progress
    assert contents(out) == before
    assert not (out / inplace.JOURNAL).exists()


def test_a_foreign_file_is_still_refused(services: Services, tmp_path: Path) -> None:
    ids = add_stories(services, 3)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    (out / "notes.txt").write_text("mine")
    edit(services, ids[0], body="Changed")
    with pytest.raises(ExportFailedError, match="did not write"):
        services.exports.export(services.section_id(), out)
    assert (out / "notes.txt").read_text() == "mine"


def test_a_busy_bundle_folder_is_refused(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    with inplace.locked(out.resolve()), pytest.raises(ExportFailedError, match="another export"):
        services.exports.export(services.section_id(), out)


def test_only_a_folder_holding_exactly_its_manifest_is_updated_in_place(
    services: Services, tmp_path: Path
) -> None:
    from ca_editor.export.manifest_text import FlatMapText, ManifestText

    def listed(folder: Path) -> FlatMapText:
        manifest = ManifestText.read(folder)
        assert manifest is not None
        return manifest.files

    add_stories(services, 3)
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    page = next((out / "stories").iterdir())
    assert update._folder_matches(out, listed(out))
    for foreign in (out / "stories" / "drafts", out / "archive" / "old"):  # a folder where none belongs
        foreign.mkdir()
        assert not update._folder_matches(out, listed(out))
        foreign.rmdir()
    (out / "stories" / "extra.html").write_text("x")
    assert not update._folder_matches(out, listed(out))
    (out / "stories" / "extra.html").unlink()
    data = page.read_bytes()
    page.unlink()  # removed by hand: a new bundle writes it again
    assert not update._folder_matches(out, listed(out))
    page.write_bytes(data)
    (out / "scratch").mkdir()
    assert not update._folder_matches(out, listed(out))
    (out / "scratch").rmdir()
    assert update._folder_matches(out, listed(out))
