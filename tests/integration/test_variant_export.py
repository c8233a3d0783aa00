"""Exporting a section with scheduled variants: index.html as of a moment, variants/NAME.html, schedule.json,
the manifest, determinism, --as-of on the command line, valid HTML (vnu)."""

from __future__ import annotations

import hashlib
import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.integration.test_html_validity import run_vnu

from ca_editor.cli import main
from ca_editor.domain.model import SlotEntry, StoryFields, StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.variants import MAIN, Window

SAT = datetime(2026, 12, 12, tzinfo=UTC)
ELECTION = datetime(2026, 12, 14, 18, tzinfo=UTC)


def headlines(page: Path) -> list[str]:
    found = re.findall(
        r'<h3 class="card-title"><a href="[^"]*">([^<]*)</a>', page.read_text(encoding="utf-8")
    )
    return [html.unescape(text) for text in found]


def listed_files(bundle: Path) -> dict[str, str]:
    return dict(json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["files"])


@pytest.fixture
def scheduled(services: Services) -> Services:
    """The demo section with a weekend variant (the main block reversed, a headline override) and an
    open-ended election-night variant holding two stories."""
    section_id = services.section_id()
    main_ids = services.sections.layout(section_id).story_ids()
    weekend = services.variants.add(section_id, Window("Weekend", SAT, SAT + timedelta(days=2)))
    entries = [SlotEntry(i) for i in reversed(main_ids)]
    entries[0] = SlotEntry(entries[0].story_id, headline="Weekend: the long read")
    services.sections.replace_slots(section_id, entries, variant_id=weekend.id)
    election = services.variants.add(section_id, Window("Election night!", ELECTION))
    services.sections.replace_slots(
        section_id, [SlotEntry(main_ids[2]), SlotEntry(main_ids[3])], variant_id=election.id
    )
    return services


def test_index_is_the_layout_live_as_of_and_every_variant_has_a_page(
    scheduled: Services, tmp_path: Path
) -> None:
    section_id = scheduled.section_id()
    out = tmp_path / "bundle"
    scheduled.exports.export(section_id, out, as_of=SAT + timedelta(hours=10))
    assert headlines(out / "index.html")[0] == "Weekend: the long read"
    assert headlines(out / "index.html") == headlines(out / "variants" / "weekend.html")
    main_titles = [slot.headline for slot in scheduled.sections.layout(section_id).slots]
    assert headlines(out / "variants" / "main.html") == main_titles
    assert len(headlines(out / "variants" / "election-night.html")) == 2

    schedule = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    assert schedule["index"] == "Weekend" and schedule["as_of"] == "2026-12-12T10:00:00Z"
    assert schedule["main"]["file"] == "variants/main.html"
    assert [(v["name"], v["start"], v["end"], v["file"]) for v in schedule["variants"]] == [
        ("Weekend", "2026-12-12T00:00:00Z", "2026-12-14T00:00:00Z", "variants/weekend.html"),
        ("Election night!", "2026-12-14T18:00:00Z", None, "variants/election-night.html"),
    ]
    for entry in (schedule["main"], *schedule["variants"]):
        digest = hashlib.sha256((out / entry["file"]).read_bytes()).hexdigest()
        assert entry["checksum"] == f"sha256:{digest}"
        assert listed_files(out)[entry["file"]] == digest  # the manifest covers every page
    listed = listed_files(out)
    assert listed["schedule.json"] == hashlib.sha256((out / "schedule.json").read_bytes()).hexdigest()
    # The export recorded the layout on index.html: the weekend variant's.
    weekend = scheduled.variants.find(section_id, "weekend")
    assert [s.variant_id for s in scheduled.snapshots.list(section_id, variant_id=weekend.id)] == [weekend.id]


def test_between_variants_index_is_the_main_layout(scheduled: Services, tmp_path: Path) -> None:
    section_id = scheduled.section_id()
    scheduled.exports.export(section_id, tmp_path / "b", as_of=SAT + timedelta(days=2, hours=1))
    assert headlines(tmp_path / "b" / "index.html") == headlines(tmp_path / "b" / "variants" / "main.html")
    assert json.loads((tmp_path / "b" / "schedule.json").read_text())["index"] == MAIN


def test_same_input_same_bytes(scheduled: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(SAT.timestamp()) + 3600))
    section_id = scheduled.section_id()
    first, second = tmp_path / "one", tmp_path / "two"
    scheduled.exports.export(section_id, first)
    scheduled.exports.export(section_id, second, full=True)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert json.loads((first / "schedule.json").read_text())["index"] == "Weekend"  # the pinned time


