"""The card image numbers come from the stylesheet: they must change when it does."""

from __future__ import annotations

import re

from ca_editor.export import card_images
from ca_editor.locations import static_dir


def declarations() -> str:
    css = (static_dir() / "style.css").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", css)


def test_the_stylesheet_still_says_what_the_numbers_were_taken_from() -> None:
    css = declarations()
    rem = card_images.REM
    expected = [
        f"--wrap: {card_images.WRAP_MAX / rem:g}rem",
        ".wrap { max-width: var(--wrap); margin: 0 auto; "
        f"padding: 0 {card_images.WRAP_PADDING / rem:g}rem; }}",
        "*, *::before, *::after { box-sizing: border-box; }",
        f".section-layout {{ display: grid; grid-template-columns: minmax(0, 1fr); "
        f"gap: {card_images.LAYOUT_GAP / rem:g}rem; }}",
        f"@media (min-width: {card_images.SIDEBAR_FROM}px) {{ .section-layout {{ grid-template-columns: "
        f"minmax(0, 1fr) {card_images.SIDEBAR / rem:g}rem; }} }}",
        f"grid-template-columns: repeat(auto-fill, minmax({card_images.CARD_MIN / rem:g}rem, 1fr))",
        f"gap: 2rem {card_images.CARD_COLUMN_GAP / rem:g}rem;",
        ".card-lead { grid-column: 1 / -1;",
        f"@media (min-width: {card_images.LEAD_SPLIT_FROM}px) {{ .card-lead article {{ display: grid; "
        f"grid-template-columns: 1fr 1fr; gap: {card_images.LEAD_GAP / rem:g}rem;",
        ".card-image { width: 100%; "
        f"aspect-ratio: {card_images.ASPECT_WIDTH} / {card_images.ASPECT_HEIGHT}; object-fit: cover;",
    ]
    missing = [text for text in expected if text not in css]
    assert missing == [], "style.css changed; update export/card_images.py:\n" + "\n".join(missing)


def test_widths_at_known_viewports() -> None:
    # Desktop (sidebar, three cards a row): 72rem - 2.5rem padding - 16rem - 2.5rem gap = 816 px.
    assert card_images.column_width(1400) == 816
    assert card_images.card_image_width(1400, lead=True) == (816 - 28) / 2
    assert card_images.card_image_width(1400, lead=False) == (816 - 2 * 28) / 3
    # A phone: one card a row, full width.
    assert card_images.card_image_width(390, lead=False) == 350


def test_the_lead_needs_more_than_other_cards_and_the_demo_images_suffice() -> None:
    lead, card = card_images.card_image_need(lead=True), card_images.card_image_need(lead=False)
    assert lead.min_width == 679  # just under the 720 px split: the lead spans the whole column
    assert card.min_width == 507  # just under two cards a row
    assert card_images.need_for_slot(1) == lead and card_images.need_for_slot(2) == card
    assert lead.min_width <= 1200  # the demo images are 1200×675


def test_shape() -> None:
    need = card_images.card_image_need(lead=False)
    assert need.ratio_off_by(1600, 900) == 0
    assert need.ratio_off_by(1200, 1200) > card_images.RATIO_TOLERANCE
    assert abs(need.cropped_share(1200, 1200) - (1 - 9 / 16)) < 1e-9
    assert need.cropped_share(1600, 900) == 0
