"""Replace a folder atomically: build beside it, then swap by rename.

``os.replace`` onto a non-empty folder fails, so the swap is: rename the old bundle away, rename the new one
in, then delete the old. Until the new one is in place the old one is whole. A crash between the two renames
leaves it intact under its temporary name next to the target: the next export first puts it back, and
clears away stages that crashed exports left behind. It also rolls back an update in place (``export.
inplace``) that a crash interrupted, before it reads or replaces the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ca_editor.domain.errors import ExportFailedError
from ca_editor.durable import fsync_dir
from ca_editor.export import inplace

BUNDLE_MARKER = "manifest.json"
BUNDLE_FORMAT = "ca-editor-bundle"  # the manifest's "format"; see export.manifest
STALE_STAGE_SECONDS = 3600  # a stage this old belongs to no running export


@contextlib.contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``target``; on clean exit it becomes ``target``, else it vanishes."""
    # Through symlinks: the web team's link must keep pointing at a folder that gets the new bundle.
    target = target.expanduser().resolve()
    _recover_after_crash(target)
    _refuse_foreign_folder(target)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o7777 if target.is_dir() else 0o777 & ~_umask()
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
        stage.chmod(mode)  # mkdtemp makes 0700, which would lock the web server out of the bundle
    except OSError as exc:
        raise ExportFailedError(f"cannot create a folder in {parent}: {exc.strerror or exc}") from exc
    try:
        yield stage
        # One sync flushes every page written into the stage; cheaper than an fsync per file and enough
        # that a power cut after the swap cannot leave a bundle of empty files.
        os.sync()
        _swap_in(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise


def _swap_in(stage: Path, target: Path) -> None:
    old: Path | None = None
    try:
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
            old.rmdir()
            target.rename(old)
        stage.rename(target)
    except OSError as exc:
        if old is not None and not target.exists():
            old.rename(target)  # put the previous bundle back where it was
        raise ExportFailedError(f"cannot put the new bundle in place: {exc.strerror or exc}") from exc
    fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover_after_crash(target: Path) -> None:
    if target.is_dir():
        inplace.recover(target)  # an update in place that a crash cut short: the previous bundle again
    if not target.parent.is_dir():
        return
    previous = sorted(
        (p for p in target.parent.glob(f".{target.name}.old-*") if _bundle_files(p) is not None),
        key=lambda p: p.stat().st_mtime,
    )
    if previous and not target.exists():
        with contextlib.suppress(OSError):
            previous.pop().rename(target)  # the last good bundle, back where the web team expects it
    now = time.time()
    for leftover in target.parent.glob(f".{target.name}.*-*"):
        is_old = leftover.name.startswith(f".{target.name}.old-")
        is_stale_stage = leftover.name.startswith(f".{target.name}.new-") and (
            now - leftover.stat().st_mtime > STALE_STAGE_SECONDS
        )
        if leftover.is_dir() and ((is_old and target.exists()) or is_stale_stage):
            shutil.rmtree(leftover, ignore_errors=True)


def _refuse_foreign_folder(target: Path) -> None:
    # The swap deletes what was there, so it may only ever replace an empty folder or a bundle that an
    # export wrote and nobody has added to since: never someone's files, never a database.
    if target.is_file():
        raise ExportFailedError(f"{target} is a file; choose a folder for the bundle")
    if not target.is_dir() or not any(target.iterdir()):
        return
    listed = _bundle_files(target)
    if listed is None:
        raise ExportFailedError(
            f"{target} already holds files that are not a ca-editor bundle (no ca-editor {BUNDLE_MARKER}); "
            "choose an empty or new folder"
        )
    foreign = sorted(name for name in files_under(target) if name not in listed)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ExportFailedError(
            f"{target} holds files the last export did not write ({shown}); move them out of the bundle "
            "folder or choose another one, so that replacing the bundle cannot delete them"
        )


def files_under(folder: Path) -> Iterator[str]:
    """Every non-folder entry under ``folder``, as a '/'-separated relative name (scandir: fast on 100k)."""
    skip = len(str(folder)) + 1
    for directory, _folders, names in os.walk(folder):
        relative = directory[skip:].replace(os.sep, "/")
        for name in names:
            yield f"{relative}/{name}" if relative else name


def _bundle_files(folder: Path) -> set[str] | None:
    """The files an earlier export wrote into ``folder``, from its manifest; ``None`` if it is no bundle."""
    try:
        manifest = json.loads((folder / BUNDLE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != BUNDLE_FORMAT:
        return None
    files = manifest.get("files")
    return {*files, BUNDLE_MARKER} if isinstance(files, dict) else None


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
