"""Replace a folder atomically: build beside it, then swap by rename.

``os.replace`` onto a non-empty folder fails, so the swap is: rename the old bundle away, rename the new one
in, then delete the old. Until the new one is in place the old one is whole. A crash between the two renames
leaves it intact under its temporary name next to the target: the next export first puts it back, and
clears away stages that crashed exports left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ca_editor.domain.errors import ExportFailedError

BUNDLE_MARKER = "manifest.json"
STALE_STAGE_SECONDS = 3600  # a stage this old belongs to no running export


@contextlib.contextmanager
def staged_directory(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside ``target``; on clean exit it becomes ``target``, else it vanishes."""
    target = target.expanduser().absolute()
    _recover_after_crash(target)
    _refuse_foreign_folder(target)
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=parent))
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
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _recover_after_crash(target: Path) -> None:
    if not target.parent.is_dir():
        return
    previous = sorted(
        (p for p in target.parent.glob(f".{target.name}.old-*") if (p / BUNDLE_MARKER).is_file()),
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
    # The swap deletes what was there: only ever an earlier bundle or an empty folder, never someone's files.
    if target.is_file():
        raise ExportFailedError(f"{target} is a file; choose a folder for the bundle")
    if target.is_dir() and any(target.iterdir()) and not (target / BUNDLE_MARKER).is_file():
        raise ExportFailedError(
            f"{target} already holds files that are not a ca-editor bundle (no {BUNDLE_MARKER}); "
            "choose an empty or new folder"
        )


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can fsync a directory
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
