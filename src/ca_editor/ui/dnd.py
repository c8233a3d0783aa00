"""Drag-and-drop payloads shared by the story list and the editor's-choice block.

Ids travel as a small JSON list under our own MIME types, so a drop from another program is ignored.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData

STORY_IDS_MIME = "application/x-ca-editor-story-ids"
SLOT_IDS_MIME = "application/x-ca-editor-slot-ids"


def encode_ids(mime_type: str, ids: list[int]) -> QMimeData:
    data = QMimeData()
    data.setData(mime_type, json.dumps([int(i) for i in ids]).encode("ascii"))
    return data


def decode_ids(data: QMimeData | None, mime_type: str) -> list[int]:
    """The ids carried by ``data``, or [] when it carries none of ours or is malformed."""
    if data is None or not data.hasFormat(mime_type):
        return []
    try:
        values = json.loads(bytes(data.data(mime_type).data()).decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return []
    if not isinstance(values, list):
        return []
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
