"""What the previous bundle in the target folder holds, read from its manifest, to reuse unchanged files."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ca_editor.export.staging import BUNDLE_FORMAT, BUNDLE_MARKER


@dataclass(frozen=True, slots=True)
class PreviousBundle:
    root: Path | None
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256
    inputs: dict[str, str] = field(default_factory=dict)  # path -> fingerprint of what built it
    frame: str = ""  # fingerprint of what every page shares; empty in bundles older than in-place updates
    stories: dict[str, str] = field(default_factory=dict)  # story id -> fingerprint.story_state

    @classmethod
    def empty(cls) -> PreviousBundle:
        return cls(None)

    @classmethod
    def read(cls, folder: Path) -> PreviousBundle:
        """The bundle in ``folder``; empty when there is none or its manifest is not one of ours."""
        try:
            document = json.loads((folder / BUNDLE_MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls.empty()
        if not isinstance(document, dict) or document.get("format") != BUNDLE_FORMAT:
            return cls.empty()
        files, inputs = _str_map(document.get("files")), _str_map(document.get("page_inputs", {}))
        if files is None or inputs is None:
            return cls.empty()
        frame, stories = document.get("frame", ""), _str_map(document.get("stories", {}))
        if not isinstance(frame, str) or stories is None:
            frame, stories = "", {}
        return cls(folder, files, inputs, frame, stories)


def _str_map(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    # Exact types, checked in C (``map``): a manifest of 200,000 files has 600,000 strings to look at.
    if not {*map(type, value), *map(type, value.values())} <= {str}:
        return None
    return value
