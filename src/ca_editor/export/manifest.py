"""The bundle's manifest: what the web team checks the delivery against."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ca_editor.domain.publication import SiteSnapshot
from ca_editor.export import site
from ca_editor.export.staging import BUNDLE_FORMAT

FORMAT = BUNDLE_FORMAT
FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class Manifest:
    generator: str
    exported_at: datetime
    section_slug: str
    editors_choice: tuple[dict[str, object], ...]
    files: dict[str, str] = field(default_factory=dict)  # bundle-relative path -> sha256
    problems: tuple[str, ...] = ()
    # page path -> fingerprint of what built it; the next export links pages whose inputs are unchanged
    page_inputs: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "generator": self.generator,
            "exported_at": self.exported_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "section": self.section_slug,
            "editors_choice": list(self.editors_choice),
            "problems": list(self.problems),
            "files": _FLAT,
            "page_inputs": _FLAT,
        }
        text = json.dumps(document, indent=2, ensure_ascii=False)
        # The two big maps are flat str -> str: written by hand, as json.dumps(indent=2) would, but with the
        # C string encoder (indenting makes json use its slow pure-Python encoder, 10 ms per 10,000 files).
        for name, mapping in (("files", self.files), ("page_inputs", self.page_inputs)):
            text = text.replace(f'"{name}": "{_FLAT}"', f'"{name}": {_flat_json(mapping)}', 1)
        return text + "\n"


# Stands in for the two maps while json lays out the rest. '"files": "<this>"' with bare quotes can only
# be the key itself: quotes inside any JSON string value come out escaped.
_FLAT = "ca-editor-flat-map"


def _flat_json(mapping: dict[str, str]) -> str:
    if not mapping:
        return "{}"
    encode = json.encoder.encode_basestring  # the C version: ensure_ascii=False
    lines = ",\n".join(f"    {encode(k)}: {encode(v)}" for k, v in sorted(mapping.items()))
    return "{\n" + lines + "\n  }"


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
