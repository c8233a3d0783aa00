"""Files into a stage: new content is written, content the previous bundle already has is hard-linked.

Links and the first files are made in this process. From the ``FILER_AFTER``-th new file on, files go to a
helper process (``export.filer``) that creates them on the other core while this one renders; a thread could
not overlap the two (each of ten thousand hand-offs waited for the GIL, and the export got slower).

Every path is a bundle-relative name built by ``export.site`` from validated slugs, numbers and hashes; the
writer still refuses anything that could leave the stage.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType

from ca_editor.domain.errors import ExportFailedError
from ca_editor.export.filer import FileWriterProcess
from ca_editor.export.previous import PreviousBundle

FILER_AFTER = 200  # new files written here before a helper process pays for its start
_SAFE_PATH = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)*[A-Za-z0-9][A-Za-z0-9._-]*$")


class BundleWriter:
    def __init__(self, stage: Path, previous: PreviousBundle) -> None:
        self.root = str(stage)
        self.previous = previous
        self.hashes: dict[str, str] = {}  # what the manifest lists: path -> sha256
        self.inputs: dict[str, str] = {}  # path -> page fingerprint
        self.written = 0  # files whose bytes were written (not linked): what an incremental export costs
        self.linked = 0
        self._dirs: set[str] = {""}
        self._present: dict[str, frozenset[str]] = {}  # folder -> names in the previous bundle's folder
        self._filer: FileWriterProcess | None = None

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        filer, self._filer = self._filer, None
        if filer is None:
            return
        if kind is None:
            filer.close()  # every file on disk before the stage may be swapped in
        else:
            filer.abort()

    def reuse(self, relative: str, key: str) -> bool:
        """Link the previous bundle's file if it was built from the same inputs; False if it must be built."""
        old_hash = self.previous.files.get(relative)
        if old_hash is None or self.previous.inputs.get(relative) != key or not self._linkable(relative):
            return False
        self._submit("link", relative)
        self.hashes[relative] = old_hash
        self.inputs[relative] = key
        return True

    def put(self, relative: str, data: bytes, key: str | None = None) -> None:
        """Record ``data`` at ``relative``: linked from the previous bundle when identical, else written."""
        digest = hashlib.sha256(data).hexdigest()
        if self.previous.files.get(relative) == digest and self._linkable(relative):
            self._submit("link", relative)
        else:
            self._submit("write", relative, data)
        self.hashes[relative] = digest
        if key is not None:
            self.inputs[relative] = key

    def put_asset(self, relative: str, sha256: str, read: Callable[[str], bytes]) -> None:
        """An image named by its content: linked when the previous bundle has it, else read and written."""
        if self.previous.files.get(relative) == sha256 and self._linkable(relative):
            self._submit("link", relative)
            self.hashes[relative] = sha256
            return
        self.put(relative, read(sha256))

    def write_new(self, relative: str, chunks: Iterable[bytes]) -> None:
        """A file the manifest does not list (the manifest itself), written here piece by piece."""
        self._submit("prepare", relative)  # checks the path, makes its folder
        with open(f"{self.root}/{relative}", "xb") as out:  # noqa: PTH123
            for chunk in chunks:
                out.write(chunk)

    def _linkable(self, relative: str) -> bool:
        if self.previous.root is None:
            return False
        folder, _, name = relative.rpartition("/")
        present = self._present.get(folder)
        if present is None:
            try:
                present = frozenset(os.listdir(self.previous.root / folder))  # noqa: PTH208 - names
            except OSError:
                present = frozenset()
            self._present[folder] = present
        return name in present

    def _submit(self, op: str, relative: str, data: bytes = b"") -> None:
        if not _SAFE_PATH.match(relative) or ".." in relative.split("/"):
            raise ExportFailedError(f"refusing to write outside the bundle: {relative!r}")
        parent = relative.rpartition("/")[0]
        if parent not in self._dirs:
            Path(self.root, parent).mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        target = f"{self.root}/{relative}"
        if op == "prepare":
            return
        if op == "link":
            _link_or_copy(f"{self.previous.root}/{relative}", target)
            self.linked += 1
        else:
            if self._filer is None and self.written >= FILER_AFTER:
                self._filer = FileWriterProcess(self.root)
            if self._filer is not None:
                self._filer.write(relative, data)
            else:
                with open(target, "xb") as out:  # noqa: PTH123 - hot path, no Path objects
                    out.write(data)
            self.written += 1


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except FileNotFoundError:
        raise
    except OSError:
        # A file system without hard links (some network or FAT folders): a copy is still correct.
        with open(source, "rb") as old, open(target, "xb") as new:  # noqa: PTH123
            new.write(old.read())
