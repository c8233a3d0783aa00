"""Update a bundle folder in place, with an undo journal, so that a crash or an error leaves the old bundle.

An incremental export changes a handful of files out of thousands; building a whole new folder beside the
old one to swap it in costs far more than the change. Instead, before touching anything, the update makes a
journal folder inside the bundle (``JOURNAL``) holding a hard link to the old version of every file it will
replace or delete, and a plan naming every file it will create. Then each new file is written in the journal
and renamed over its target (``os.replace``: a reader sees the old or the new file, never half of one), the
manifest last, and the journal is removed: that removal is the commit.

Any error or a cancel rolls back from the journal before it is re-raised. A crash (kill -9, power cut)
leaves the journal behind; the next export, of either kind, rolls it back first (``recover``), so the
folder holds the previous bundle again, byte for byte. An exclusive ``flock`` on the bundle folder keeps a
second export (another window) from rolling back an update that is still running.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from ca_editor.domain.errors import ExportFailedError
from ca_editor.durable import fsync_dir, replace_atomically

JOURNAL = ".ca-editor-update"
_PLAN = "plan.json"
_OLD = "old"  # journal/old/<n>: hard link to the old version of entry n
_NEW = "new"  # journal/new/<n>: new content of entry n, before it is renamed into place


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    """Hold the bundle folder for this export; roll back what a crashed update left. Fails if it is busy."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise ExportFailedError(
                    f"another export is updating {root}; export again when it has finished"
                ) from exc
            raise
        rollback(root)
        yield
    finally:
        os.close(fd)  # releases the lock


def recover(root: Path) -> None:
    """Roll back an update that a crash interrupted, if any (a no-op when there is no journal)."""
    if (root / JOURNAL).is_dir():
        with locked(root):
            pass


def rollback(root: Path) -> None:
    """Put back every file the journal holds, delete the files the update created, drop the journal."""
    journal = root / JOURNAL
    if not journal.is_dir():
        return
    try:
        plan = json.loads((journal / _PLAN).read_text(encoding="utf-8"))
    except FileNotFoundError:
        plan = None  # the crash came before the plan: nothing in the bundle was touched yet
    if plan is not None:
        entries = plan["entries"]
        for number, (relative, existed) in enumerate(entries):
            target = root / relative
            saved = journal / _OLD / str(number)
            if existed:
                if saved.exists():  # else already put back by a rollback that was itself interrupted
                    target.parent.mkdir(parents=True, exist_ok=True)
                    saved.replace(target)
            else:
                target.unlink(missing_ok=True)
        for folder in reversed(plan["new_folders"]):
            with contextlib.suppress(OSError):
                (root / folder).rmdir()
        fsync_dir(root)
    shutil.rmtree(journal)
    fsync_dir(root)


def apply(
    root: Path,
    writes: Mapping[str, bytes],
    deletes: Iterable[str],
    manifest: tuple[str, Iterable[bytes]],
    *,
    before_file: Callable[[], None] | None = None,
    after_file: Callable[[], None] | None = None,
) -> None:
    """Write ``writes`` (path -> bytes), delete ``deletes``, then write the manifest, all or nothing.

    The caller holds ``locked(root)``. ``before_file`` runs before each file is written and may raise (a
    cancel); any error rolls everything back and is re-raised.
    """
    manifest_path, manifest_chunks = manifest
    removed = sorted(set(deletes))
    changed = [*sorted(writes), *removed, manifest_path]
    journal = root / JOURNAL
    try:
        (journal / _OLD).mkdir(parents=True)
        (journal / _NEW).mkdir()
        entries: list[tuple[str, bool]] = []
        for number, relative in enumerate(changed):
            existed = _save(root / relative, journal / _OLD / str(number))
            entries.append((relative, existed))
        parents = {relative.rpartition("/")[0] for relative in writes}
        new_folders = sorted(f for f in parents if f and not (root / f).is_dir())
        plan = json.dumps({"entries": entries, "new_folders": new_folders})
        replace_atomically(journal / _PLAN, plan, temporary=journal / f"{_PLAN}.tmp", sync_folder=False)
        fsync_dir(journal / _OLD)
        fsync_dir(journal)
        # From here on the bundle changes; the plan on disk says how to undo every step.
        for folder in new_folders:
            (root / folder).mkdir(parents=True, exist_ok=True)
        touched = {""}
        for number, relative in enumerate(changed[: len(writes)]):
            if before_file is not None:
                before_file()
            # Staged in the journal (same disk); the folders are fsynced once each at the end.
            staged = journal / _NEW / str(number)
            replace_atomically(root / relative, writes[relative], temporary=staged, sync_folder=False)
            touched.add(relative.rpartition("/")[0])
            if after_file is not None:
                after_file()
        if before_file is not None:
            before_file()
        for relative in removed:
            (root / relative).unlink(missing_ok=True)
            touched.add(relative.rpartition("/")[0])
        for folder in sorted({r.rpartition("/")[0] for r in removed} - {""}, reverse=True):
            with contextlib.suppress(OSError):  # a full export would not have the emptied folder either
                (root / folder).rmdir()
        staged = journal / _NEW / "manifest"
        replace_atomically(root / manifest_path, manifest_chunks, temporary=staged, sync_folder=False)
        for folder in sorted(touched):
            fsync_dir(root / folder if folder else root)
    except BaseException:
        rollback(root)
        raise
    # The commit: without the journal, the next export has nothing to roll back.
    shutil.rmtree(journal)
    fsync_dir(root)


def _save(target: Path, saved: Path) -> bool:
    """Keep the current version of ``target`` in the journal; False if there is none."""
    try:
        os.link(target, saved)
    except FileNotFoundError:
        return False
    except OSError:
        # A file system without hard links: a copy keeps the old bytes just as well.
        try:
            shutil.copyfile(target, saved)
        except FileNotFoundError:
            return False
        saved.chmod(target.stat().st_mode & 0o7777)
    return True
