"""The crop geometry shared by the export and the editor."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_editor.domain.crop import CARD_ASPECT, crop_box, crop_size, focus_within_box, normalised_focus

sides = st.integers(min_value=1, max_value=12_000)
aspects = st.tuples(st.integers(1, 32), st.integers(1, 32))
fractions = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
foci = st.none() | st.tuples(fractions, fractions)


@given(sides, sides, aspects, foci)
def test_the_box_lies_inside_the_image_and_has_the_aspect(width, height, aspect, focus):
    left, top, right, bottom = crop_box(width, height, aspect, focus)
    assert 0 <= left < right <= width
    assert 0 <= top < bottom <= height
    box_w, box_h = right - left, bottom - top
    aw, ah = aspect
    # Right aspect within one pixel (both sides are whole pixels), unless the image is too thin for it.
    if box_w > 1 and box_h > 1:
        assert abs(box_w * ah / aw - box_h) <= 1 or abs(box_h * aw / ah - box_w) <= 1
    # Largest: it spans the image one way.
    assert box_w == width or box_h == height


@given(sides, sides, aspects, st.tuples(fractions, fractions))
def test_the_box_contains_the_focus_and_is_centred_on_it_unless_at_an_edge(width, height, aspect, focus):
    left, top, right, bottom = crop_box(width, height, aspect, focus)
    fx, fy = focus[0] * width, focus[1] * height
    assert left <= fx <= right
    assert top <= fy <= bottom
    if left > 0 and right < width:
        assert abs((left + right) / 2 - fx) <= 0.5
    if top > 0 and bottom < height:
        assert abs((top + bottom) / 2 - fy) <= 0.5


@given(sides, sides, aspects, foci)
def test_the_same_input_gives_the_same_box(width, height, aspect, focus):
    assert crop_box(width, height, aspect, focus) == crop_box(width, height, aspect, focus)


def test_a_camera_frame_keeps_its_width_and_moves_down_to_a_low_face():
    # 4000×3000 (4:3) cut to 16:9 is 4000×2250; a face at 90 % of the height puts the box at the bottom.
    assert crop_box(4000, 3000, CARD_ASPECT, (0.5, 0.9)) == (0, 750, 4000, 3000)
    assert crop_box(4000, 3000, CARD_ASPECT, None) == (0, 375, 4000, 2625)
    assert crop_box(4000, 3000, CARD_ASPECT, (0.5, 0.0)) == (0, 0, 4000, 2250)


def test_a_portrait_keeps_its_width_and_a_panorama_its_height():
    assert crop_size(3000, 4000, CARD_ASPECT) == (3000, 1688)
    assert crop_box(8000, 1000, CARD_ASPECT, (0.0, 0.5)) == (0, 0, 1778, 1000)
    assert crop_box(8000, 1000, CARD_ASPECT, (1.0, 0.5)) == (6222, 0, 8000, 1000)


def test_a_one_pixel_image_is_its_own_crop():
    assert crop_box(1, 1, CARD_ASPECT, (0.3, 0.7)) == (0, 0, 1, 1)


def test_out_of_range_and_damaged_foci_are_clamped_or_centred():
    assert normalised_focus((-1.0, 2.0)) == (0.0, 1.0)
    assert normalised_focus((float("nan"), 0.2)) == (0.5, 0.5)
    assert normalised_focus(None) == (0.5, 0.5)


def test_the_focus_inside_the_box_for_drawing():
    box = crop_box(4000, 3000, CARD_ASPECT, (0.5, 0.9))
    assert focus_within_box((0.5, 0.9), 4000, 3000, box) == pytest.approx((0.5, (2700 - 750) / 2250))


@pytest.mark.parametrize(("width", "height", "aspect"), [(0, 10, (16, 9)), (10, 10, (0, 9))])
def test_nonsense_sizes_are_refused(width, height, aspect):
    with pytest.raises(ValueError):
        crop_size(width, height, aspect)
