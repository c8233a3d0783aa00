"""Text made fit to show in one line: the app's one way to shorten a title, a note or a path for display.

``shorten(text, limit)`` is what every menu entry, undo step, message, checklist finding and import note
uses, so a long title reads alike wherever it appears:

- White space runs (line breaks, tabs, doubled spaces) become one space, and the ends are trimmed. The
  no-break spaces are kept: a writer put them there to keep "10 km" or "Café du coin :" together.
- A text of at most ``limit`` characters comes back as it is (after that).
- A longer one is cut to exactly ``limit`` characters, the last being "…" (the ellipsis counts).
- ``at_word=True`` keeps whole words only: it cuts at the last space that fits, dropping the spaces and
  punctuation left before the "…" ("Talks, then more" → "Talks…", not "Talks,…" or "Talks, th…"); the
  result is then at most ``limit`` characters. A text with no space to cut at is cut mid-word.

Pixel-width eliding of laid-out text (``QFontMetrics.elidedText`` in ``ui/slots/rows.py`` and
``ui/sheet/render.py``) is a different thing, measured in pixels of a font, and stays in the ui layer.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

_SPACES = re.compile(r"[^\S\u00a0\u2007\u202f]+")  # white space except the no-break spaces
_LEFT_BEFORE_ELLIPSIS = " ,;:."


def collapse_spaces(text: str) -> str:
    """Runs of white space as one space, ends trimmed; a no-break space (``&nbsp;``) is meant: kept."""
    return _SPACES.sub(" ", text).strip()


def shorten(text: str | None, limit: int, *, at_word: bool = False) -> str:
    """``text`` on one line of at most ``limit`` characters, ending in "…" when cut (see the module)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    line = collapse_spaces(text or "")
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if at_word:
        ends_mid_word = line[limit - 1] != " "
        kept = cut[: cut.rindex(" ")] if ends_mid_word and " " in cut else cut
        cut = kept.rstrip(_LEFT_BEFORE_ELLIPSIS) or cut
    return cut + ELLIPSIS
