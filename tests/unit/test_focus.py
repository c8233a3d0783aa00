"""Focal points as values: clamping, validation, parsing and how a person reads them (issue 17)."""

from __future__ import annotations

import math

import pytest

from ca_editor.domain.focus import clamp_focus, focus_error, format_focus, parse_focus
from ca_editor.domain.model import ImageAsset, Story, StoryFields
from ca_editor.domain.validation import validate_story


def test_clamp_keeps_the_point_inside_and_rounds_to_a_thousandth() -> None:
    assert clamp_focus(-0.2, 1.7) == (0.0, 1.0)
    assert clamp_focus(0.123456, 0.987654) == (0.123, 0.988)


@pytest.mark.parametrize(
    ("focus", "problem"),
    [
        (None, None),
        ((0.0, 1.0), None),
        ((0.5, 1.01), "inside the image"),
        ((-0.1, 0.5), "inside the image"),
        ((math.nan, 0.5), "two numbers"),
        ((math.inf, 0.5), "two numbers"),
    ],
)
def test_focus_error(focus: tuple[float, float] | None, problem: str | None) -> None:
    found = focus_error(focus)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_parse_and_format() -> None:
    assert parse_focus("0.3,0.4") == (0.3, 0.4)
    assert parse_focus(" 0.3 0.4 ") == (0.3, 0.4)
    assert parse_focus("") is None
    for bad in ("0.3", "1,2,3", "a,b", "1.5,0.2"):
        with pytest.raises(ValueError):
            parse_focus(bad)
    assert format_focus(None) == "centre"
    assert format_focus((0.3, 0.255)) == "30% across, 26% down"


def test_the_focus_travels_with_the_story_fields_and_is_validated() -> None:
    asset = ImageAsset("a" * 64, "image/png", 1200, 800, 1000)
    fields = StoryFields(title="T", image_sha256=asset.sha256, image_alt="A", image_focus=(0.2, 0.8))
    story = Story.from_fields(fields, story_id=1, image=asset, version=1, created_at=None, updated_at=None)  # type: ignore[arg-type]
    assert story.image is not None and story.image.focus == (0.2, 0.8)
    assert story.fields() == fields
    outside = StoryFields(title="T", image_sha256=asset.sha256, image_alt="A", image_focus=(2.0, 0.5))
    assert [p.field for p in validate_story(outside)] == ["image_focus"]
