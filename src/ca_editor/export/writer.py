"""Files into a stage: new content is written, content the previous bundle already has is hard-linked.

Every path is a bundle-relative name built by ``export.site`` from validated slugs, numbers and hashes; the
writer still refuses anything that could leave the stage.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from ca_editor.domain.errors import ExportFailedError
from ca_editor.export.previous import PreviousBundle

_SAFE_PATH = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)*[A-Za-z0-9][A-Za-z0-9._-]*$")


class BundleWriter:
    def __init__(self, stage: Path, previous: PreviousBundle) -> None:
        self.root = stage
        self.previous = previous
        self.hashes: dict[str, str] = {}  # what the manifest lists: path -> sha256
        self.inputs: dict[str, str] = {}  # path -> page fingerprint
        self.written = 0  # files whose bytes were written (not linked): what an incremental export costs
        self.linked = 0
        self._dirs: set[str] = {""}

    def reuse(self, relative: str, key: str) -> bool:
        """Link the previous bundle's file if it was built from the same inputs; False if it must be built."""
        old_hash = self.previous.files.get(relative)
        if old_hash is None or self.previous.inputs.get(relative) != key or not self._link(relative):
            return False
        self.hashes[relative] = old_hash
        self.inputs[relative] = key
        return True

    def put(self, relative: str, data: bytes, key: str | None = None) -> None:
        """Record ``data`` at ``relative``: linked from the previous bundle when identical, else written."""
        digest = hashlib.sha256(data).hexdigest()
        if self.previous.files.get(relative) != digest or not self._link(relative):
            self._write(relative, data)
        self.hashes[relative] = digest
        if key is not None:
            self.inputs[relative] = key

    def put_asset(self, relative: str, sha256: str, read: Callable[[str], bytes]) -> None:
        """An image named by its content: linked when the previous bundle has it, else read and written."""
        if self.previous.files.get(relative) == sha256 and self._link(relative):
            self.hashes[relative] = sha256
            return
        self.put(relative, read(sha256))

    def write_new(self, relative: str, data: bytes) -> None:
        """A file the manifest does not list (the manifest itself)."""
        self._write(relative, data)

    def _target(self, relative: str) -> str:
        if not _SAFE_PATH.match(relative) or ".." in relative.split("/"):
            raise ExportFailedError(f"refusing to write outside the bundle: {relative!r}")
        parent, _, _ = relative.rpartition("/")
        if parent not in self._dirs:
            (self.root / parent).mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        return f"{self.root}/{relative}"

    def _write(self, relative: str, data: bytes) -> None:
        with open(self._target(relative), "xb") as out:  # noqa: PTH123 - hot path, no Path objects
            out.write(data)
        self.written += 1

    def _link(self, relative: str) -> bool:
        if self.previous.root is None:
            return False
        target = self._target(relative)
        try:
            os.link(f"{self.previous.root}/{relative}", target)
        except FileNotFoundError:
            return False
        except OSError:
            # A file system without hard links (some network or FAT folders): copying is still correct.
            try:
                data = (self.previous.root / relative).read_bytes()
            except OSError:
                return False
            self._write(relative, data)
            return True
        self.linked += 1
        return True
