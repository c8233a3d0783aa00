"""``export OUT --all`` with scheduled variants: each section with variants gets its variant pages and
``schedule.json`` beside its front (the root for the first live section, ``sections/<slug>/`` for the
others), in the one manifest, links resolving from that depth, the same bytes twice, valid HTML, and a
removed variant leaves no page behind on a re-export into the same folder. Both engines."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.integration.test_html_validity import describe, run_vnu
from tests.integration.test_sections_live import hrefs, run_cli
from tests.integration.test_variant_export import headlines

from ca_editor.domain.model import SlotEntry
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.services.container import Services
from ca_editor.services.export_all import export_all
from ca_editor.services.variants import MAIN, Window

SAT = datetime(2026, 12, 12, tzinfo=UTC)
FOLDER = "sections/weekend"


@pytest.fixture
def two_sections(services: Services) -> Services:
    """The demo section (no variants) and ``weekend`` with three stories and two variants: ``Saturday``
    (its block reversed, a headline override) and an open-ended ``Sunday`` holding one story."""
    main = services.sections.layout(services.section_id())
    chosen = [slot.story.id for slot in main.slots][-3:]
    weekend = services.section_settings.create(SectionSettings("weekend", "The weekend page", slot_count=3))
    services.sections.replace_slots(weekend.id, [SlotEntry(i) for i in chosen])
    saturday = services.variants.add(weekend.id, Window("Saturday", SAT, SAT + timedelta(days=1)))
    entries = [SlotEntry(i) for i in reversed(chosen)]
    entries[0] = SlotEntry(entries[0].story_id, headline="Saturday: the long read")
    services.sections.replace_slots(weekend.id, entries, variant_id=saturday.id)
    sunday = services.variants.add(weekend.id, Window("Sunday", SAT + timedelta(days=1)))
    services.sections.replace_slots(weekend.id, [SlotEntry(chosen[0])], variant_id=sunday.id)
    return services


def manifest_of(out: Path) -> dict[str, object]:
    return dict(json.loads((out / "manifest.json").read_text(encoding="utf-8")))


def variant_pages(out: Path) -> list[Path]:
    return sorted((out / FOLDER / "variants").glob("*.html"))


def test_all_writes_the_variant_pages_and_schedule_beside_the_sections_front(
    two_sections: Services, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    export_all(two_sections.exports, out, as_of=SAT + timedelta(hours=9))
    folder = out / FOLDER
    assert [p.name for p in variant_pages(out)] == ["main.html", "saturday.html", "sunday.html"]
    assert headlines(folder / "index.html")[0] == "Saturday: the long read"  # live at the moment
    assert headlines(folder / "index.html") == headlines(folder / "variants" / "saturday.html")
    weekend_id = two_sections.section_id("weekend")
    main_titles = [slot.headline for slot in two_sections.sections.layout(weekend_id).slots]
    assert headlines(folder / "variants" / "main.html") == main_titles
    assert len(headlines(folder / "variants" / "sunday.html")) == 1
    # The section without variants gets none, at the root or anywhere else.
    assert not (out / "variants").exists() and not (out / "schedule.json").exists()
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("schedule.json")) == [
        f"{FOLDER}/schedule.json"
    ]

    schedule = json.loads((folder / "schedule.json").read_text(encoding="utf-8"))
    assert schedule["section"] == "weekend" and schedule["index"] == "Saturday"
    assert schedule["as_of"] == "2026-12-12T09:00:00Z"
    assert schedule["main"]["file"] == "variants/main.html"  # relative to schedule.json's folder
    assert [(v["name"], v["start"], v["end"], v["file"]) for v in schedule["variants"]] == [
        ("Saturday", "2026-12-12T00:00:00Z", "2026-12-13T00:00:00Z", "variants/saturday.html"),
        ("Sunday", "2026-12-13T00:00:00Z", None, "variants/sunday.html"),
    ]
    manifest = manifest_of(out)
    files = dict(manifest["files"])  # type: ignore[call-overload]
    for entry in (schedule["main"], *schedule["variants"]):
        digest = hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest()
        assert entry["checksum"] == f"sha256:{digest}"
        assert files[f"{FOLDER}/{entry['file']}"] == digest  # the one manifest lists it from the root
    assert (
        files[f"{FOLDER}/schedule.json"]
        == hashlib.sha256((folder / "schedule.json").read_bytes()).hexdigest()
    )
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} == set(files)
    entries = {e["slug"]: e for e in manifest["sections"]}  # type: ignore[attr-defined]
    assert entries["weekend"]["schedule"] == f"{FOLDER}/schedule.json"
    assert "schedule" not in entries["central-asia"]


def test_every_link_of_a_variant_page_resolves_from_its_folder(
    two_sections: Services, tmp_path: Path
) -> None:
    out = tmp_path / "bundle"
    export_all(two_sections.exports, out, as_of=SAT)
    for page in variant_pages(out):
        targets = hrefs(page)
        assert any(t.startswith("../../../stories/") for t in targets), page  # three folders up
        assert any(t.startswith("../../../images/") for t in targets), page
        for target in targets:
            assert (page.parent / target).resolve().is_file(), (page.name, target)
    # The sections' navigation leads to both fronts from a variant page too.
    saturday = (out / FOLDER / "variants" / "saturday.html").read_text(encoding="utf-8")
    assert 'href="../../../index.html"' in saturday
    assert 'href="../../../sections/weekend/index.html"' in saturday


def test_the_first_sections_variants_sit_at_the_root_as_in_a_one_section_export(
    two_sections: Services, tmp_path: Path
) -> None:
    main_id = two_sections.section_id()
    two_sections.variants.add(main_id, Window("Late", SAT), copy_from=MAIN)
    out = tmp_path / "bundle"
    export_all(two_sections.exports, out, as_of=SAT)
    assert sorted(p.name for p in (out / "variants").glob("*.html")) == ["late.html", "main.html"]
    assert json.loads((out / "schedule.json").read_text(encoding="utf-8"))["section"] == "central-asia"
    assert (out / FOLDER / "schedule.json").is_file()
    entries = {e["slug"]: e for e in manifest_of(out)["sections"]}  # type: ignore[attr-defined]
    assert entries["central-asia"]["schedule"] == "schedule.json"
    for page in (out / "variants").glob("*.html"):
        for target in hrefs(page):
            assert (page.parent / target).resolve().is_file(), (page.name, target)


def test_same_input_same_bytes(
    two_sections: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(SAT.timestamp()) + 3600))
    first, second = tmp_path / "one", tmp_path / "two"
    export_all(two_sections.exports, first)
    export_all(two_sections.exports, second, full=True)
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert Path(FOLDER, "schedule.json") in names
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_removed_variant_leaves_no_stale_page_on_re_export(two_sections: Services, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    export_all(two_sections.exports, out, as_of=SAT)
    weekend_id = two_sections.section_id("weekend")
    two_sections.variants.remove(weekend_id, two_sections.variants.find(weekend_id, "sunday").id)
    export_all(two_sections.exports, out, as_of=SAT)
    assert [p.name for p in variant_pages(out)] == ["main.html", "saturday.html"]
    schedule = json.loads((out / FOLDER / "schedule.json").read_text(encoding="utf-8"))
    assert [v["name"] for v in schedule["variants"]] == ["Saturday"]
    assert not any("sunday" in path for path in dict(manifest_of(out)["files"]))  # type: ignore[call-overload]
    two_sections.variants.remove(weekend_id, two_sections.variants.find(weekend_id, "saturday").id)
    export_all(two_sections.exports, out, as_of=SAT)  # no variants left: no folder, no schedule
    assert not (out / FOLDER / "variants").exists() and not (out / FOLDER / "schedule.json").exists()
    assert "schedule" not in manifest_of(out)["sections"][1]  # type: ignore[index]


def test_cli_all_as_of(two_sections: Services, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    assert run_cli(two_sections, "export", str(out), "--all", "--as-of", "2026-12-12T10:00+00:00") == 0
    schedule = json.loads((out / FOLDER / "schedule.json").read_text(encoding="utf-8"))
    assert schedule["index"] == "Saturday"
    assert set(dict(manifest_of(out)["files"])) >= {f"{FOLDER}/schedule.json", f"{FOLDER}/variants/main.html"}  # type: ignore[call-overload]


def test_the_variant_pages_of_an_all_bundle_validate(two_sections: Services, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    export_all(two_sections.exports, out, as_of=SAT)
    messages = run_vnu([*variant_pages(out), out / FOLDER / "index.html"])
    assert messages == [], "the Nu HTML checker reports:\n" + describe(messages, out.resolve())
