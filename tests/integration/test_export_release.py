"""The export gate: errors refuse the export unless a reason is given; the manifest records the release."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests import layout_steps, people_steps

from ca_editor import cli
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.release import Release, ReleaseBlockedError
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services


def release_of(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["release"]


def empty_a_slot(services: Services) -> None:
    section_id = services.section_id()
    layout_steps.remove(services, section_id, services.sections.layout(section_id).slots[-1].id)


def slot_a_draft(services: Services, **fields: Any) -> int:
    """Replace the last demo story in the block with a dated, pictureless draft."""
    section_id = services.section_id()
    values: dict[str, Any] = {"status": StoryStatus.DRAFT, "summary": "s"}
    values.update(fields)
    draft = services.stories.create(StoryFields(title="Border talks resume", **values))
    empty_a_slot(services)
    layout_steps.assign(services, section_id, draft.id)
    return draft.id


def test_a_clean_demo_exports_and_records_its_release(services: Services, tmp_path: Path) -> None:
    people_steps.call_me(services, "Ann Editor")
    manifest = services.exports.export(services.section_id(), tmp_path / "out")
    release = release_of(tmp_path / "out")
    assert release == {
        "checks": {
            "scope": ["block", "archive_dates", "archive_images"],
            "errors": 0,
            "warnings": 0,
            "findings": [],
        },
        "override": None,
        "include_unapproved": False,
        "unapproved": [],
        "sign_off": None,
    }
    assert manifest.release is not None and manifest.release.checks is not None


def test_errors_refuse_the_export_and_write_nothing(services: Services, tmp_path: Path) -> None:
    empty_a_slot(services)
    with pytest.raises(ReleaseBlockedError, match=r"1 error\(s\): slot 8: the slot is empty") as caught:
        services.exports.export(services.section_id(), tmp_path / "out")
    assert [f.code for f in caught.value.report.errors] == ["empty_slot"]
    assert not (tmp_path / "out").exists()
    assert services.snapshots.latest(services.section_id(), SnapshotKind.EXPORT) is None


def test_errors_refuse_an_in_place_update_too(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    before = (out / "manifest.json").read_bytes()
    empty_a_slot(services)
    with pytest.raises(ReleaseBlockedError):
        services.exports.export(services.section_id(), out)
    assert (out / "manifest.json").read_bytes() == before


def test_an_override_reason_lets_it_through_and_is_recorded(services: Services, tmp_path: Path) -> None:
    people_steps.call_me(services, "Ann Editor")
    empty_a_slot(services)
    release = Release(override_reason="  slot 8 is filled\n tomorrow ")
    services.exports.export(services.section_id(), tmp_path / "out", release=release)
    recorded = release_of(tmp_path / "out")
    assert recorded["override"] == {"by": "Ann Editor", "reason": "slot 8 is filled tomorrow"}
    assert recorded["checks"]["errors"] == 1
    assert recorded["checks"]["findings"] == [
        {
            "code": "empty_slot",
            "severity": "error",
            "slot": 8,
            "story_id": None,
            "message": "the slot is empty",
        }
    ]


def test_unapproved_slotted_stories_are_left_off_unless_included(
    services: Services, tmp_path: Path, parse_html
) -> None:
    draft = slot_a_draft(services, published_at=None)
    slug = services.stories.get(draft).slug
    with pytest.raises(ReleaseBlockedError, match="not approved"):
        services.exports.export(services.section_id(), tmp_path / "a")

    # Overridden but not included: the draft is left off the page and out of the bundle.
    services.exports.export(services.section_id(), tmp_path / "a", release=Release(override_reason="later"))
    index = parse_html(tmp_path / "a" / "index.html")
    assert len(index.find_all("li", cls="card")) == 7
    assert not (tmp_path / "a" / "stories" / f"{slug}.html").exists()
    recorded = release_of(tmp_path / "a")
    assert recorded["unapproved"] == [
        {"slot": 8, "story": slug, "title": "Border talks resume", "status": "draft", "included": False}
    ]

    # Included: its page and card are there, listed as unapproved; 'undated' still needs the reason.
    release = Release(override_reason="the desk knows", include_unapproved=True)
    services.exports.export(services.section_id(), tmp_path / "b", release=release)
    assert (tmp_path / "b" / "stories" / f"{slug}.html").is_file()
    assert len(parse_html(tmp_path / "b" / "index.html").find_all("li", cls="card")) == 8
    recorded = release_of(tmp_path / "b")
    assert recorded["include_unapproved"] is True
    assert recorded["unapproved"][0]["included"] is True
    assert [f["severity"] for f in recorded["checks"]["findings"] if f["code"] == "unapproved"] == ["warning"]


def test_including_unapproved_needs_no_reason_when_nothing_else_is_wrong(
    services: Services, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    slot_a_draft(services, published_at=datetime(2024, 1, 5, tzinfo=UTC))
    services.exports.export(services.section_id(), tmp_path / "out", release=Release(include_unapproved=True))
    recorded = release_of(tmp_path / "out")
    assert recorded["override"] is None
    assert recorded["checks"]["errors"] == 0


def test_the_sign_off_is_recorded_and_a_later_change_is_flagged(services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    people_steps.call_me(services, "Chief Editor")
    signed = services.snapshots.take(section_id, SnapshotKind.SIGN_OFF, "good to go")
    out = tmp_path / "out"
    services.exports.export(section_id, out)
    sign_off = release_of(out)["sign_off"]
    assert sign_off["snapshot"] == signed.id
    assert sign_off["by"] == "Chief Editor"
    assert sign_off["note"] == "good to go"
    assert sign_off["section_version"] == signed.section_version
    assert sign_off["changed_since"] is False
    assert sign_off["at"].endswith("Z")

    # A story in the block retitled after the sign-off: the next export (an update in place) says so.
    first = services.sections.layout(section_id).slots[0].story
    services.stories.update(
        first.id, replace(first.fields(), title="Retitled"), expected_version=first.version
    )
    services.exports.export(section_id, out)
    assert release_of(out)["sign_off"]["changed_since"] is True


def test_the_manifest_the_sheet_and_the_review_window_agree_on_changed_since(
    services: Services, tmp_path: Path
) -> None:
    """One rule (``review.latest_sign_off``): a save that changes nothing a reader sees is no change, a
    story taken out of the block is one."""
    section_id = services.section_id()
    services.review.sign_off(section_id, "fine")
    first = services.sections.layout(section_id).slots[0].story
    services.stories.update(first.id, first.fields(), expected_version=first.version)  # saved, unchanged
    services.exports.export(section_id, tmp_path / "a", release=Release(override_reason="test"))
    assert release_of(tmp_path / "a")["sign_off"]["changed_since"] is False
    assert services.review.last_sign_off(section_id).changed_since is False  # type: ignore[union-attr]
    entries = services.sections.layout(section_id).entries()
    services.sections.replace_slots(section_id, entries[1:])
    services.exports.export(section_id, tmp_path / "b", release=Release(override_reason="one slot empty"))
    assert release_of(tmp_path / "b")["sign_off"]["changed_since"] is True
    assert services.review.last_sign_off(section_id).changed_since is True  # type: ignore[union-attr]


def test_every_export_keeps_a_snapshot(services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    people_steps.call_me(services, "Ann Editor")
    empty_a_slot(services)
    manifest = services.exports.export(
        section_id, tmp_path / "handover", release=Release(override_reason="short today")
    )
    snapshot = services.snapshots.latest(section_id, SnapshotKind.EXPORT)
    assert snapshot is not None
    assert snapshot.taken_by == "Ann Editor"
    assert snapshot.note.startswith(f"handover: {len(manifest.files)} files; 1 error(s), 0 warning(s)")
    assert "exported anyway by Ann Editor: short today" in snapshot.note
    assert len(snapshot.content.entries) == 7
    services.exports.export(section_id, tmp_path / "handover", release=Release(override_reason="again"))
    assert len(services.snapshots.list(section_id, [SnapshotKind.EXPORT])) == 2


def test_the_export_records_the_block_and_indexed_archive_checks_only(
    services: Services, tmp_path: Path
) -> None:
    """The gate and the manifest leave out what needs every story's row or body (warnings only):
    summary lengths and body checks outside the block; ``checks.run`` has them all."""
    from datetime import UTC, datetime

    from ca_editor.domain.section_settings import SectionSettings

    section = services.section_settings.by_slug("central-asia")  # the demo gives no teaser advice
    advice = replace(SectionSettings.of(section), teaser_limit=1_500)  # the client's teasers pass it
    services.section_settings.change(section.id, advice, expected_version=section.version)

    when = datetime(2024, 2, 1, tzinfo=UTC)
    fields: dict[str, Any] = {"status": StoryStatus.PUBLISHED, "published_at": when}
    linked = services.stories.create(
        StoryFields(title="Linked", body="See [x](gone.html).", summary="s", **fields)
    )
    wordy = services.stories.create(StoryFields(title="Wordy", summary="y" * 1_501, **fields))
    undated = services.stories.create(StoryFields(title="Undated", status=StoryStatus.APPROVED))
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 675), (20, 90, 140)).save(buffer, "PNG")
    image = services.images.add(buffer.getvalue())
    no_alt = services.stories.create(
        StoryFields(title="No alt", summary="s", image_sha256=image.sha256, image_alt=" ", **fields)
    )
    whole = {(f.code, f.story_id) for f in services.checks.run(services.section_id()).findings}
    assert whole == {
        ("broken_link", linked.id),
        ("summary_too_long", wordy.id),
        ("undated", undated.id),
        ("missing_alt", no_alt.id),
    }
    services.exports.export(services.section_id(), tmp_path / "out")
    recorded = release_of(tmp_path / "out")["checks"]
    assert recorded["scope"] == ["block", "archive_dates", "archive_images"]
    found = {(f["code"], f["story_id"]) for f in recorded["findings"]}
    assert found == {("undated", undated.id), ("missing_alt", no_alt.id)}


def test_the_gate_refuses_what_the_whole_checklist_refuses(services: Services, tmp_path: Path) -> None:
    slot_a_draft(services, published_at=None)
    section_id = services.section_id()
    errors = {(f.code, f.slot) for f in services.checks.run(section_id).errors}
    assert errors == {("unapproved", 8), ("undated", 8)}
    with pytest.raises(ReleaseBlockedError) as caught:
        services.exports.export(section_id, tmp_path / "out")
    assert {(f.code, f.slot) for f in caught.value.report.errors} == errors


def test_full_and_in_place_exports_write_the_same_release(services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    services.exports.export(section_id, out)
    first = services.sections.layout(section_id).slots[2].story
    services.stories.update(first.id, replace(first.fields(), summary="New"), expected_version=first.version)
    services.exports.export(section_id, out)  # an update in place
    services.exports.export(section_id, fresh, full=True)
    assert release_of(out) == release_of(fresh)


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_check_exit_codes_and_json(services: Services, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--db", services.db.url, "check"]) == 0
    assert "0 error(s), 0 warning(s)" in capsys.readouterr().out
    empty_a_slot(services)
    assert cli.main(["--db", services.db.url, "check"]) == 1
    assert "error: slot 8: the slot is empty" in capsys.readouterr().out
    assert cli.main(["--db", services.db.url, "check", "--json", "--section", "central-asia"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is False and document["errors"] == 1
    assert document["findings"][0]["code"] == "empty_slot"
    assert cli.main(["--db", services.db.url, "check", "--section", "nope"]) == 1


def test_cli_warnings_alone_exit_zero(services: Services, capsys: pytest.CaptureFixture[str]) -> None:
    services.stories.create(StoryFields(title="Undated", status=StoryStatus.APPROVED))
    assert cli.main(["--db", services.db.url, "check"]) == 0
    assert "0 error(s), 1 warning(s)" in capsys.readouterr().out


def test_cli_export_refuses_then_overrides(
    db_path: Path, services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slot_a_draft(services, published_at=None)
    out = tmp_path / "out"
    assert cli.main(["--db", services.db.url, "export", str(out)]) == 1
    err = capsys.readouterr().err
    assert "nothing was exported" in err and "slot 8" in err and "--override-reason" in err
    assert not out.exists()
    args = ["--db", services.db.url, "--user", "Night Desk", "export", str(out)]
    assert cli.main([*args, "--override-reason", "agreed with the web team", "--include-unapproved"]) == 0
    printed = capsys.readouterr().out
    assert "errors overridden by Night Desk: agreed with the web team" in printed
    assert "is draft, not approved: included as it is" in printed
    recorded = release_of(out)
    assert recorded["override"] == {"by": "Night Desk", "reason": "agreed with the web team"}
    assert recorded["include_unapproved"] is True
