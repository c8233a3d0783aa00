"""``ca-editor variant …`` on both engines: add, list, set, remove, JSON Lines out and in, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ca_editor.cli import main
from ca_editor.services.container import Services


def db_of(services: Services) -> str:
    return services.db.engine.url.render_as_string(hide_password=False)


def run(services: Services, *args: str) -> int:
    return main(["variant", *args, "--db", db_of(services)])


def test_add_list_set_remove(services: Services, capsys: pytest.CaptureFixture[str]) -> None:
    slug = services.sections.layout(services.section_id()).section.slug
    start = ["--start", "2026-12-12T00:00Z", "--end", "2026-12-14T00:00Z"]
    assert run(services, "add", slug, "Weekend", *start, "--copy-from", "main") == 0
    out = capsys.readouterr().out
    assert (
        "added: 'Weekend' from 12 December 2026" in out
        and "8 slot(s) filled, page variants/weekend.html" in out
    )
    assert run(services, "add", slug, "Election night", "--start", "2026-12-14T18:00Z") == 0
    capsys.readouterr()

    assert run(services, "list", slug, "--days", "3") == 0
    listed = capsys.readouterr().out
    assert "'Weekend' from" in listed and "'Election night' from" in listed and "open-ended" in listed
    assert "live now: main" in listed

    assert (
        run(services, "set", slug, "weekend", "--rename", "Long weekend", "--end", "2026-12-14T12:00Z") == 0
    )
    assert "'Long weekend'" in capsys.readouterr().out
    # Moving the end past the election's start overlaps it: refused, named.
    assert run(services, "set", slug, "long weekend", "--end", "2026-12-15T00:00Z") == 1
    assert "overlaps 'Election night'" in capsys.readouterr().err

    assert run(services, "remove", slug, "election night") == 0
    assert "removed variant 'Election night'" in capsys.readouterr().out
    assert [v.name for v in services.variants.variants(services.section_id())] == ["Long weekend"]


def test_refusals_are_clear(services: Services, capsys: pytest.CaptureFixture[str]) -> None:
    slug = services.sections.layout(services.section_id()).section.slug
    with pytest.raises(SystemExit):
        run(services, "add", slug, "Weekend", "--start", "Saturday")
    assert "'Saturday' is not a date and time such as 2026-12-12 18:00" in capsys.readouterr().err
    assert run(services, "add", slug, "Weekend", "--start", "2026-12-12", "--end", "2026-12-11") == 1
    assert "the end must come after the start" in capsys.readouterr().err
    assert run(services, "remove", slug, "Nowhere") == 1
    assert "the section has no variant 'Nowhere' (its variants: none)" in capsys.readouterr().err
    assert run(services, "add", "no-such-section", "Weekend", "--start", "2026-12-12") == 1
    assert capsys.readouterr().err.startswith("ca-editor:")


def test_slots_out_and_back_in(
    services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slug = services.sections.layout(services.section_id()).section.slug
    assert run(services, "add", slug, "Weekend", "--start", "2026-12-12T00:00Z", "--copy-from", "main") == 0
    capsys.readouterr()
    assert run(services, "slots", slug, "weekend", "--export", "-") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 8 and all(set(json.loads(line)) == {"story"} for line in lines)

    edited = [json.loads(line) for line in reversed(lines[:3])]
    edited[0]["headline"] = "Weekend: the long read"
    source = tmp_path / "weekend.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in edited) + "\n", encoding="utf-8")
    assert run(services, "slots", slug, "weekend", "--import", str(source)) == 0
    assert "the layout 'weekend' now holds 3 of 8 slot(s)" in capsys.readouterr().out
    variant = services.variants.find(services.section_id(), "weekend")
    layout = services.sections.layout(services.section_id(), variant.id)
    assert [s.story.slug for s in layout.slots] == [r["story"] for r in edited]
    assert layout.slots[0].headline == "Weekend: the long read"
    assert run(services, "slots", slug, "main", "--export", str(tmp_path / "main.jsonl")) == 0
    assert len((tmp_path / "main.jsonl").read_text(encoding="utf-8").splitlines()) == 8

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"story": "no-such-story"}\n[1]\n{"story": "x", "colour": "red"}\n', encoding="utf-8")
    assert run(services, "slots", slug, "weekend", "--import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "line 1: no story has the slug 'no-such-story'" in err
    assert "line 2: is not a JSON object" in err and "line 3: has unknown key(s) colour" in err
    assert len(services.sections.layout(services.section_id(), variant.id).slots) == 3  # nothing written


def test_check_a_variants_block(services: Services, capsys: pytest.CaptureFixture[str]) -> None:
    slug = services.sections.layout(services.section_id()).section.slug
    weekend = ["--start", "2026-12-12T00:00Z", "--end", "2026-12-14T00:00Z", "--copy-from", "main"]
    assert run(services, "add", slug, "Weekend", *weekend) == 0
    assert run(services, "add", slug, "Election", "--start", "2026-12-14T18:00Z") == 0
    capsys.readouterr()
    assert main(["check", "--variant", "weekend", "--db", db_of(services)]) == 0
    assert main(["check", "--variant", "election", "--db", db_of(services)]) == 1
    assert "slot 1: the slot is empty" in capsys.readouterr().out
