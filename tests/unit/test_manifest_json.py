"""The manifest's hand-written maps come out exactly as ``json.dumps(indent=2)`` would write them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ca_editor.export.manifest import Manifest


@pytest.mark.parametrize(
    ("files", "inputs"),
    [
        ({}, {}),
        ({"b.html": "2", 'a/é "q".html': "1"}, {"a": "x"}),
        ({"stories/x.html": "ca-editor-flat-map"}, {}),
        ({"a\\b": "c\nd", "tab\there": "\x01", "plain.html": "ü"}, {"k\x7f": "v\u2028"}),
        # more than one chunk of lines, with one entry to escape in the second chunk only
        ({f"stories/s-{n:05d}.html": f"{n:064x}" for n in range(4500)} | {'stories/s-03000".html': "x"}, {}),
    ],
)
def test_to_json_matches_the_standard_layout(files: dict[str, str], inputs: dict[str, str]) -> None:
    manifest = Manifest(
        generator="ca-editor test",
        exported_at=datetime(2024, 5, 20, tzinfo=UTC),
        section_slug="central-asia",
        editors_choice=({"headline": '"files": "ca-editor-flat-map"', "position": 1},),
        files=files,
        problems=("a problem",),
        page_inputs=inputs,
    )
    text = manifest.to_json()
    document = json.loads(text)
    assert document["files"] == files
    assert document["page_inputs"] == inputs
    assert text == json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    assert list(document["files"]) == sorted(files)
