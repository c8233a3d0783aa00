"""Import inputs found in review: repeats within one file, odd encodings, odd characters, odd dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests import db_query, layout_steps

from ca_editor.domain.errors import ImportFailedError, ValidationError
from ca_editor.domain.model import SlotOverrides, StoryFields
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery


def _write(path: Path, *records: dict[str, object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _bodies(services: Services) -> dict[str, str]:
    return {s.slug: services.stories.get(s.id).body for s in services.stories.list(StoryQuery(limit=None))}


def test_two_lines_with_the_same_title_and_no_slug_make_two_stories(empty_services, tmp_path) -> None:
    feed = _write(
        tmp_path / "briefings.jsonl",
        {"title": "Daily briefing", "body": "Monday's briefing"},
        {"title": "Daily briefing", "body": "Tuesday's briefing"},
    )

    report = empty_services.imports.import_jsonl(feed)

    assert len(report.created) == 2 and not report.updated
    assert sorted(_bodies(empty_services).values()) == ["Monday's briefing", "Tuesday's briefing"]


def test_an_explicit_slug_that_an_earlier_line_took_names_both_lines(empty_services, tmp_path) -> None:
    feed = _write(
        tmp_path / "clash.jsonl",
        {"title": "Astana summit", "body": "story A"},
        {"title": "Another story", "slug": "astana-summit", "body": "story B"},
    )

    with pytest.raises(ImportFailedError) as caught:
        empty_services.imports.import_jsonl(feed)

    assert (caught.value.line, caught.value.field) == (2, "slug")
    assert "line 1" in str(caught.value)
    assert empty_services.stories.count() == 0


def test_a_byte_order_mark_at_the_start_is_accepted(empty_services, tmp_path) -> None:
    feed = tmp_path / "bom.jsonl"
    feed.write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": "With BOM"}).encode() + b"\n")

    assert empty_services.imports.import_jsonl(feed).created


def test_deeply_nested_json_is_refused_with_its_line(empty_services, tmp_path) -> None:
    feed = tmp_path / "deep.jsonl"
    feed.write_text(json.dumps({"title": "fine"}) + "\n" + "[" * 100_000 + "\n")

    with pytest.raises(ImportFailedError) as caught:
        empty_services.imports.import_jsonl(feed)

    assert caught.value.line == 2
    assert empty_services.stories.count() == 0


@pytest.mark.parametrize("field", ["title", "summary", "body", "byline", "tags"])
@pytest.mark.parametrize("character", ["\ud800", "\x0b", "\x07", "\ufffe", "\x85"])
def test_unprintable_characters_are_refused_naming_the_field(
    empty_services, tmp_path, field, character
) -> None:
    record: dict[str, object] = {"title": "Clean title"}
    record[field] = [f"ta{character}g"] if field == "tags" else f"text{character}more"
    feed = tmp_path / "odd.jsonl"
    # ensure_ascii keeps a lone surrogate writable as the \\ud800 escape a feed would carry
    feed.write_text(json.dumps({"title": "ok line"}) + "\n" + json.dumps(record) + "\n")

    with pytest.raises(ImportFailedError) as caught:
        empty_services.imports.import_jsonl(feed)

    assert (caught.value.line, caught.value.field) == (2, field)
    assert empty_services.stories.count() == 0


def test_the_same_image_on_many_lines_is_read_once_and_stored_once(empty_services, tmp_path) -> None:
    from PIL import Image

    Image.new("RGB", (40, 30), (10, 120, 90)).save(tmp_path / "one.png")
    feed = _write(
        tmp_path / "many.jsonl",
        *({"title": f"Story {n}", "image": "one.png", "image_alt": "a green field"} for n in range(25)),
    )

    empty_services.imports.import_jsonl(feed)

    assert db_query.scalar(empty_services, "SELECT count(*) FROM assets") == 1


@pytest.mark.parametrize(
    ("when", "reason"),
    [
        (datetime(2024, 5, 20, 9, 0), "time zone"),  # naive
        (datetime(1, 1, 1, tzinfo=UTC), "outside"),
    ],
)
def test_the_service_refuses_dates_a_page_cannot_show(empty_services, when, reason) -> None:
    with pytest.raises(ValidationError) as caught:
        empty_services.stories.create(StoryFields(title="Dated", published_at=when))

    assert caught.value.problems[0].field == "published_at"
    assert reason in str(caught.value)


def test_slot_overrides_refuse_control_characters_and_leave_the_slot_alone(services) -> None:
    section_id = services.section_id()
    slot = services.sections.layout(section_id).slots[0]

    with pytest.raises(ValidationError) as caught:
        layout_steps.set_overrides(services, section_id, slot.id, SlotOverrides(headline="Head\x00line"))

    assert caught.value.problems[0].field == "headline"
    assert services.sections.layout(section_id).slots[0].headline == slot.headline
