"""The bundle's manifest: what the web team checks the delivery against."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.release import Release
from ca_editor.export import site
from ca_editor.export.manifest_text import FlatMapText
from ca_editor.export.spool import SpooledMap, sorted_items
from ca_editor.export.staging import BUNDLE_FORMAT

FORMAT = BUNDLE_FORMAT
StringMap = dict[str, str] | SpooledMap | FlatMapText
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Manifest:
    generator: str
    exported_at: datetime
    section_slug: str
    editors_choice: tuple[dict[str, object], ...]
    # The three maps are dicts, spooled to disk by a full write (``export.spool``), or the previous manifest's
    # text with an update's changes (``export.manifest_text``): read them in order with ``sorted_items``.
    files: StringMap = field(default_factory=dict)  # bundle-relative path -> sha256
    problems: tuple[str, ...] = ()
    # page path -> fingerprint of what built it; the next export links pages whose inputs are unchanged
    page_inputs: StringMap = field(default_factory=dict)
    # What the next export compares to update the bundle in place: the fingerprint of what every page shares
    # (section, archive navigation, templates, code) and, per story id, ``fingerprint.story_state``.
    frame: str = ""
    stories: StringMap = field(default_factory=dict)
    # The checklist it passed (or the override that let it through), unapproved slots, the sign-off.
    release: Release | None = None
    # ``export --all``: every live section's slug, front page, heading, block and release; () otherwise.
    sections: tuple[dict[str, object], ...] = ()

    def to_json(self) -> str:
        return "".join(self.json_chunks())

    def json_chunks(self) -> Iterator[str]:
        """The manifest's JSON (as ``json.dumps(indent=2)`` lays it out) in pieces, so that a bundle of
        200,000 files is written without one 40 MB string and its encoded copy in memory at once."""
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generator": self.generator,
            "exported_at": self.exported_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "section": self.section_slug,
            "editors_choice": list(self.editors_choice),
            "problems": list(self.problems),
            "release": self.release.to_json() if self.release is not None else None,
            **({"sections": list(self.sections)} if self.sections else {}),
            "files": _FLAT,
            "page_inputs": _FLAT,
            "frame": self.frame,
            "stories": _FLAT,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False)
        # The big maps are flat str -> str: written by hand, as json.dumps(indent=2) would, but with the
        # C string encoder (indenting makes json use its slow pure-Python encoder, 10 ms per 10,000 files).
        rest = text
        maps = (("files", self.files), ("page_inputs", self.page_inputs), ("stories", self.stories))
        for name, mapping in maps:
            before, rest = rest.split(f'"{name}": "{_FLAT}"', 1)
            yield before + f'"{name}": '
            yield from _flat_json(mapping)
        yield rest + "\n"


# Stands in for the two maps while json lays out the rest. '"files": "<this>"' with bare quotes can only
# be the key itself: quotes inside any JSON string value come out escaped.
_FLAT = "ca-editor-flat-map"
_LINES_PER_CHUNK = 2000


# What JSON must escape in a string (with ensure_ascii=False): the quote, the backslash, control characters.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def _flat_json(mapping: StringMap) -> Iterator[str]:
    if isinstance(mapping, FlatMapText):
        yield from mapping.json_pieces()  # the same layout, spliced rather than rebuilt
        return
    encode = json.encoder.encode_basestring  # the C version: ensure_ascii=False
    items = sorted_items(mapping)
    opening = "{\n"
    while chunk := list(itertools.islice(items, _LINES_PER_CHUNK)):
        # Paths, digests and story states never need escaping: quoted as they are when one search of the
        # whole chunk finds nothing to escape (half the cost of encoding 30,000 strings one by one).
        if _NEEDS_ESCAPE.search("".join(itertools.chain.from_iterable(chunk))) is None:
            lines = ",\n".join(f'    "{k}": "{v}"' for k, v in chunk)
        else:
            lines = ",\n".join(f"    {encode(k)}: {encode(v)}" for k, v in chunk)
        yield opening + lines
        opening = ",\n"
    yield "{}" if opening == "{\n" else "\n  }"


def slot_entries(snapshot: SiteSnapshot) -> tuple[dict[str, object], ...]:
    return tuple(
        {
            "position": slot.position,
            "story": slot.story.slug,
            "page": site.story_path(slot.story.slug),
            "headline": slot.headline,
            "overrides": [
                name
                for name, value in (
                    ("headline", slot.overrides.headline),
                    ("summary", slot.overrides.summary),
                    ("image", slot.overrides.image),
                )
                if value is not None
            ],
        }
        for slot in snapshot.slots
    )