def test_a_section_without_variants_exports_as_before(services: Services, tmp_path: Path) -> None:
    services.exports.export(services.section_id(), tmp_path / "plain")
    assert not (tmp_path / "plain" / "schedule.json").exists()
    assert not (tmp_path / "plain" / "variants").exists()


def test_removed_variants_leave_no_stale_pages(scheduled: Services, tmp_path: Path) -> None:
    section_id = scheduled.section_id()
    scheduled.exports.export(section_id, tmp_path / "b", as_of=SAT)
    for variant in scheduled.variants.variants(section_id):
        scheduled.variants.remove(section_id, variant.id)
    scheduled.exports.export(section_id, tmp_path / "b")
    assert not (tmp_path / "b" / "variants").exists() and not (tmp_path / "b" / "schedule.json").exists()
    assert not any(path.startswith("variants/") for path in listed_files(tmp_path / "b"))


def test_unapproved_variant_stories_are_left_off_unless_included(scheduled: Services, tmp_path: Path) -> None:
    section_id = scheduled.section_id()
    ready = scheduled.stories.create(
        StoryFields(title="Polls close at eight", status=StoryStatus.READY, published_at=SAT)
    )
    election = scheduled.variants.find(section_id, "election night!")
    scheduled.sections.replace_slots(section_id, [SlotEntry(ready.id)], variant_id=election.id)
    scheduled.exports.export(section_id, tmp_path / "a", as_of=SAT)
    assert headlines(tmp_path / "a" / "variants" / "election-night.html") == []
    from ca_editor.domain.release import Release

    included = Release(include_unapproved=True)
    scheduled.exports.export(section_id, tmp_path / "b", as_of=SAT, release=included)
    assert headlines(tmp_path / "b" / "variants" / "election-night.html") == ["Polls close at eight"]
    assert (tmp_path / "b" / "stories" / f"{ready.slug}.html").is_file()  # its page and its month exist


def test_cli_export_as_of_and_bad_dates(
    scheduled: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, db = tmp_path / "cli", db_location(scheduled)
    election_night = ["export", str(out), "--as-of", "2026-12-14T19:00+00:00", "--db", db]
    assert main(election_night) == 1  # the checklist is the live layout's: two stories in eight slots
    assert "slot 3: the slot is empty" in capsys.readouterr().err
    assert main([*election_night, "--override-reason", "two stories tonight"]) == 0
    assert json.loads((out / "schedule.json").read_text())["index"] == "Election night!"
    with pytest.raises(SystemExit):
        main(["export", str(out), "--as-of", "next friday", "--db", db])
    assert "is not a date and time such as 2026-12-12 18:00" in capsys.readouterr().err


def test_exported_variant_pages_are_valid_html(scheduled: Services, tmp_path: Path) -> None:
    scheduled.exports.export(scheduled.section_id(), tmp_path / "v", as_of=SAT)
    pages = [*sorted((tmp_path / "v" / "variants").glob("*.html")), tmp_path / "v" / "index.html"]
    assert run_vnu(pages) == []


def db_location(services: Services) -> str:
    return services.db.engine.url.render_as_string(hide_password=False)


@pytest.mark.sqlite_only
def test_up_to_date_never_hides_a_variant(services: Services, tmp_path: Path) -> None:
    """A new variant moves the desk's generation (0019's triggers), and a bundle with variants depends on
    the clock: it leaves no mark, so the next export always runs."""
    from ca_editor.export_uptodate import up_to_date

    db, out = db_location(services), tmp_path / "b"
    services.exports.export(services.section_id(), out)
    assert up_to_date(db, out, None) is not None  # nothing changed yet: the shortcut holds
    services.variants.add(services.section_id(), Window("Weekend", SAT, SAT + timedelta(days=2)))
    assert up_to_date(db, out, None) is None
    services.exports.export(services.section_id(), out)
    assert up_to_date(db, out, None) is None


def test_export_all_as_of_puts_each_sections_live_layout_on_its_front(
    scheduled: Services, tmp_path: Path
) -> None:
    from ca_editor.services.export_all import export_all

    export_all(scheduled.exports, tmp_path / "during", as_of=SAT + timedelta(hours=1))
    export_all(scheduled.exports, tmp_path / "after", as_of=SAT + timedelta(days=2, hours=3))  # a gap
    assert headlines(tmp_path / "during" / "index.html")[0] == "Weekend: the long read"
    main_titles = [slot.headline for slot in scheduled.sections.layout(scheduled.section_id()).slots]
    assert headlines(tmp_path / "after" / "index.html") == main_titles
