"""EXIF orientation: the one rule for the size a reader sees (the checklist, the export, the editor view).

A camera stores a portrait photo as a landscape grid of pixels and an EXIF tag saying how to turn it;
orientations 5 to 8 turn it a quarter, so its displayed width is its stored height.
"""

from __future__ import annotations

EXIF_ORIENTATION = 0x0112  # the EXIF tag holding it
_SWAPS_SIDES = frozenset({5, 6, 7, 8})  # transpose, rotate 270, transverse, rotate 90


def oriented_size(width: int, height: int, orientation: object) -> tuple[int, int]:
    """(width, height) as displayed, from the stored size and the EXIF orientation value (any type: a
    damaged tag may hold anything, which counts as no turn)."""
    return (height, width) if orientation in _SWAPS_SIDES else (width, height)
