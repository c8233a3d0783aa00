"""Section settings' rules, and the story page's standfirst that a teaser from the body does not repeat."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ca_editor.domain.model import Section
from ca_editor.domain.section_settings import MAX_TEASER_LIMIT, SectionSettings, settings_problems
from ca_editor.export.pages import standfirst

GOOD = SectionSettings("central-asia", "Central Asia", "Stories from the region.", 8, 400)


def fields_of(settings: SectionSettings) -> list[str]:
    return [problem.field for problem in settings_problems(settings)]


def test_good_settings_and_no_teaser_advice_pass() -> None:
    assert settings_problems(GOOD) == []
    assert settings_problems(replace(GOOD, teaser_limit=None)) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "Central Asia"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"description": "a\x0bb"}, "description"),
        ({"slot_count": 0}, "slot_count"),
        ({"slot_count": 49}, "slot_count"),
        ({"teaser_limit": 0}, "teaser_limit"),
        ({"teaser_limit": MAX_TEASER_LIMIT + 1}, "teaser_limit"),
    ],
)
def test_each_bad_setting_is_named(change: dict[str, object], field: str) -> None:
    assert fields_of(replace(GOOD, **change)) == [field]  # type: ignore[arg-type]


def test_settings_of_a_section() -> None:
    section = Section(3, "news", "News", "All of it", 6, 2, None, "", None)
    assert SectionSettings.of(section) == SectionSettings("news", "News", "All of it", 6, None)


BODY = "<p>First paragraph, two sentences. The second.</p>\n<p>Then <em>more</em> &amp; more.</p>"


@pytest.mark.parametrize(
    ("summary", "printed"),
    [
        ("First paragraph, two sentences. The second. Then more & more.", False),  # the whole body
        ("First paragraph, two sentences.", False),  # its opening
        ("First paragraph, two sentences. The second. Then mo\u00a0", False),  # cut mid-word, as sites do
        ("First   paragraph,\ntwo sentences.", False),  # white space differs
        ("A teaser of its own.", True),
        ("Second paragraph first.", True),
        ("", False),
    ],
)
def test_the_standfirst_is_left_out_when_the_body_opens_with_it(summary: str, printed: bool) -> None:
    assert standfirst(summary, BODY) == (summary if printed else "")


def test_a_long_body_is_read_only_as_far_as_the_summary_could_reach() -> None:
    body = "<p>" + "word " * 5_000 + "</p>"
    assert standfirst("word word word", body) == ""
    assert standfirst("word word other", body) == "word word other"
