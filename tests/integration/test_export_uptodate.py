"""A no-change `ca-editor export OUT` answers "up to date" without the ORM (issue 19, item 5).

Any change to what the bundle or its checklist shows takes the normal export; so do --force, a database at
another revision, and a bundle whose files were touched.

The answer is SQLite's: it reads the file with the stdlib driver and the generation its triggers keep
(migration 0009). On PostgreSQL every export takes the normal path, an update in place that writes only
the pages that changed; ``test_on_postgresql_every_export_takes_the_normal_path`` holds that. (A generation
row bumped by every write would serialise all the desk's writers on one row lock.)
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from tests import layout_steps

from ca_editor import export_uptodate
from ca_editor.cli import main
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.services.container import Services

# Derived from the triggered tables (or the marks themselves): an export may read them without a trigger.
DERIVED = {"rendered_bodies", "stories_fts", "desk_generation", "export_marks", "alembic_version"}


def export(db: Path | str, out: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main(["--db", str(db), "export", str(out), *extra]) == 0
    return capsys.readouterr().out


def state(out: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of the bundle: bytes and mtime_ns."""
    return {
        str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()
    }


def snapshot_count(db: Path) -> int:
    connection = sqlite3.connect(db)
    try:
        return int(
            connection.execute("SELECT count(*) FROM layout_snapshots WHERE kind = 'export'").fetchone()[0]
        )
    finally:
        connection.close()


