"""A section's settings through the service and ``ca-editor section``: version checks, fewer slots, diffs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ca_editor import cli
from ca_editor.domain.errors import ConflictError, ValidationError
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services


def demo(services: Services) -> tuple[int, SectionSettings, int]:
    section = services.section_settings.by_slug("central-asia")
    return section.id, SectionSettings.of(section), section.version


def test_fewer_slots_take_the_last_stories_out_into_previously_in_editors_choice(services: Services) -> None:
    section_id, settings, version = demo(services)
    before = services.sections.layout(section_id).slots
    assert [s.id for s in services.section_settings.would_fall_out(section_id, 6)] == [
        slot.story.id for slot in before[6:]
    ]
    change = services.section_settings.change(
        section_id, replace(settings, slot_count=6), expected_version=version
    )
    assert [story.id for story in change.fell_out] == [slot.story.id for slot in before[6:]]
    assert [slot.story.id for slot in change.layout.slots] == [slot.story.id for slot in before[:6]]
    assert change.layout.section.slot_count == 6
    former = services.sections.former(section_id)
    assert {f.story.id for f in former} == {slot.story.id for slot in before[6:]}


def test_a_change_made_since_the_version_read_is_refused(services: Services) -> None:
    section_id, settings, version = demo(services)
    services.section_settings.change(section_id, replace(settings, title="First"), expected_version=version)
    with pytest.raises(ConflictError):
        services.section_settings.change(
            section_id, replace(settings, title="Second"), expected_version=version
        )
    assert services.section_settings.by_slug("central-asia").title == "First"


def test_bad_or_taken_settings_are_refused_with_the_field_named(services: Services) -> None:
    section_id, settings, version = demo(services)
    services.section_settings.create(SectionSettings("weekend", "The weekend page", slot_count=4))
    with pytest.raises(ValidationError) as taken:
        services.section_settings.change(
            section_id, replace(settings, slug="weekend"), expected_version=version
        )
    assert [p.field for p in taken.value.problems] == ["slug"]
    with pytest.raises(ValidationError) as bad:
        services.section_settings.create(SectionSettings("Bad Slug", " ", slot_count=0))
    assert [p.field for p in bad.value.problems] == ["slug", "title", "slot_count"]


def test_the_layout_diff_shows_the_settings_changed_since_sign_off(services: Services) -> None:
    section_id, settings, version = demo(services)
    services.snapshots.take(section_id, SnapshotKind.SIGN_OFF)
    new = replace(
        settings,
        title="Central Asia today",
        description="New words.",
        slot_count=7,
        slug="central-asia-today",
        teaser_limit=500,
    )
    services.section_settings.change(section_id, new, expected_version=version)
    signed = services.snapshots.latest(section_id, SnapshotKind.SIGN_OFF)
    assert signed is not None
    from ca_editor.domain.layout_diff import diff_layouts

    diff = diff_layouts(signed.content, services.snapshots.current(section_id))
    labels = ["Heading", "Description", "Slug", "Number of slots", "Teaser advice"]
    assert [change.label for change in diff.section] == labels
    assert len(diff.removed) == 1
    sentences = diff.sentences()
    assert "The section's slug is now “central-asia-today” (was “central-asia”)." in sentences
    assert "The teaser advice is now over 500 characters (was off)." in sentences
    assert diff.summary().endswith("5 section changes")


def test_the_teaser_limit_drives_the_checklist(services: Services) -> None:
    section_id, settings, version = demo(services)
    services.section_settings.change(
        section_id, replace(settings, teaser_limit=400), expected_version=version
    )
    codes = [f.code for f in services.checks.run(section_id).findings]
    assert codes.count("summary_too_long") == 8  # every card of the client's page: why the demo has none


def run_cli(db: Path, *argv: str) -> int:
    return cli.main(["--db", str(db), *argv])


def test_cli_section_list_create_and_set(
    services: Services, db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    services.db.dispose()
    assert (
        run_cli(db_path, "section", "create", "weekend", "--heading", "The weekend page", "--slots", "4") == 0
    )
    assert run_cli(db_path, "section", "set", "central-asia", "--heading", "Central Asia today",
                   "--teaser-limit", "off", "--description", "New words.") == 0  # fmt: skip
    capsys.readouterr()
    assert run_cli(db_path, "section", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed == [
        "central-asia: 'Central Asia today', 8 of 8 slots filled, teaser limit off, version 2",
        "weekend: 'The weekend page', 0 of 4 slots filled, teaser limit 400 characters, version 1",
    ]


def test_cli_fewer_slots_asks_first_and_names_who_leaves(
    services: Services, db_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    leaving = [slot.story.title for slot in services.sections.layout(services.section_id()).slots[7:]]
    services.db.dispose()
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert run_cli(db_path, "section", "set", "central-asia", "--slots", "7") == 1
    said = capsys.readouterr()
    assert leaving[0] in said.err and "--yes" in said.err
    assert "Nothing was changed." in said.out
    assert (
        run_cli(db_path, "section", "set", "central-asia", "--slots", "7", "--yes", "--db", str(db_path)) == 0
    )
    assert f"taken out (now in previously in editor's choice): {leaving[0]}" in capsys.readouterr().out


def test_a_new_teaser_limit_reaches_the_next_export(services: Services, tmp_path: Path) -> None:
    """The front page clamps long teasers only under a limit; changing it alone re-renders the page."""
    section_id, settings, version = demo(services)
    out = tmp_path / "out"
    services.exports.export(section_id, out)
    assert "cards-whole-teasers" in (out / "index.html").read_text(encoding="utf-8")
    services.section_settings.change(
        section_id, replace(settings, teaser_limit=1_500), expected_version=version
    )
    services.exports.export(section_id, out)
    assert "cards-whole-teasers" not in (out / "index.html").read_text(encoding="utf-8")
