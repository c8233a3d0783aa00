"""Incremental, cached export: a re-export writes only what changed and equals a full export."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.export import sanitize
from ca_editor.persistence.models import RenderedBodyRow, StoryRow
from ca_editor.services import rendering
from ca_editor.services.container import Services


@pytest.fixture(autouse=True)
def _pinned_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def contents(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def add_stories(services: Services, count: int) -> list[int]:
    ids = []
    for number in range(count):
        story = services.stories.create(
            StoryFields(
                title=f"Archive story {number}",
                summary=f"Summary {number}",
                body=f"## Part {number}\n\nText with *emphasis* and a note.[^1]\n\n[^1]: Footnote {number}.",
                published_at=datetime(2020 + number % 3, 1 + number % 12, 1 + number % 27, tzinfo=UTC),
                status=StoryStatus.PUBLISHED,
            )
        )
        ids.append(story.id)
    return ids


def test_editing_one_story_rewrites_only_its_page_and_the_manifest(
    services: Services, tmp_path: Path
) -> None:
    ids = add_stories(services, 12)
    section_id = services.section_id()
    out = tmp_path / "out"
    services.exports.export(section_id, out)
    before = inodes(out)

    story = services.stories.get(ids[3])
    services.stories.update(
        story.id,
        replace(story.fields(), body=story.body + "\n\nOne more line."),
        expected_version=story.version,
    )
    services.exports.export(section_id, out)
    after = inodes(out)

    assert set(after) == set(before)
    changed = {path for path in after if after[path] != before[path]}
    assert changed == {f"stories/{story.slug}.html", "manifest.json"}
    assert b"One more line." in (out / "stories" / f"{story.slug}.html").read_bytes()


def test_incremental_export_equals_a_full_export_byte_for_byte(services: Services, tmp_path: Path) -> None:
    ids = add_stories(services, 10)
    section_id = services.section_id()
    incremental = tmp_path / "incremental"
    services.exports.export(section_id, incremental)

    # Edits of every kind: a body, a title shown in an archive list, a new month, a deleted story.
    first = services.stories.get(ids[0])
    services.stories.update(
        first.id, replace(first.fields(), body="Rewritten body."), expected_version=first.version
    )
    second = services.stories.get(ids[1])
    services.stories.update(
        second.id, replace(second.fields(), title="A new title"), expected_version=second.version
    )
    third = services.stories.get(ids[2])
    services.stories.update(
        third.id,
        replace(third.fields(), published_at=datetime(2019, 7, 4, tzinfo=UTC)),
        expected_version=third.version,
    )
    services.stories.delete(ids[4])
    services.exports.export(section_id, incremental)

    full = tmp_path / "full"
    services.exports.export(section_id, full, full=True)
    assert contents(incremental) == contents(full)
    assert not (incremental / "stories" / f"{services.stories.get(ids[5]).slug}.html").samefile(
        full / "stories" / f"{services.stories.get(ids[5]).slug}.html"
    )


def test_unchanged_re_export_writes_nothing_but_the_manifest(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    before = inodes(out)
    services.exports.export(section_id, out)
    after = inodes(out)
    assert {path for path in after if after[path] != before[path]} == {"manifest.json"}


def test_bodies_are_rendered_at_save_and_not_at_export(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_stories(services, 3)
    calls = {"n": 0}
    original = sanitize.render_markdown

    def counting(text_: str) -> str:
        calls["n"] += 1
        return original(text_)

    monkeypatch.setattr("ca_editor.services.exporting.render_markdown", counting)
    monkeypatch.setattr("ca_editor.services.rendering.render_markdown", counting)
    monkeypatch.setattr("ca_editor.services.rendering.render_many", lambda ts: [counting(t) for t in ts])
    services.exports.export(services.section_id(), tmp_path / "a")  # the demo import left the cache empty
    first = calls["n"]
    assert first > 0
    services.exports.export(services.section_id(), tmp_path / "b", full=True)
    assert calls["n"] == first  # a second export, even a full one, renders nothing

    story = services.stories.list()[0]
    full = services.stories.get(story.id)
    services.stories.update(full.id, replace(full.fields(), body="Changed."), expected_version=full.version)
    assert calls["n"] == first + 1  # rendered once, at save
    services.exports.export(services.section_id(), tmp_path / "b")
    assert calls["n"] == first + 1


def test_a_renderer_change_renders_every_body_again(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section_id = services.section_id()
    services.exports.export(section_id, tmp_path / "a")
    with services.db.read() as session:
        assert rendering.missing_ids(session, StoryRow.id.is_not(None)) == []
        cached = session.scalar(select(func.count()).select_from(RenderedBodyRow))
    assert cached

    monkeypatch.setattr(rendering, "RENDERER_VERSION", "a-newer-renderer")
    with services.db.read() as session:
        assert len(rendering.missing_ids(session, StoryRow.id.is_not(None))) == cached
    services.exports.export(section_id, tmp_path / "a")
    with services.db.read() as session:
        versions = set(session.scalars(select(RenderedBodyRow.renderer_version)))
    assert versions == {"a-newer-renderer"}


def test_a_body_changed_behind_the_services_back_is_not_served_from_the_cache(
    services: Services, tmp_path: Path
) -> None:
    (story_id,) = add_stories(services, 1)
    with services.db.write() as session:  # a bulk update: no version bump, no save-time render
        session.execute(update(StoryRow).where(StoryRow.id == story_id).values(body="Bulk *edit*."))
    services.exports.export(services.section_id(), tmp_path / "out")
    slug = services.stories.get(story_id).slug
    assert b"Bulk <em>edit</em>." in (tmp_path / "out" / "stories" / f"{slug}.html").read_bytes()


def test_cold_export_with_an_empty_cache_equals_a_warm_one(services: Services, tmp_path: Path) -> None:
    add_stories(services, 5)
    warm = tmp_path / "warm"
    services.exports.export(services.section_id(), warm)
    with services.db.write() as session:
        session.execute(text("DELETE FROM rendered_bodies"))
    cold = tmp_path / "cold"
    services.exports.export(services.section_id(), cold)
    assert contents(cold) == contents(warm)


def test_cold_fill_in_worker_processes_matches_in_process_rendering(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_stories(services, 6)
    with services.db.write() as session:
        session.execute(text("DELETE FROM rendered_bodies"))
    monkeypatch.setattr(rendering, "POOL_THRESHOLD", 1)
    monkeypatch.setattr(rendering, "CHUNK", 2)
    monkeypatch.setattr(rendering, "worker_count", lambda: 2)
    progress: list[tuple[int, int]] = []
    assert rendering.fill_cache(services.db, ids, lambda d, t: progress.append((d, t))) == len(ids)
    assert progress[-1] == (len(ids), len(ids))
    with services.db.read() as session:
        rows = session.execute(
            select(RenderedBodyRow.story_id, RenderedBodyRow.html, StoryRow.body).join(
                StoryRow, StoryRow.id == RenderedBodyRow.story_id
            )
        ).all()
    assert {row.story_id for row in rows} == set(ids)
    for row in rows:
        assert row.html == sanitize.render_markdown(row.body)


def test_deleting_a_story_drops_its_cache_row(services: Services) -> None:
    (story_id,) = add_stories(services, 1)
    services.stories.delete(story_id)
    with services.db.read() as session:
        assert session.get(RenderedBodyRow, story_id) is None


def test_a_hand_removed_file_is_written_again(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    victim = next((out / "stories").iterdir())
    expected = victim.read_bytes()
    os.unlink(victim)
    (out / "manifest.json").write_text((out / "manifest.json").read_text())  # still a bundle
    services.exports.export(section_id, out)
    assert victim.read_bytes() == expected
