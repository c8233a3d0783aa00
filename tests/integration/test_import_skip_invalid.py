"""A 500-story wire file with 3 bad lines: nothing by default, the 497 good ones with ``--skip-invalid``.

The bad lines are those a wire really sends: a tag with a control character, a 70-character tag and a
date nobody can read. Every one is named with its line, field and reason, both when the import refuses
and when it leaves them out; the good ones go in one transaction.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests import db_query

from ca_editor import cli
from ca_editor.domain.errors import ImportFailedError
from ca_editor.services.container import Services

BAD = {
    17: ("tags", {"tags": ["Kazakh\x07stan"]}, "control character (U+0007)"),
    240: ("tags", {"tags": ["x" * 70]}, "each tag must be 1–60 characters"),
    411: ("published_at", {"published_at": "the day after tomorrow"}, "not a date"),
}


def wire_file(path: Path, count: int = 500) -> Path:
    lines = []
    for n in range(1, count + 1):
        story = {
            "title": f"Wire story {n}",
            "slug": f"wire-story-{n}",
            "body": f"Body of story {n}.",
            "tags": ["Kazakhstan"],
            "published_at": "2026-11-27T09:00:00Z",
        }
        if n in BAD:
            story.update(BAD[n][1])
        lines.append(json.dumps(story))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def wire_slugs(db_url: str) -> set[str]:
    return {
        slug for (slug,) in db_query.rows(db_url, "SELECT slug FROM stories WHERE slug LIKE 'wire-story-%'")
    }


def assert_lists_every_bad_line(text: str) -> None:
    for number, (field, _, reason) in BAD.items():
        listed = [row for row in text.splitlines() if f"wire.jsonl, line {number}, field '{field}':" in row]
        assert len(listed) == 1, text
        assert reason in listed[0]


def test_by_default_three_bad_lines_import_nothing_and_all_three_are_named(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = wire_file(tmp_path / "wire.jsonl")
    assert cli.main(["--db", db_url, "import", str(source)]) == 1
    captured = capsys.readouterr()
    assert "3 of 500 entries are invalid; nothing was imported" in captured.err
    assert_lists_every_bad_line(captured.err)
    assert "import the other 497 with --skip-invalid" in captured.err
    assert "created" not in captured.out
    assert wire_slugs(db_url) == set()


def test_skip_invalid_imports_the_497_good_lines_and_lists_the_3_bad_ones(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = wire_file(tmp_path / "wire.jsonl")
    assert cli.main(["--db", db_url, "import", str(source), "--skip-invalid"]) == 0
    out = capsys.readouterr().out
    assert "wire.jsonl: 497 created, 0 updated, 0 skipped, 3 invalid left out" in out
    assert "3 invalid entries left out:" in out
    assert_lists_every_bad_line(out)
    expected = {f"wire-story-{n}" for n in range(1, 501) if n not in BAD}
    assert wire_slugs(db_url) == expected


def test_dry_run_with_skip_invalid_prints_the_plan_and_writes_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = wire_file(tmp_path / "wire.jsonl")
    argv = ["--db", db_url, "import", "--dry-run", "--skip-invalid", str(source)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "wire.jsonl (JSON Lines): 497 to add, 0 to update, 0 skipped, 3 invalid" in out
    assert "  add     line 1  -> wire-story-1: new story" in out
    assert "line 17  ->" not in out  # an invalid line is not planned
    assert "3 invalid entries would be left out:" in out
    assert_lists_every_bad_line(out)
    assert wire_slugs(db_url) == set()


def test_skip_invalid_with_no_valid_line_imports_nothing_and_says_so(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "wire.jsonl"
    source.write_text(json.dumps({"title": "x", "tags": ["y" * 70]}) + "\n", encoding="utf-8")
    assert cli.main(["--db", db_url, "import", "--skip-invalid", str(source)]) == 1
    err = capsys.readouterr().err
    assert "1 of 1 entries is invalid; nothing was imported" in err
    assert "wire.jsonl, line 1, field 'tags'" in err
    assert "--skip-invalid" not in err  # it was given; nothing is left to import


def test_the_service_refusal_names_the_first_bad_line_and_counts_the_rest(
    services: Services, tmp_path: Path
) -> None:
    source = wire_file(tmp_path / "wire.jsonl")
    with pytest.raises(ImportFailedError) as caught:
        services.imports.import_path(source)
    assert (caught.value.line, caught.value.field) == (17, "tags")
    assert "3 entries are invalid in all; skipping them would import the other 497" in str(caught.value)
    report = services.imports.import_path(source, skip_invalid=True)
    assert len(report.created) == 497
    assert [(e.number, e.field) for e in report.invalid] == [
        (17, "tags"),
        (240, "tags"),
        (411, "published_at"),
    ]


def test_a_feed_with_a_bad_entry_skips_it_by_entry_number(services: Services, tmp_path: Path) -> None:
    items = "".join(
        f"<item><title>Feed story {n}</title><guid>f{n}</guid><pubDate>{date}</pubDate></item>"
        for n, date in enumerate(["2026-11-27", "03/04/2026", "2026-11-28"], start=1)
    )
    feed = tmp_path / "wire.xml"
    feed.write_text(f'<rss version="2.0"><channel><title>W</title>{items}</channel></rss>', encoding="utf-8")
    plan = services.imports.preview(feed, skip_invalid=True)
    assert plan.summary() == "2 to add, 0 to update, 0 skipped, 1 invalid"
    (invalid,) = plan.source.invalid
    assert str(invalid).startswith("wire.xml, entry 2 'Feed story 2', field 'published_at': ")
    with pytest.raises(ImportFailedError):
        services.imports.apply(plan)  # the person did not choose to skip it
    report = services.imports.apply(plan, skip_invalid=True)
    assert report.created == ("feed-story-1", "feed-story-3")
