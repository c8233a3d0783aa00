"""The checklist's photo findings for one card: alt text, the width of its 16:9 cut, its shape, its focal
point (issue 17). ``services.checks`` runs them for each slot; each names where it is fixed (``fix``).

One width rule for every card (``CARD_MIN_WIDTH``): the picture's 16:9 cut must be at least as wide as the
export's middle derivative, 720 px (widths 360/720/1200 in ``export.renditions``). That covers the widest
card at a device pixel ratio of 1 (the lead, 679 px; others 507 px: ``export.card_images``) and a
full-width card on a 360 px phone at 2× (640 px). Narrower, the 720 px file is never made (nothing is
upscaled) and those screens stretch a smaller one. The cut, not the picture, is measured: a panorama 2000 ×
300 px gives a card only 533 px wide.
"""

from __future__ import annotations

from collections.abc import Iterator

from ca_editor.domain.checklist import Finding, FixPlace, Severity
from ca_editor.domain.crop import CARD_ASPECT, crop_size
from ca_editor.domain.model import Slot
from ca_editor.export.card_images import RATIO_TOLERANCE, need_for_slot
from ca_editor.export.renditions import WIDTHS

CARD_MIN_WIDTH = WIDTHS[1]  # 720: the middle derivative width

MISSING_ALT = "missing_alt"
NO_IMAGE = "no_image"
IMAGE_TOO_SMALL = "image_too_small"
IMAGE_RATIO = "image_ratio"
NO_FOCAL_POINT = "no_focal_point"


def card_image_findings(slot: Slot, story_name: str) -> Iterator[Finding]:
    """What is wrong with the picture the card of ``slot`` shows (the override's, else the story's)."""
    story_id, p = slot.story.id, slot.position
    image = slot.image
    own = slot.overrides.image is not None
    whose = "the slot's own image" if own else "the story's image"
    fix = FixPlace.SLOT_IMAGE if own else FixPlace.STORY_IMAGE
    if image is None:
        message = f"{story_name} has no image; the card shows text only"
        yield Finding(NO_IMAGE, Severity.WARNING, message, p, story_id, fix)
        return
    if not image.alt.strip():
        message = f"{whose} has no alt text; describe it for screen readers"
        yield Finding(MISSING_ALT, Severity.ERROR, message, p, story_id, fix)
    width, height = image.asset.width, image.asset.height
    cut_width = crop_size(width, height, CARD_ASPECT)[0] if width > 0 and height > 0 else 0
    if cut_width < CARD_MIN_WIDTH:
        cut = f"{width} px wide" if cut_width == width else f"only {cut_width} px wide once cut to 16:9"
        message = (
            f"{whose} is {cut}; cards need at least {CARD_MIN_WIDTH}×{CARD_MIN_WIDTH * 9 // 16} "
            "to stay sharp on phones and wide screens"
        )
        yield Finding(IMAGE_TOO_SMALL, Severity.WARNING, message, p, story_id, fix)
    need = need_for_slot(p)
    if need.ratio_off_by(width, height) <= RATIO_TOLERANCE:
        return  # the cut loses next to nothing: where it centres does not matter
    message = (
        f"{whose} is {width}×{height}; the card crops it to {need.aspect_width}:{need.aspect_height}, "
        f"cutting {need.cropped_share(width, height):.0%} of it"
    )
    yield Finding(IMAGE_RATIO, Severity.WARNING, message, p, story_id, fix)
    if image.focus is None:
        message = (
            f"{whose} is cut around its middle because nobody chose its focal point; click the subject "
            "in the picture to centre the crop there"
        )
        yield Finding(NO_FOCAL_POINT, Severity.HINT, message, p, story_id, fix)