@pytest.mark.postgresql_only
def test_on_postgresql_every_export_takes_the_normal_path(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, url = tmp_path / "out", services.db.url
    assert export_uptodate.up_to_date(url, out, None) is None
    first = export(url, out, capsys)
    assert first.startswith("exported ") and "checklist: 0 error(s)" in first
    before = state(out)
    again = export(url, out, capsys)
    assert again.startswith("exported ")
    pages = {name: data for name, (data, _) in state(out).items() if name != "manifest.json"}
    assert pages == {name: data for name, (data, _) in before.items() if name != "manifest.json"}
    title = edit_story(services, services.section_id())
    assert export(url, out, capsys).startswith("exported ")
    assert title in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.sqlite_only  # the answer without the ORM is SQLite's (module docstring)
def test_a_second_export_is_up_to_date_writes_nothing_and_loads_no_orm(
    services: Services, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    first = export(db_path, out, capsys)
    assert first.startswith("exported ")
    before, snapshots = state(out), snapshot_count(db_path)

    probe = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        from ca_editor.cli import main
        said = io.StringIO()
        with contextlib.redirect_stdout(said):
            status = main(["export", {str(out)!r}, "--db", {str(db_path)!r}, "--user", "Someone Else"])
        heavy = {{"sqlalchemy", "jinja2", "markdown", "nh3"}}
        loaded = sorted({{m.split(".")[0] for m in sys.modules}} & heavy)
        ours = sorted(m for m in sys.modules if m.startswith(("ca_editor.services", "ca_editor.app")))
        print(json.dumps({{"status": status, "said": said.getvalue(), "loaded": loaded, "ours": ours}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == 0
    assert result["loaded"] == [] and result["ours"] == []
    said = result["said"]
    assert re.match(
        rf"{re.escape(str(out))} is up to date: nothing changed since the export at \d\d:\d\d, ", said
    )
    assert "nothing written." in said
    assert "  checklist: 0 error(s)" in said  # the summary the export printed, kept with its mark
    assert state(out) == before
    assert snapshot_count(db_path) == snapshots


def edit_story(services: Services, section_id: int) -> str:
    story = services.sections.layout(section_id).slots[0].story
    title = "A headline changed since the export"
    services.stories.update(story.id, replace(story.fields(), title=title), expected_version=story.version)
    return title


def move_slot(services: Services, section_id: int) -> str:
    slots = services.sections.layout(section_id).slots
    layout_steps.move(services, section_id, slots[0].id, len(slots))
    return slots[0].story.title


def sign_off(services: Services, section_id: int) -> str:
    services.review.sign_off(section_id, "good for tonight")
    return "signed off by"


CHANGES: dict[str, Callable[[Services, int], str]] = {
    "story saved": edit_story,
    "slot moved": move_slot,
    "signed off": sign_off,
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.sqlite_only
def test_a_change_on_the_desk_exports_again(
    change: str, services: Services, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    export(db_path, out, capsys)
    assert "is up to date" in export(db_path, out, capsys)
    snapshots = snapshot_count(db_path)

    shown = CHANGES[change](services, services.section_id())

    again = export(db_path, out, capsys)
    assert again.startswith("exported "), again
    assert snapshot_count(db_path) == snapshots + 1
    assert shown in (out / "index.html").read_text(encoding="utf-8") + again
    assert "is up to date" in export(db_path, out, capsys)


@pytest.mark.parametrize("touch", ["deleted", "added", "edited"])
@pytest.mark.sqlite_only
def test_a_touched_bundle_is_exported_again(
    touch: str, services: Services, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del services  # the demo database
    out = tmp_path / "out"
    export(db_path, out, capsys)
    snapshots = snapshot_count(db_path)
    page = out / "index.html"
    original = page.read_bytes()
    if touch == "deleted":
        page.unlink()
    elif touch == "added":
        (out / "stray.txt").write_text("left here by hand", encoding="utf-8")
    else:
        page.write_bytes(original.replace(b"</body>", b"<!-- by hand --></body>"))

    if touch == "added":  # the normal export's own answer: it will not delete what it did not write
        assert main(["--db", str(db_path), "export", str(out)]) == 1
        assert "holds files the last export did not write (stray.txt)" in capsys.readouterr().err
        return
    assert export(db_path, out, capsys).startswith("exported ")
    assert snapshot_count(db_path) == snapshots + 1
    if touch == "deleted":
        assert page.read_bytes() == original  # an update in place trusts the files it wrote: edits stay
    assert "is up to date" in export(db_path, out, capsys)


@pytest.mark.sqlite_only
def test_force_writes_again(
    services: Services, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del services
    out = tmp_path / "out"
    export(db_path, out, capsys)
    snapshots = snapshot_count(db_path)
    assert export(db_path, out, capsys, "--force").startswith("exported ")
    assert snapshot_count(db_path) == snapshots + 1
    assert export(db_path, out, capsys, "--include-unapproved").startswith("exported ")
    # The last export was made with other options: the next plain one runs too, then rests.
    assert export(db_path, out, capsys).startswith("exported ")
    assert "is up to date" in export(db_path, out, capsys)


@pytest.mark.sqlite_only
def test_a_story_whose_date_passed_exports_again(
    services: Services, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The checklist warns about a story dated in the future; once its date passes, the warning goes."""
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    # Not in a slot: there a future date is an error, which refuses the export.
    fields = StoryFields(title="Coming soon", body="Text.", published_at=soon, status=StoryStatus.APPROVED)
    services.stories.create(fields)
    out = tmp_path / "out"
    first = export(db_path, out, capsys)
    assert "1 warning(s)" in first and datetime.now(UTC) < soon, "the export took too long for this test"
    assert "is up to date" in export(db_path, out, capsys)  # still in the future: nothing changed

    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 1.1)
    again = export(db_path, out, capsys)
    assert again.startswith("exported ") and "0 warning(s)" in again, again


@pytest.mark.sqlite_only
def test_a_database_at_another_revision_takes_the_normal_path(
    services: Services,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    del services
    out = tmp_path / "out"
    export(db_path, out, capsys)
    assert export_uptodate.up_to_date(str(db_path), out, None) is not None
    monkeypatch.setattr(export_uptodate, "head_revision", lambda: "0010_a_newer_schema")
    assert export_uptodate.up_to_date(str(db_path), out, None) is None
    assert export_uptodate.up_to_date(f"sqlite:///{db_path}", out, None) is None
    monkeypatch.undo()
    assert export_uptodate.up_to_date(f"sqlite:///{db_path}", out, None) is not None
    assert export_uptodate.up_to_date(str(db_path), out, "no-such-section") is None
    assert export_uptodate.up_to_date("postgresql://desk@localhost/desk", out, None) is None


@pytest.mark.sqlite_only
def test_a_damaged_or_unreadable_database_takes_the_normal_path(
    services: Services, db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    del services
    out = tmp_path / "out"
    export(db_path, out, capsys)
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    assert export_uptodate.up_to_date(str(broken), out, None) is None
    assert export_uptodate.up_to_date(str(tmp_path / "missing.sqlite3"), out, None) is None


@pytest.mark.sqlite_only
def test_every_table_an_export_reads_bumps_the_generation(
    services: Services, db_path: Path, tmp_path: Path
) -> None:
    """A table the export reads without a trigger would let a change hide behind "up to date"."""
    services.review.sign_off(services.section_id(), "ok")  # so the sign-off query has a row to read
    read: set[str] = set()

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        read.update(name.strip('"') for name in re.findall(r'\b(?:FROM|JOIN)\s+("?\w+"?)', statement))

    event.listen(services.db.engine, "before_cursor_execute", seen)
    try:
        services.exports.export(services.section_id(), tmp_path / "out", full=True)
        services.exports.export(services.section_id(), tmp_path / "out")  # an update in place reads too
    finally:
        event.remove(services.db.engine, "before_cursor_execute", seen)

    connection = sqlite3.connect(db_path)
    try:
        names = [
            row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        ]
    finally:
        connection.close()
    triggered = {
        table
        for table in {
            n.removeprefix("desk_generation_").rsplit("_", 1)[0] for n in names if n.startswith("desk_")
        }
        if {f"desk_generation_{table}_{s}" for s in ("ai", "au", "ad")} <= set(names)
    }
    assert {"stories", "slots", "sections", "assets", "layout_snapshots"} <= read
    assert read - DERIVED <= triggered, f"no generation trigger on {sorted(read - DERIVED - triggered)}"


@pytest.mark.sqlite_only
def test_a_change_during_the_export_leaves_no_mark(
    services: Services,
    db_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A save between the export's read and its snapshot: the bundle may be older than the desk."""
    from ca_editor.services import export_record

    section_id = services.section_id()
    real = export_record.keep_mark

    def racing(session: object, mark: object, read_at: int | None, before_write: int | None) -> None:
        real(session, mark, read_at, None if before_write is None else before_write + 1)  # type: ignore[arg-type]

    monkeypatch.setattr(export_record, "keep_mark", racing)
    out = tmp_path / "out"
    services.exports.export(section_id, out)
    monkeypatch.undo()
    assert export(db_path, out, capsys).startswith("exported ")
    assert "is up to date" in export(db_path, out, capsys)


def test_0009_carries_a_0008_database_forward(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A desk from before the marks: its data stays, the triggers count from there, exports rest."""
    from ca_editor.persistence.migrate import head_revision, upgrade

    upgrade(f"sqlite:///{db_path}", revision="0008_image_focus")
    now = "2026-11-27 09:00:00.000000"
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "INSERT INTO sections (id, slug, title, description, slot_count, version, created_at, updated_at)"
            " VALUES (1, 'central-asia', 'Central Asia', '', 1, 1, ?, ?)",
            (now, now),
        )
        connection.execute(
            "INSERT INTO stories (id, slug, title, summary, body, byline, status, tags, published_at,"
            " image_alt, image_caption, image_credit, version, created_at, updated_at)"
            " VALUES (1, 'old-story', 'An old story', '', 'Body.', '', 'published', '[]', ?,"
            " '', '', '', 1, ?, ?)",
            (now, now, now),
        )
        connection.execute("INSERT INTO slots (section_id, position, story_id) VALUES (1, 1, 1)")
    connection.close()

    out = tmp_path / "out"
    assert export(db_path, out, capsys).startswith("exported ")  # migrates to 0009 first
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
        assert connection.execute("SELECT title FROM stories").fetchall() == [("An old story",)]
        generation = connection.execute("SELECT generation FROM desk_generation").fetchone()[0]
        assert generation >= 1  # the export's own snapshot counted
        assert "is up to date" in export(db_path, out, capsys)
        with connection:
            connection.execute("UPDATE stories SET title = 'Renamed by a script'")
        assert connection.execute("SELECT generation FROM desk_generation").fetchone()[0] == generation + 1
    finally:
        connection.close()
    assert export(db_path, out, capsys).startswith("exported ")
    assert "Renamed by a script" in (out / "index.html").read_text(encoding="utf-8") or any(
        "Renamed by a script" in p.read_text(encoding="utf-8") for p in out.rglob("*.html")
    )


def test_the_generator_stamp_follows_the_top_level_modules(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version bump alone (``_version.py``) is a new generator: never "up to date" over the old bundle."""
    from ca_editor.export import listing_digest

    package = tmp_path / "ca_editor"
    for name in ("domain", "export", "persistence", "services"):
        (package / name).mkdir(parents=True)
    version = package / "_version.py"
    version.write_text('__version__ = "1.0.0"\n')
    monkeypatch.setattr(listing_digest, "_PACKAGE", package)
    before = listing_digest.generator_stamp()
    version.write_text('__version__ = "1.0.1"\n')
    os.utime(version, ns=(version.stat().st_atime_ns, version.stat().st_mtime_ns + 10**9))
    assert listing_digest.generator_stamp() != before
