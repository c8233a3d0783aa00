"""A section's scheduled layouts in a bundle (issue 16): ``variants/<slug>.html`` and ``schedule.json``.

``index.html`` is the layout live at the export's moment (``--as-of``, else the export time). Every variant
gets its own page, and so does the main layout (``variants/main.html``: the page to show when no variant
is live, whichever layout ``index.html`` holds). ``schedule.json`` tells the web team which file to serve
when::

    {"format": "ca-editor-schedule", "format_version": 1, "section": "central-asia",
     "as_of": "2026-12-12T10:00:00Z", "index": "Weekend",
     "main": {"name": "main", "file": "variants/main.html", "checksum": "sha256:…"},
     "variants": [{"name": "Weekend", "slug": "weekend", "start": "2026-12-12T00:00:00Z",
                   "end": "2026-12-14T00:00:00Z", "file": "variants/weekend.html", "checksum": "sha256:…"}]}

Times are UTC; ``end`` is null for an open-ended variant; variants are in start order. The checksums are the
pages' sha256, as the manifest lists them. ``file`` is relative to the folder holding ``schedule.json``, which
is the folder of the section's ``index.html``: the bundle's root, or ``sections/<slug>/`` for a further
section of an ``export --all`` bundle (whose manifest lists the same page as ``sections/<slug>/variants/…``).
Deterministic: keys sorted, no clock read here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from ca_editor.domain.model import Slot
from ca_editor.domain.schedule import iso_utc
from ca_editor.export import site

FORMAT, FORMAT_VERSION = "ca-editor-schedule", 1
MAIN_SLUG = "main"


@dataclass(frozen=True, slots=True)
class LayoutPage:
    """One scheduled layout of the bundle's section, as its page shows it (slots already filtered)."""

    name: str
    slug: str
    slots: tuple[Slot, ...]
    starts_at: datetime | None = None  # None: the main layout
    ends_at: datetime | None = None

    @property
    def path(self) -> str:
        return site.variant_path(self.slug)


@dataclass(frozen=True, slots=True)
class Schedule:
    """What the bundle writes for a section with variants: the pages and who is on ``index.html``."""

    section_slug: str
    as_of: datetime
    index_name: str  # 'main' or the live variant's name
    main: LayoutPage
    variants: tuple[LayoutPage, ...]

    @property
    def pages(self) -> tuple[LayoutPage, ...]:
        return (self.main, *self.variants)

    def to_json(self, checksums: Mapping[str, str]) -> bytes:
        """``schedule.json``'s bytes; ``checksums``: each page's sha256 (hex) by its bundle path."""

        def entry(page: LayoutPage) -> dict[str, object]:
            return {"name": page.name, "file": page.path, "checksum": f"sha256:{checksums[page.path]}"}

        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "section": self.section_slug,
            "as_of": iso_utc(self.as_of),
            "index": self.index_name,
            "main": entry(self.main),
            "variants": [
                entry(page)
                | {
                    "slug": page.slug,
                    "start": iso_utc(page.starts_at) if page.starts_at else None,
                    "end": iso_utc(page.ends_at) if page.ends_at else None,
                }
                for page in self.variants
            ],
        }
        return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def schedule_of(
    section_slug: str,
    as_of: datetime,
    index_name: str,
    main_slots: tuple[Slot, ...],
    variants: Sequence[LayoutPage],
) -> Schedule:
    main = LayoutPage(MAIN_SLUG, MAIN_SLUG, main_slots)
    return Schedule(section_slug, as_of, index_name, main, tuple(variants))
