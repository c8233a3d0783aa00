"""The previous manifest as text, for an update in place: looked up and changed without parsing it whole.

An edit to one story changes a handful of the manifest's 30,000 map entries (three per story), yet parsing
the 3 MB document and writing it out again cost an incremental export about half its time. The manifest is
our own layout (``Manifest.json_chunks``): each flat map is one ``    "key": "value"`` line per entry,
sorted by key, with nothing escaped. So a lookup is one substring search, an insert point a binary search
over lines, and the new manifest is the old text with the changed lines spliced in, which is the same bytes
``json_chunks`` would write for the same entries.

A manifest that is not in that layout (edited by hand, escaped characters, an empty map) is not read here:
``ManifestText.read`` returns ``None`` and the caller builds a new bundle, which parses the manifest as JSON.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from ca_editor.export.staging import BUNDLE_FORMAT, BUNDLE_MARKER

_INDENT = '    "'  # every map line starts with it
_SEPARATOR = ",\n"
_PARSE_AFTER = 32  # lookups past this many read the whole map into a dict (each search is O(map))
# A line of a map; the text starts each map right after a newline, so ``^`` matches at its first line.
_ENTRY = re.compile(r'^    "([^"]*)": "([^"]*)"', re.MULTILINE)
_KEY = re.compile(r'^    "([^"]*)": ', re.MULTILINE)
_PREFIXES: dict[int, re.Pattern[str]] = {}


class FlatMapText(MutableMapping[str, str]):
    """One flat map of a manifest: the sorted lines ``text[start:end]``, with changes kept on top.

    Keys and values set here must not need JSON escaping (paths, digests, ids, story states); others are
    refused.
    """

    def __init__(self, text: str, start: int, end: int, count: int) -> None:
        self._text, self._start, self._end, self._count = text, start, end, count
        self._changes: dict[str, str | None] = {}  # None: deleted
        self._existed: dict[str, bool] = {}  # of each changed key: whether the text holds it
        self._lookups = 0
        self._parsed: dict[str, str] | None = None

    @classmethod
    def parse(cls, text: str, start: int, end: int, count: int | None = None) -> FlatMapText | None:
        """The map whose lines are ``text[start:end]``, or ``None`` if they are not one entry a line.

        Three counts in C (about 3 ms a megabyte) instead of a parse. With no backslash in the lines there
        are no escapes, so every quote delimits a string; L lines hold 4L quotes, and L - 1 separators and L
        ``": "`` account for all but the first and the last. Our layout passes; a map edited by hand passes
        only if it kept every line's shape (or is no longer JSON at all).
        """
        if start >= end or not text.startswith(_INDENT, start) or not text.endswith('"', start, end):
            return None
        if count is not None:  # a map this process wrote: its layout is known (``remember_written``)
            return cls(text, start, end, count)
        if text.find("\\", start, end) >= 0:
            return None
        count = text.count('"' + _SEPARATOR + _INDENT, start, end) + 1
        if text.count('"', start, end) != 4 * count or text.count('": "', start, end) != count:
            return None
        return cls(text, start, end, count)

    # -- reading

    def __getitem__(self, key: str) -> str:
        if key in self._changes:
            value = self._changes[key]
            if value is None:
                raise KeyError(key)
            return value
        found = self._base_get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __len__(self) -> int:
        added = sum(1 for k, v in self._changes.items() if v is not None and not self._existed[k])
        removed = sum(1 for k, v in self._changes.items() if v is None and self._existed[k])
        return self._count + added - removed

    def __iter__(self) -> Iterator[str]:
        return (key for key, _ in self.sorted_items())

    def sorted_items(self) -> Iterator[tuple[str, str]]:
        merged = dict(self.base_dict())
        for key, value in self._changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return iter(sorted(merged.items()))

    def with_prefix(self, prefix: str) -> dict[str, str]:
        """The entries whose keys start with ``prefix``: one range of lines, found by binary search."""
        found = {}
        at = self._insert_point(prefix)
        while at < self._end:
            key, value, after = self._line(at)
            if not key.startswith(prefix):
                break
            found[key] = value
            at = after
        for changed, new in self._changes.items():
            if changed.startswith(prefix):
                if new is None:
                    found.pop(changed, None)
                else:
                    found[changed] = new
        return found

    def base_keys(self) -> list[str]:
        """The keys the text holds, in order (without the changes made here)."""
        return _KEY.findall(self._text, self._start, self._end)

    def names_by_folder(self) -> dict[str, list[str]] | None:
        """The keys the text holds as folder -> names in order (``""``: the top level, which also names
        each folder); ``None`` when a key is nested deeper than one folder. Per folder one binary search and
        one regex pass over its lines: no Python loop over 10,000 entries."""
        found: dict[str, list[str]] = {"": []}
        at = self._start
        while at < self._end:
            key, _value, after = self._line(at)
            folder, slash, _name = key.partition("/")
            if not slash:
                found[""].append(key)
                at = after
                continue
            end = self._insert_point(folder + "0")  # "0" sorts right after "/": past the folder's keys
            pattern = re.compile(rf'^    "{re.escape(folder)}/([^"/]*)": ', re.MULTILINE)
            names = pattern.findall(self._text, at, end)
            lines = self._text.count("\n", at, end) + (1 if end == self._end else 0)
            if len(names) != lines or folder in found:
                return None  # a name with a "/" in it: a layout the export does not write
            found[folder] = names
            found[""].append(folder)
            at = end
        return found

    def base_dict(self) -> dict[str, str]:
        """The entries the text holds (without the changes made here), read in one pass: about 7 ms for
        10,000 entries, against 0.1 ms for one lookup."""
        if self._parsed is None:
            self._parsed = dict(_ENTRY.findall(self._text, self._start, self._end))
        return self._parsed

    def entry_prefixes(self, fields: int) -> set[str]:
        """Each entry the text holds, cut after the first ``fields`` space-separated fields of its value, as
        ``entry_prefix`` spells it: read in one regex pass, to compare a scan against as a set."""
        pattern = _PREFIXES.get(fields)
        if pattern is None:
            value = " ".join([r"[^\" ]*"] * fields)
            pattern = _PREFIXES[fields] = re.compile(rf'^    "([^"]*": "{value})[ "]', re.MULTILINE)
        return set(pattern.findall(self._text, self._start, self._end))

    @staticmethod
    def entry_prefix(key: str, *fields: str) -> str:
        """An entry with ``key`` whose value starts with ``fields``, as ``entry_prefixes`` gives it."""
        return f'{key}": "{" ".join(fields)}'

    # -- changing

    def __setitem__(self, key: str, value: str) -> None:
        if json.encoder.encode_basestring(key + value) != f'"{key}{value}"':
            raise ValueError(f"not a manifest entry: {key!r}: {value!r}")
        self._note(key)
        self._changes[key] = value

    def __delitem__(self, key: str) -> None:
        if key not in self:
            raise KeyError(key)
        self._note(key)
        self._changes[key] = None

    def _note(self, key: str) -> None:
        if key not in self._existed:
            self._existed[key] = self._base_get(key) is not None

    # -- writing

    def json_pieces(self) -> Iterator[str]:
        """The map's JSON value as ``manifest._flat_json`` lays it out: the text, the changes spliced in."""
        edits: list[tuple[int, int, str, str | None]] = []  # (offset, 0 insert / 1 replace, key, value)
        for key, value in self._changes.items():
            if self._existed[key]:
                edits.append((self._find(key), 1, key, value))
            elif value is not None:
                edits.append((self._insert_point(key), 0, key, value))
        edits.sort()
        pieces: list[str] = []  # runs of unchanged lines and new lines, joined by the separator
        cursor = self._start
        for offset, kind, key, value in edits:
            if offset > cursor:
                pieces.append(self._text[cursor : offset - len(_SEPARATOR) if offset < self._end else offset])
                cursor = offset
            if value is not None:
                pieces.append(f'{_INDENT}{key}": "{value}"')
            if kind == 1:  # the old line goes
                _key, _value, cursor = self._line(offset)
        if cursor < self._end:
            pieces.append(self._text[cursor : self._end])
        if not pieces:
            yield "{}"
            return
        yield "{\n"
        for number, piece in enumerate(pieces):
            yield piece if number == 0 else _SEPARATOR + piece
        yield "\n  }"

    # -- the text

    def _base_get(self, key: str) -> str | None:
        if self._parsed is not None:
            return self._parsed.get(key)
        self._lookups += 1
        if self._lookups > _PARSE_AFTER:
            return self.base_dict().get(key)
        at = self._find(key)
        if at < 0:
            return None
        return self._line(at)[1]

    def _find(self, key: str) -> int:
        """The offset of ``key``'s line, or -1."""
        needle = f'{_INDENT}{key}": "'
        if self._text.startswith(needle, self._start):
            return self._start
        at = self._text.find("\n" + needle, self._start, self._end)
        return at + 1 if at >= 0 else -1

    def _line(self, at: int) -> tuple[str, str, int]:
        """Key, value and the next line's offset (or the end) of the line at ``at``."""
        key_end = self._text.index('"', at + len(_INDENT))
        value_start = key_end + 4  # '": "'
        value_end = self._text.index('"', value_start)
        after = value_end + 1 + len(_SEPARATOR)
        key = self._text[at + len(_INDENT) : key_end]
        return key, self._text[value_start:value_end], min(after, self._end)

    def _line_start(self, at: int) -> int:
        """The offset of the first line that starts at or after ``at``."""
        if at <= self._start:
            return self._start
        newline = self._text.find("\n", at - 1, self._end)
        return newline + 1 if newline >= 0 else self._end

    def _insert_point(self, key: str) -> int:
        """The offset of the first line whose key sorts after ``key`` (or the end): binary search."""
        low, high = self._start, self._end
        while low < high:
            middle = self._line_start((low + high) // 2)
            if middle >= high:
                middle = low
            line_key, _value, after = self._line(middle)
            if line_key < key:
                low = after
            else:
                high = middle
        return low


@dataclass(frozen=True, slots=True)
class ManifestText:
    """The bundle in ``root`` as its manifest describes it, read for an update in place."""

    root: Path
    frame: str
    files: FlatMapText  # path -> sha256
    inputs: FlatMapText  # page path -> fingerprint of what built it
    stories: FlatMapText  # story id -> fingerprint.story_state

    @classmethod
    def read(cls, folder: Path) -> ManifestText | None:
        """The manifest in ``folder`` if it is ours and in our layout; ``None`` otherwise."""
        path = folder / BUNDLE_MARKER
        try:
            with path.open("rb") as file:
                identity = _identity(os.fstat(file.fileno()))  # of the very file read
                text = file.read().decode("utf-8")
        except (OSError, ValueError):
            return None
        known = _WRITTEN.get(str(path))
        counts = known[1] if known is not None and known[0] == identity else (None, None, None)
        files_at = text.find('\n  "files": {\n')
        inputs_at = text.find('\n  },\n  "page_inputs": {\n', files_at)
        frame_at = text.find('\n  },\n  "frame": "', inputs_at)
        stories_at = text.find('",\n  "stories": {\n', frame_at)
        end = len(text) - len("\n  }\n}\n")
        if min(files_at, inputs_at, frame_at, stories_at) < 0 or not text.endswith("\n  }\n}\n"):
            return None
        try:
            head = json.loads(text[: files_at - 1] + "}")  # up to the comma before "files"
        except ValueError:
            return None
        if not isinstance(head, dict) or head.get("format") != BUNDLE_FORMAT:
            return None
        frame = text[frame_at + len('\n  },\n  "frame": "') : stories_at]
        files = FlatMapText.parse(text, files_at + len('\n  "files": {\n'), inputs_at, counts[0])
        inputs = FlatMapText.parse(text, inputs_at + len('\n  },\n  "page_inputs": {\n'), frame_at, counts[1])
        stories = FlatMapText.parse(text, stories_at + len('",\n  "stories": {\n'), end, counts[2])
        if files is None or inputs is None or stories is None or not frame or '"' in frame:
            return None
        return cls(folder, frame, files, inputs, stories)


# Manifests this process wrote by splicing (our layout by construction), by path: the file's identity and
# each map's entry count. Reading one of them again skips the layout counts (about 8 ms at 10,000 stories);
# any other write to the file changes its identity.
_WRITTEN: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {}


def remember_written(path: Path, files: int, inputs: int, stories: int) -> None:
    """``path`` now holds a manifest written here with maps of these sizes."""
    try:
        _WRITTEN[str(path)] = (_identity(path.stat()), (files, inputs, stories))
    except OSError:
        _WRITTEN.pop(str(path), None)


def _identity(status: os.stat_result) -> tuple[int, int, int]:
    return status.st_ino, status.st_size, status.st_mtime_ns
