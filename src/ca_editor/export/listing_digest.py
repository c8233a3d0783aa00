"""Digests an export mark compares (``services.export_record`` writes them, ``ca_editor.export_uptodate``
reads them): stdlib only, so a no-change ``ca-editor export`` answers without SQLAlchemy or Jinja.

Both digests look at names, sizes and modification times, never at contents: a stat per file. A file
touched without a change costs a needless export, never a missed one.
"""

from __future__ import annotations

import hashlib
import os
from importlib.util import find_spec
from pathlib import Path

from ca_editor.locations import resources_dir

_PACKAGE = Path(__file__).resolve().parents[1]
# Our code that shapes a bundle (``ui`` and the command line do not), and the libraries that render it.
_CODE_PACKAGES = ("domain", "export", "persistence", "services")
_LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "PIL")


def _walk(root: str, prefix: str, into: list[str]) -> None:
    with os.scandir(root) as entries:
        for entry in entries:
            name = f"{prefix}{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, f"{name}/", into)
            else:
                found = entry.stat(follow_symlinks=False)
                into.append(f"{name}\0{found.st_size}\0{found.st_mtime_ns}")


def listing_digest(root: str | os.PathLike[str]) -> str | None:
    """A digest of every file under ``root``: relative path, size and mtime_ns (``None``: no such folder)."""
    lines: list[str] = []
    try:
        _walk(os.fspath(root), "", lines)
    except (FileNotFoundError, NotADirectoryError):
        return None
    lines.sort()
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()


def generator_stamp() -> str:
    """What shapes a bundle beside the data: our code and templates, the rendering libraries, and
    ``SOURCE_DATE_EPOCH`` (the manifest's time when it is set). An upgrade changes the files' times."""
    lines = [f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}"]
    resources = resources_dir()
    for folder in (resources / "templates", resources / "static"):
        lines.append(f"{folder.name}:{listing_digest(folder)}")
    for package in _CODE_PACKAGES:
        found_files: list[str] = []
        _walk(str(_PACKAGE / package), "", found_files)
        sources = sorted(line for line in found_files if line.split("\0", 1)[0].endswith(".py"))
        lines.append(f"{package}:" + "|".join(sources))
    # The top-level modules too: ``_version.py`` is the version the manifest names, and a bump alone must
    # not be answered "up to date".
    top = sorted(
        f"{entry.name}\0{entry.stat().st_size}\0{entry.stat().st_mtime_ns}"
        for entry in os.scandir(_PACKAGE)
        if entry.is_file() and entry.name.endswith(".py")
    )
    lines.append("ca_editor:" + "|".join(top))
    for library in _LIBRARIES:
        spec = find_spec(library)  # found, not imported
        origin = spec.origin if spec is not None else None
        if origin is not None:
            stat = Path(origin).stat()
            lines.append(f"{library}:{origin}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(lines).encode("utf-8", "surrogateescape")).hexdigest()
