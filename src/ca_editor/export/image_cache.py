"""The derivative cache: every encoded rendition kept on disk by its key, so no picture is encoded twice.

Content-addressed under the user cache folder (``locations.derivatives_dir``): a rendition's key already
names the original's sha256, its crop box, width, format and encoder settings (``export.renditions``), so
an entry never goes stale; it only stops being used. Layout::

    files/ab/<key>.<ext>         the encoded bytes
    pictures/cd/<picture key>    one line per rendition: "<key> <sha256> <size>", written after the files
    facts/ef/<original sha256>   "<width> <height> <alpha>": the original's displayed size (``ImageFacts``)

Each file is written beside its place, synced and renamed into it (``durable.write_synced``), so a reader
never sees half a file, and a picture's record is written only once all its files are in place. A file whose
size no longer matches its record counts as missing. ``prune`` keeps the cache under a size, dropping what
was used longest ago (a use touches the record) but nothing used within the hour, and deletes files no
record names once they are an hour old. A file pruned between ``files`` and its use is a cache miss to the
export (``ExportWriter.put_picture_files`` says so, and the picture is encoded again).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ca_editor.durable import replace_atomically
from ca_editor.export.renditions import ImageFacts, Picture

DEFAULT_LIMIT = 4 * 2**30  # bytes: about 20,000 pictures in every width and format
PRUNE_EVERY = 24 * 3600.0  # seconds
IN_USE = 3600.0  # seconds: a picture used (or a file written) this recently may be in a running export
_EXTENSIONS = {"webp": "webp", "jpeg": "jpg", "png": "png"}


@dataclass(frozen=True, slots=True)
class CachedFile:
    path: str  # absolute, in the cache
    sha256: str
    size: int


class DerivativeCache:
    def __init__(self, root: Path | str | None) -> None:
        """``root`` None: a cache that keeps nothing (every picture is encoded)."""
        self.root = str(root) if root is not None else None

    def facts(self, sha256: str) -> ImageFacts | None:
        text = self._read(self._path("facts", sha256))
        if text is None:
            return None
        try:
            width, height, alpha = text.split()
            return ImageFacts(int(width), int(height), alpha == "1")
        except ValueError:
            return None

    def put_facts(self, sha256: str, facts: ImageFacts) -> None:
        if self.root is not None:
            self._write(
                self._path("facts", sha256), f"{facts.width} {facts.height} {int(facts.alpha)}\n".encode()
            )

    def files(self, picture: Picture) -> dict[str, CachedFile] | None:
        """Every rendition of ``picture`` by key, or None unless all are cached and whole."""
        record_path = self._path("pictures", picture.key)
        text = self._read(record_path)
        if text is None:
            return None
        formats = {r.key: r.format for r in picture.renditions}
        found: dict[str, CachedFile] = {}
        for line in text.splitlines():
            parts = line.split(" ")
            if len(parts) != 3 or parts[0] not in formats or not parts[2].isdigit():
                return None
            key, sha256, size = parts
            found[key] = CachedFile(self._file_path(key, formats[key]), sha256, int(size))
        if len(found) != len(formats):
            return None
        for cached in found.values():
            try:
                if os.stat(cached.path).st_size != cached.size:  # noqa: PTH116 - hot path
                    return None
            except OSError:
                return None
        with contextlib.suppress(OSError):
            os.utime(record_path)  # used now: the last thing ``prune`` drops
        return found

    def store(self, picture: Picture, encoded: dict[str, tuple[str, bytes]]) -> dict[str, CachedFile]:
        """Keep ``encoded`` (rendition key -> (sha256, bytes)); the files as cached (nothing if disabled)."""
        if self.root is None:
            return {}
        stored: dict[str, CachedFile] = {}
        for rendition in picture.renditions:
            sha256, data = encoded[rendition.key]
            path = self._file_path(rendition.key, rendition.format)
            self._write(path, data)
            stored[rendition.key] = CachedFile(path, sha256, len(data))
        lines = "".join(f"{key} {f.sha256} {f.size}\n" for key, f in sorted(stored.items()))
        self._write(self._path("pictures", picture.key), lines.encode())
        return stored

    def size(self) -> int:
        if self.root is None:
            return 0
        return sum(p.stat().st_size for p in Path(self.root).rglob("*") if p.is_file())

    def prune(self, limit: int = DEFAULT_LIMIT, *, now: float | None = None) -> int:
        """Drop the pictures used longest ago until the cache holds at most ``limit`` bytes; bytes freed.

        Never a picture used within ``IN_USE`` seconds (its files may be on their way into a running export's
        bundle: ``files`` touched its record), nor a file such a picture names. Files no record names (a
        store cut short, a record dropped before its files) go once they are ``IN_USE`` old: younger, they
        may belong to a picture being stored right now, whose record is written after its files."""
        if self.root is None:
            return 0
        now = time.time() if now is None else now
        records: list[tuple[float, Path, list[str]]] = []
        named: set[str] = set()
        in_use: set[str] = set()
        for record in Path(self.root, "pictures").glob("*/*"):
            keys = [line.split(" ")[0] for line in (self._read(str(record)) or "").splitlines()]
            used = _mtime(record)
            records.append((used, record, keys))
            named.update(keys)
            if now - used < IN_USE:
                in_use.update(keys)
        freed = 0
        for path in Path(self.root, "files").glob("*/*"):
            if path.name.split(".")[0] not in named and now - _mtime(path) >= IN_USE:
                freed += _unlink(path)
        total = self.size()
        for _used, record, keys in sorted(records, key=lambda r: r[0]):
            if total <= limit:
                break
            if now - _mtime(record) < IN_USE:
                continue  # used since it was listed (or recently): an export may be linking its files
            record.unlink(missing_ok=True)  # first: a record never names a file that is gone
            for key in keys:
                if key in in_use:
                    continue  # shared with a picture in use
                for ext in _EXTENSIONS.values():
                    gone = _unlink(Path(self.root, "files", key[:2], f"{key}.{ext}"))
                    freed += gone
                    total -= gone
        return freed

    def prune_now_and_then(self, limit: int = DEFAULT_LIMIT, every: float = PRUNE_EVERY) -> int:
        """``prune`` at most once per ``every`` seconds (else one ``stat``: every export calls this)."""
        if self.root is None:
            return 0
        marker = Path(self.root, "pruned")
        try:
            if time.time() - marker.stat().st_mtime < every:
                return 0
        except OSError:
            pass  # never pruned
        freed = self.prune(limit)
        with contextlib.suppress(OSError):
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        return freed

    def _file_path(self, key: str, fmt: str) -> str:
        return f"{self.root}/files/{key[:2]}/{key}.{_EXTENSIONS[fmt]}"

    def _path(self, kind: str, key: str) -> str:
        return f"{self.root}/{kind}/{key[:2]}/{key}"

    def _read(self, path: str) -> str | None:
        if self.root is None:
            return None
        try:
            with open(path, encoding="ascii") as handle:  # noqa: PTH123
                return handle.read()
        except (OSError, UnicodeDecodeError):
            return None

    def _write(self, path: str, data: bytes) -> None:
        # Synced, not its folder: a cache entry lost in a power cut is only encoded again.
        replace_atomically(Path(path), data, sync_folder=False)


def _unlink(path: Path) -> int:
    """Delete ``path``; its size, or 0 when it was already gone."""
    try:
        size = path.stat().st_size
        path.unlink()
    except OSError:
        return 0
    return size


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
