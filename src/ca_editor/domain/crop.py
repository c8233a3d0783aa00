"""Where a picture is cut: the largest box of an aspect ratio, centred on the editor's focal point.

Pure geometry shared by the export (which cuts the derivatives) and the editor (which draws the crop),
so what the editor shows is exactly what the reader gets. Boxes are Pillow's (left, top, right, bottom)
in whole pixels of the image *after* its EXIF orientation is applied.
"""

from __future__ import annotations

from ca_editor.domain.focus import CENTRE, Focus

Box = tuple[int, int, int, int]

#: The card's aspect ratio on the section front (and the story page's lead image).
CARD_ASPECT = (16, 9)


def normalised_focus(focus: Focus | None) -> Focus:
    """The focus clamped into the picture; None (never set) is the centre."""
    if focus is None:
        return CENTRE
    x, y = focus
    if x != x or y != y:  # NaN: a damaged value must not move the crop anywhere surprising
        return CENTRE
    return (min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0))


def crop_size(width: int, height: int, aspect: tuple[int, int]) -> tuple[int, int]:
    """The largest (width, height) of ``aspect`` that fits in ``width`` × ``height``, at least 1 × 1."""
    if width < 1 or height < 1:
        raise ValueError(f"an image has at least one pixel each way, not {width}×{height}")
    aw, ah = aspect
    if aw < 1 or ah < 1:
        raise ValueError(f"an aspect ratio is two positive numbers, not {aw}:{ah}")
    # Integer comparison of width/height against aw/ah: no float rounding decides which side limits.
    if width * ah >= height * aw:
        box_h = height
        box_w = min(width, max(1, (height * aw + ah // 2) // ah))
    else:
        box_w = width
        box_h = min(height, max(1, (width * ah + aw // 2) // aw))
    return box_w, box_h


def _place(length: int, box: int, centre: float) -> int:
    """The start of a ``box``-long span centred on ``centre`` and kept inside ``0..length``."""
    start = round(centre - box / 2)
    return min(max(start, 0), length - box)


def crop_box(width: int, height: int, aspect: tuple[int, int], focus: Focus | None) -> Box:
    """The largest box of ``aspect`` inside the image, centred on ``focus`` as far as the edges allow.

    ``focus`` is (x, y) as fractions 0..1 of the width and height; None means the centre. The box always
    lies inside the image; when it is as wide as the image only its vertical position depends on the
    focus, and the other way round.
    """
    box_w, box_h = crop_size(width, height, aspect)
    fx, fy = normalised_focus(focus)
    left = _place(width, box_w, fx * width)
    top = _place(height, box_h, fy * height)
    return (left, top, left + box_w, top + box_h)


def focus_within_box(focus: Focus | None, width: int, height: int, box: Box) -> Focus:
    """Where the focus falls inside the cut-out box, as fractions of the box (for drawing a marker)."""
    fx, fy = normalised_focus(focus)
    left, top, right, bottom = box
    x = (fx * width - left) / (right - left)
    y = (fy * height - top) / (bottom - top)
    return (min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0))
