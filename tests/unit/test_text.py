"""The one way to shorten text for display: white space, exact length, the ellipsis, word boundaries."""

from __future__ import annotations

import pytest

from ca_editor.domain.text import ELLIPSIS, collapse_spaces, shorten


def test_a_text_that_fits_comes_back_on_one_line() -> None:
    assert shorten("Bishkek water talks", 40) == "Bishkek water talks"
    assert shorten("  Two\n\tlines  of   text \n", 40) == "Two lines of text"
    assert shorten("x" * 40, 40) == "x" * 40  # exactly the limit: not cut
    assert shorten(None, 10) == "" and shorten("", 10) == ""


def test_a_longer_text_is_cut_to_exactly_the_limit_ending_in_the_ellipsis() -> None:
    assert shorten("x" * 60, 50) == "x" * 49 + ELLIPSIS
    assert len(shorten("x" * 60, 50)) == 50
    assert shorten("Tajikistan tense amid arrests", 12) == "Tajikistan " + ELLIPSIS  # mid-text, as cut
    assert shorten("abc", 1) == ELLIPSIS
    assert ELLIPSIS == "\u2026"  # one character, not three dots


def test_the_length_counts_after_white_space_is_collapsed() -> None:
    assert shorten("a     b     c", 5) == "a b c"


def test_no_break_spaces_are_kept() -> None:
    assert shorten("10\u00a0km  away", 40) == "10\u00a0km away"
    assert collapse_spaces(" Café\u00a0du coin\u202f: \n ok ") == "Café\u00a0du coin\u202f: ok"


def test_at_word_keeps_whole_words_and_drops_the_punctuation_before_the_ellipsis() -> None:
    assert shorten("Talks, then more talks", 10, at_word=True) == "Talks" + ELLIPSIS
    assert shorten("Talks, then more talks", 12, at_word=True) == "Talks, then" + ELLIPSIS
    assert shorten("Hello world again", 12, at_word=True) == "Hello world" + ELLIPSIS  # a whole word fits
    assert shorten("Hello world again", 11, at_word=True) == "Hello" + ELLIPSIS
    assert shorten("Hello world", 40, at_word=True) == "Hello world"


def test_at_word_with_no_space_to_cut_at_cuts_mid_word() -> None:
    assert shorten("Supercalifragilistic words", 8, at_word=True) == "Superca" + ELLIPSIS
    assert shorten("..... .....", 8, at_word=True) == "..... ." + ELLIPSIS  # nothing left but punctuation


@pytest.mark.parametrize("limit", range(1, 30))
def test_never_longer_than_the_limit(limit: int) -> None:
    text = "Kazakh  wheat, rail and the\nsummit: what the talks in Astana mean"
    for at_word in (False, True):
        assert len(shorten(text, limit, at_word=at_word)) <= limit


def test_a_limit_below_one_is_a_mistake() -> None:
    with pytest.raises(ValueError):
        shorten("text", 0)
