"""Focal points: where an image's crop centres, as fractions (x, y) of its oriented width and height.

``None`` means the centre. The editor sets a point by clicking the image; the export cuts the 16:9 card
and the story page's image around it (``domain.crop``); the checklist hints at slotted images without one.
"""

from __future__ import annotations

import math

Focus = tuple[float, float]

CENTRE: Focus = (0.5, 0.5)


def clamp_focus(x: float, y: float) -> Focus:
    """A point inside the image, rounded to 1/1000 so stored values and diffs stay readable."""
    return (round(min(1.0, max(0.0, x)), 3), round(min(1.0, max(0.0, y)), 3))


def focus_error(focus: Focus | None) -> str | None:
    """Why ``focus`` cannot be stored, or None when it can."""
    if focus is None:
        return None
    if len(focus) != 2 or not all(isinstance(v, int | float) and math.isfinite(v) for v in focus):
        return "the focal point must be two numbers"
    if not all(0.0 <= v <= 1.0 for v in focus):
        return "the focal point must lie inside the image (0 to 1 across and down)"
    return None


def parse_focus(text: str) -> Focus | None:
    """``"0.3,0.4"`` (or ``"0.3 0.4"``) as a focus; blank is the centre. Raises ValueError otherwise."""
    parts = text.replace(",", " ").split()
    if not parts:
        return None
    if len(parts) != 2:
        raise ValueError(f"a focal point is two numbers, 'x,y' from 0 to 1; got '{text[:40]}'")
    focus = (float(parts[0]), float(parts[1]))
    problem = focus_error(focus)
    if problem:
        raise ValueError(f"{problem}; got '{text[:40]}'")
    return focus


def format_focus(focus: Focus | None) -> str:
    """How a person reads a focal point: percentages across and down, or 'centre'."""
    if focus is None:
        return "centre"
    return f"{focus[0] * 100:.0f}% across, {focus[1] * 100:.0f}% down"
