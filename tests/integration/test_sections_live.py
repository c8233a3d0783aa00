"""Several sections in one desk: ``section archive`` / ``unarchive`` and ``export OUT --all``.

``--all`` writes one bundle: the first live section at ``index.html``, the others at
``sections/<slug>/index.html``, sharing story, archive and image files, with one manifest over them all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from tests.integration.test_html_validity import describe, run_vnu

from ca_editor import cli
from ca_editor.domain.errors import ValidationError
from ca_editor.domain.model import SlotEntry
from ca_editor.domain.section_settings import SectionSettings
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services
from ca_editor.services.export_all import export_all


def weekend(services: Services, count: int = 3) -> list[int]:
    """A second section, ``weekend``, holding the demo block's last ``count`` stories, last first."""
    main = services.sections.sections()[0]
    chosen = [slot.story.id for slot in services.sections.layout(main.id).slots][::-1][:count]
    section = services.section_settings.create(
        SectionSettings("weekend", "The weekend page", slot_count=count)
    )
    services.sections.replace_slots(section.id, [SlotEntry(story_id) for story_id in chosen])
    return chosen


def run_cli(services: Services, *argv: str) -> int:
    """The command line on the test's own database (either engine)."""
    return cli.main(["--db", str(services.db.url), *argv])


def test_an_archived_section_is_kept_listed_as_archived_and_can_come_back(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = weekend(services)
    assert run_cli(services, "section", "archive", "weekend") == 0
    assert run_cli(services, "section", "list") == 0
    listed = capsys.readouterr().out.splitlines()
    line = next(line for line in listed if line.startswith("weekend:"))
    assert line.endswith(", archived")
    assert not next(line for line in listed if line.startswith("central-asia:")).endswith("archived")
    archived = services.section_settings.by_slug("weekend")
    assert archived.archived
    assert list(services.sections.layout(archived.id).story_ids()) == chosen  # kept with its block
    assert [s.slug for s in services.sections.live_sections()] == ["central-asia"]
    assert run_cli(services, "section", "unarchive", "weekend") == 0
    assert not services.section_settings.by_slug("weekend").archived


def test_the_last_live_section_cannot_be_archived(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ValidationError, match="only live section"):
        services.section_settings.archive("central-asia")
    assert run_cli(services, "section", "archive", "central-asia") != 0
    assert "only live section" in capsys.readouterr().err
    weekend(services)
    services.section_settings.archive("central-asia")  # another is live now
    assert services.section_id() == services.section_settings.by_slug("weekend").id  # the first live one


def hrefs(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return set(re.findall(r'(?:href|src)="([^"#]+)"', text)) | {
        part.split(" ")[0] for found in re.findall(r'srcset="([^"]+)"', text) for part in found.split(", ")
    }


def test_export_all_writes_every_live_section_sharing_one_set_of_pages(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    chosen = weekend(services)
    services.section_settings.create(SectionSettings("old-desk", "An archived page", slot_count=1))
    services.section_settings.archive("old-desk")
    out = tmp_path / "bundle"
    assert run_cli(services, "export", str(out), "--all") == 0
    said = capsys.readouterr().out
    assert "section weekend: sections/weekend/index.html" in said
    front = out / "sections" / "weekend" / "index.html"
    assert (out / "index.html").is_file() and front.is_file()
    assert not (out / "sections" / "old-desk").exists()  # archived: not live, not exported
    # Every link and picture of the weekend page resolves from its own folder, to the shared files.
    for target in hrefs(front):
        assert (front.parent / target).resolve().is_file(), target
    slugs = {services.stories.get(story_id).slug for story_id in chosen}
    linked = {Path(t).stem for t in hrefs(front) if "/stories/" in t}
    assert slugs <= linked
    assert not list((out / "sections").rglob("stories"))  # one set of story pages, at the root
    # The sections' navigation on both fronts; the main one links to the weekend page and back.
    assert 'href="sections/weekend/index.html"' in (out / "index.html").read_text(encoding="utf-8")
    assert 'href="../../index.html"' in front.read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    pages = {entry["slug"]: entry["page"] for entry in manifest["sections"]}
    assert pages == {"central-asia": "index.html", "weekend": "sections/weekend/index.html"}
    weekend_entry = next(e for e in manifest["sections"] if e["slug"] == "weekend")
    assert [c["story"] for c in weekend_entry["editors_choice"]] == [
        services.stories.get(i).slug for i in chosen
    ]
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk - {"manifest.json"} <= set(manifest["files"])  # one manifest covers every file
    assert "sections/weekend/index.html" in manifest["page_inputs"]
    # Each live section got its EXPORT snapshot (its review window and layout history show the export).
    for slug in ("central-asia", "weekend"):
        section_id = services.section_id(slug)
        assert services.snapshots.latest(section_id, SnapshotKind.EXPORT) is not None


def test_an_all_bundle_validates(services: Services, tmp_path: Path) -> None:
    weekend(services)
    out = tmp_path / "bundle"
    export_all(services.exports, out)
    pages = [out / "index.html", out / "sections" / "weekend" / "index.html"]
    pages += sorted((out / "stories").glob("*.html"))[:2] + sorted((out / "archive").glob("*.html"))[:1]
    messages = run_vnu(pages)
    assert messages == [], "the Nu HTML checker reports:\n" + describe(messages, out.resolve())


def files_of(out: Path) -> dict[str, str]:
    return dict(json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"])


def test_a_second_all_export_is_the_same_bytes_and_follows_a_change_in_either_section(
    services: Services, tmp_path: Path
) -> None:
    chosen = weekend(services)
    out = tmp_path / "bundle"
    export_all(services.exports, out)
    files = files_of(out)
    export_all(services.exports, out)
    assert files_of(out) == files  # the same bundle (unchanged pages linked, not rendered)
    weekend_id = services.section_id("weekend")
    services.sections.replace_slots(weekend_id, [SlotEntry(i) for i in (chosen[1], chosen[0], chosen[2])])
    export_all(services.exports, out)
    moved = files_of(out)
    changed = {path for path, digest in moved.items() if files.get(path) != digest}
    assert changed == {"sections/weekend/index.html"}  # only the weekend front shows that block
    full = tmp_path / "full"
    export_all(services.exports, full, full=True)
    assert files_of(full) == moved
    # A one-section export into the same folder builds that section's bundle: no weekend page left over.
    services.exports.export(services.section_id("central-asia"), out)
    assert "sections/weekend/index.html" not in files_of(out)
    assert not (out / "sections").exists()


@pytest.mark.sqlite_only  # the "up to date" answer reads the SQLite file directly (export_uptodate)
def test_export_without_a_section_writes_the_first_live_one_and_knows_when_it_is_up_to_date(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    weekend(services)
    services.section_settings.archive("central-asia")
    out = tmp_path / "bundle"
    assert run_cli(services, "export", str(out)) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["section"] == "weekend"
    capsys.readouterr()
    assert run_cli(services, "export", str(out)) == 0
    assert "is up to date" in capsys.readouterr().out
