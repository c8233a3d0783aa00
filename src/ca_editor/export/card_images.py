"""What the section page's card images need: the one place that turns ``style.css`` into pixel numbers.

The front page (``section.html``) shows each slot as a card; the first card is the lead. The numbers below
are the declarations of ``resources/static/style.css`` they come from (``tests/unit/test_card_images.py``
fails when the stylesheet no longer says so):

- ``.wrap { max-width: 72rem; padding: 0 1.25rem }`` with ``box-sizing: border-box``;
- ``.section-layout`` is one column, and from ``960px`` ``minmax(0, 1fr) 16rem`` with ``gap: 2.5rem``;
- ``.cards`` is ``repeat(auto-fill, minmax(15rem, 1fr))`` with ``gap: 2rem 1.75rem`` (row, column);
- ``.card-lead`` spans every column; from ``720px`` its article is ``1fr 1fr`` with ``gap: 1.75rem``;
- ``.card-image { width: 100%; aspect-ratio: 16 / 9; object-fit: cover }``: any other shape is cropped.

An image is wide enough for a slot when it is at least as wide as the card shows it at any viewport
width (CSS pixels at a device pixel ratio of 1), so it is never scaled up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

REM = 16  # px: the browser default; the stylesheet sets no root font size

WRAP_MAX = 72 * REM
WRAP_PADDING = 1.25 * REM
SIDEBAR = 16 * REM
LAYOUT_GAP = 2.5 * REM
SIDEBAR_FROM = 960  # px viewport
CARD_MIN = 15 * REM
CARD_COLUMN_GAP = 1.75 * REM
LEAD_SPLIT_FROM = 720  # px viewport
LEAD_GAP = 1.75 * REM

ASPECT_WIDTH, ASPECT_HEIGHT = 16, 9
RATIO_TOLERANCE = 0.05  # an image within 5 % of 16:9 loses too little to the crop to mention

VIEWPORTS = range(320, 2561)  # the phones-to-wide-desktops range the widths are maximised over


def column_width(viewport: int) -> float:
    """Width of the editor's-choice column (the ``.cards`` grid) at ``viewport`` CSS pixels."""
    content = min(viewport, WRAP_MAX) - 2 * WRAP_PADDING
    if viewport >= SIDEBAR_FROM:
        content -= SIDEBAR + LAYOUT_GAP
    return content


def card_image_width(viewport: int, *, lead: bool) -> float:
    """How wide a card's image is drawn at ``viewport`` CSS pixels."""
    column = column_width(viewport)
    if lead:
        return (column - LEAD_GAP) / 2 if viewport >= LEAD_SPLIT_FROM else column
    per_row = max(1, math.floor((column + CARD_COLUMN_GAP) / (CARD_MIN + CARD_COLUMN_GAP)))
    return (column - (per_row - 1) * CARD_COLUMN_GAP) / per_row


# The ``sizes`` the pages give their pictures, from the same declarations (each at least the width the image
# is drawn at, at every viewport: ``tests/unit/test_card_images.py``), so a browser picks the narrowest
# rendition that is sharp at its device pixel ratio.
LEAD_SIZES = (
    "(min-width: 1152px) 394px, (min-width: 960px) calc(50vw - 182px), "
    "(min-width: 720px) calc(50vw - 34px), calc(100vw - 40px)"
)
OTHER_SIZES = (
    "(min-width: 1152px) 254px, (min-width: 960px) calc(50vw - 182px), "
    "(min-width: 816px) calc(33.34vw - 32px), (min-width: 548px) calc(50vw - 34px), calc(100vw - 40px)"
)
STORY_SIZES = "(min-width: 744px) 704px, calc(100vw - 40px)"  # ``.story { max-width: 44rem }``


@dataclass(frozen=True, slots=True)
class CardImageNeed:
    min_width: int  # px: the widest the card draws its image
    aspect_width: int = ASPECT_WIDTH
    aspect_height: int = ASPECT_HEIGHT

    @property
    def ratio(self) -> float:
        return self.aspect_width / self.aspect_height

    @property
    def min_height(self) -> int:
        return math.ceil(self.min_width / self.ratio)

    def ratio_off_by(self, width: int, height: int) -> float:
        """How far ``width``×``height`` is from the card's shape, as a fraction (0.0 = exactly 16:9)."""
        if width <= 0 or height <= 0:
            return 1.0
        return abs((width / height) / self.ratio - 1)

    def cropped_share(self, width: int, height: int) -> float:
        """The share of the image ``object-fit: cover`` cuts away to fill the card."""
        if width <= 0 or height <= 0:
            return 1.0
        shown = min(width / height, self.ratio) / max(width / height, self.ratio)
        return 1 - shown


@cache
def card_image_need(*, lead: bool) -> CardImageNeed:
    """What the lead card (slot 1) or any other card needs of its image."""
    widest = max(card_image_width(viewport, lead=lead) for viewport in VIEWPORTS)
    return CardImageNeed(math.ceil(widest))


def need_for_slot(position: int) -> CardImageNeed:
    """``position`` is 1-based; slot 1 is the lead card."""
    return card_image_need(lead=position == 1)
