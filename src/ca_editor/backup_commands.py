"""``ca-editor backup | backups | restore | salvage``: the command-line side of ``persistence.backup``.

``backups``, ``restore`` and ``salvage`` work on the file itself without opening it as the app does, because
they are what a damaged database needs; ``backup`` opens it normally (a damaged file is refused).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from ca_editor.domain.errors import StorageError

COMMANDS = ("backup", "backups", "restore", "salvage")


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    backup = commands.add_parser("backup", help="back up the database file now and print the backup's path")
    backup.add_argument("--reason", default="manual", help="a word or two kept in the name (default: manual)")
    commands.add_parser("backups", help="list the database's backups, newest first")
    restore = commands.add_parser(
        "restore", help="replace the database with a backup (the current file is kept as a backup too)"
    )
    which = restore.add_mutually_exclusive_group(required=True)
    which.add_argument("backup", nargs="?", type=Path, metavar="BACKUP", help="a backup's path or file name")
    which.add_argument("--latest", action="store_true", help="the newest good backup")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation (for scripts)")
    salvage = commands.add_parser(
        "salvage", help="copy every row that can still be read from a damaged database into a new file"
    )
    salvage.add_argument(
        "--into", type=Path, metavar="PATH", help="the new file (default: beside the database)"
    )


def run(args: argparse.Namespace) -> int:
    from ca_editor.locations import backups_dir, database_url
    from ca_editor.persistence import backup as files

    if args.command == "backup":
        from ca_editor.app import open_services

        services = open_services(args.db)
        try:
            taken = services.backups.backup(args.reason)
        finally:  # the watcher's own connection too: left to the garbage collector, it blocked a restore
            services.backups.close()
            services.db.dispose()
        print(taken.path)
        return 0
    file = files.sqlite_file(database_url(args.db))
    if file is None:
        raise StorageError(
            "ca-editor backs up SQLite files only; a database server's own backups (e.g. pg_dump) apply"
        )
    if args.command == "backups":
        backups = files.list_backups(file)
        if not backups:
            print(f"no backups of {file} (they would be in {backups_dir(file)})")
        for backup in backups:
            print(f"{_when(backup.taken_at)}  {backup.reason:<22} {_size(backup.size):>9}  {backup.path}")
        return 0
    if args.command == "salvage":
        stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
        target = args.into or file.with_name(f"{file.stem}-salvaged-{stamp}{file.suffix}")
        from ca_editor.persistence.salvage import salvage

        report = salvage(file, target)
        print(report.summary().capitalize())
        for table in report.tables:
            note = "" if table.complete else f"  (incomplete: {table.problem})"
            print(f"  {table.name}: {table.rows} rows{note}")
        print(f"To use it: ca-editor --db {_quoted(file)} restore {_quoted(target)}")
        return 0
    if args.command == "restore":
        source = _chosen_backup(file, args.backup, latest=args.latest)
        if not args.yes and not _confirm(file, source):
            print("Nothing was changed.")
            return 1
        kept = files.restore(file, source)
        print(f"restored {file} from {source}")
        if kept is not None:
            print(f"the previous file is kept as {kept.path}")
        return 0
    raise AssertionError(args.command)


def _chosen_backup(file: Path, named: Path | None, *, latest: bool) -> Path:
    from ca_editor.locations import backups_dir
    from ca_editor.persistence import backup as files

    if latest or named is None:
        newest = files.newest_good(file)
        if newest is None:
            raise StorageError(f"there is no backup of {file} in {backups_dir(file)}")
        return newest.path
    if named.exists():
        return named
    in_folder = backups_dir(file) / named.name
    if in_folder.exists():
        return in_folder
    raise StorageError(f"no backup named {named} (neither a file nor in {backups_dir(file)})")


def _confirm(file: Path, source: Path) -> bool:
    if not sys.stdin.isatty():
        raise StorageError(f"restoring replaces {file}; add --yes to do it without being asked")
    answer = input(f"Replace {file} with {source}? The current file is kept as a backup. [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _quoted(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))
