"""Which reader a path needs: by its extension, else by its first bytes; a folder is Markdown files."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ca_editor.domain.errors import ImportFailedError
from ca_editor.services.importing.feeds import read_feed
from ca_editor.services.importing.jsonl import read_jsonl
from ca_editor.services.importing.markdown_folder import SUFFIXES, markdown_files, read_markdown
from ca_editor.services.importing.records import (
    MAX_ENTRIES,
    Cancelled,
    ImportRecord,
    ImportSource,
    Progress,
)

JSONL_SUFFIXES = (".jsonl", ".ndjson")
FEED_SUFFIXES = (".xml", ".rss", ".atom")
KNOWN = "a feed (.xml, .rss, .atom), JSON Lines (.jsonl) or Markdown (.md, or a folder of them)"


def read_paths(
    paths: Sequence[Path], *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> ImportSource:
    """Read one file or folder, or several files as one import (one plan, one transaction)."""
    if not paths:
        raise ImportFailedError("the import", None, None, "no file or folder was chosen")
    if len(paths) == 1:
        return read_path(paths[0], progress=progress, cancelled=cancelled)
    markdown = [p for p in paths if p.is_file() and p.suffix.lower() in SUFFIXES]
    parts = [read_path(p, progress=progress, cancelled=cancelled) for p in paths if p not in markdown]
    if markdown:
        name = markdown[0].name if len(markdown) == 1 else f"{len(markdown)} Markdown files"
        root = Path(os.path.commonpath([p.parent.resolve() for p in markdown]))
        parts.append(read_markdown(markdown, root, name=name, progress=progress, cancelled=cancelled))
    if len(parts) == 1:
        return parts[0]
    records: tuple[ImportRecord, ...] = tuple(r for part in parts for r in part.records)
    invalid = tuple(entry for part in parts for entry in part.invalid)
    if len(records) + len(invalid) > MAX_ENTRIES:
        count = len(records) + len(invalid)
        raise ImportFailedError(
            f"{len(paths)} files", None, None, f"{count:,} stories; at most {MAX_ENTRIES:,} at once"
        )
    kinds = sorted({part.kind for part in parts})
    return ImportSource(f"{len(paths)} files", " and ".join(kinds), records, invalid=invalid)


def read_path(
    path: Path, *, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> ImportSource:
    name = path.name or str(path)
    if path.is_dir():
        return read_markdown(markdown_files(path), path, progress=progress, cancelled=cancelled)
    if not path.exists():
        raise ImportFailedError(name, None, None, "no such file or folder")
    kind = sniff(path)
    if kind == "jsonl":
        return read_jsonl(path, progress=progress, cancelled=cancelled)
    if kind == "feed":
        return read_feed(path, progress=progress, cancelled=cancelled)
    return read_markdown([path], path.parent, name=name, progress=progress, cancelled=cancelled)


def sniff(path: Path) -> str:
    """'jsonl', 'feed' or 'markdown', from the extension or else the first non-blank bytes."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix in SUFFIXES:
        return "markdown"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    except OSError as exc:
        raise ImportFailedError(
            path.name, None, None, f"cannot read the file ({exc.strerror or exc})"
        ) from exc
    if head.startswith(b"<"):
        return "feed"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith((b"---", b"# ")):
        return "markdown"
    raise ImportFailedError(path.name, None, None, f"cannot tell what this file holds; import {KNOWN}")
