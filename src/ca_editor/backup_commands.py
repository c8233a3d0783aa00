"""``ca-editor backup | backups | restore | salvage | check-db``: the command-line side of the backups.

On an SQLite file (``persistence.backup``) ``backups``, ``restore``, ``salvage`` and ``check-db`` work on the
file itself without opening it as the app does, because they are what a damaged database needs; ``backup``
opens it normally (a damaged file is refused). On a database server (``persistence.server_backup``) a
backup is the desk copied into an SQLite file on this computer and a restore copies one back; ``salvage``
is refused (it is about a damaged SQLite file); ``check-db`` reports what a desk login can check.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ca_editor.domain.errors import StorageError

if TYPE_CHECKING:
    from ca_editor.persistence.backup import Backup

COMMANDS = ("backup", "backups", "restore", "salvage", "check-db")


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    backup = commands.add_parser(
        "backup", help="back up the database now (a server's: into an SQLite file here) and print its path"
    )
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
    commands.add_parser(
        "check-db",
        help="check the database without changing it (SQLite: quick_check; both: schema, references, rows)",
    )


def run(args: argparse.Namespace) -> int:
    from ca_editor.locations import backups_dir, database_url
    from ca_editor.persistence import backup as files

    if args.command == "backup":
        from ca_editor.app import open_services
        from ca_editor.cli_progress import bar

        services = open_services(args.db)
        try:
            with bar("backing up", "rows") as progress:  # a server's backup is a copy; a file's says nothing
                taken = services.backups.backup(args.reason, progress=progress)
        finally:  # the watcher's own connection too: left to the garbage collector, it blocked a restore
            services.backups.close()
            services.db.dispose()
        print(taken.path)
        return 0
    url = database_url(args.db)
    if args.command == "check-db":
        return _check(url)
    file = files.sqlite_file(url)
    if file is None:
        if url.startswith("sqlite"):
            raise StorageError("an in-memory database has no backups")
        return _run_on_server(args, url)
    if args.command == "backups":
        backups = files.list_backups(file)
        if not backups:
            print(f"no backups of {file} (they would be in {backups_dir(file)})")
        _print_backups(backups)
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
        source = _chosen_backup(
            backups_dir(file), args.backup, latest=args.latest, newest=files.newest_good(file)
        )
        if not args.yes and not _confirm(str(file), source):
            print("Nothing was changed.")
            return 1
        kept = files.restore(file, source)
        print(f"restored {file} from {source}")
        if kept is not None:
            print(f"the previous file is kept as {kept.path}")
        return 0
    raise AssertionError(args.command)


def _run_on_server(args: argparse.Namespace, url: str) -> int:
    """``backups``, ``restore`` and ``salvage`` on a database server (``persistence.server_backup``)."""
    from ca_editor.locations import server_backups_dir, shown_url
    from ca_editor.persistence import server_backup

    folder = server_backups_dir(url)
    if args.command == "salvage":
        from ca_editor.services.backups import SALVAGE_ON_SERVER

        raise StorageError(SALVAGE_ON_SERVER.format(name=shown_url(url)))
    if args.command == "backups":
        backups = server_backup.list_backups(url)
        if not backups:
            print(f"no backups of {shown_url(url)} on this computer (they would be in {folder})")
        _print_backups(backups)
        return 0
    if args.command == "restore":
        newest = server_backup.newest_good(url)
        source = _chosen_backup(folder, args.backup, latest=args.latest, newest=newest)
        if not args.yes and not _confirm(shown_url(url), source, server=True):
            print("Nothing was changed.")
            return 1
        from ca_editor.cli_progress import bar

        with bar("restoring", "rows") as progress:
            kept = server_backup.restore(url, source, progress=progress)
        print(f"restored {shown_url(url)} from {source} (one transaction: every desk sees it now)")
        print(f"the desk as it was is kept as {kept.path}")
        return 0
    raise AssertionError(args.command)


def _check(url: str) -> int:
    from ca_editor.persistence.db_check import check_database

    findings = check_database(url)
    for finding in findings:
        print(finding)
    return 0 if all(f.ok for f in findings) else 1


def _print_backups(backups: list[Backup]) -> None:
    for backup in backups:
        print(f"{_when(backup.taken_at)}  {backup.reason:<22} {_size(backup.size):>9}  {backup.path}")


def _chosen_backup(folder: Path, named: Path | None, *, latest: bool, newest: Backup | None) -> Path:
    if latest or named is None:
        if newest is None:
            raise StorageError(f"there is no backup in {folder}")
        return newest.path
    if named.exists():
        return named
    in_folder = folder / named.name
    if in_folder.exists():
        return in_folder
    raise StorageError(f"no backup named {named} (neither a file nor in {folder})")


def _confirm(database: str, source: Path, *, server: bool = False) -> bool:
    if not sys.stdin.isatty():
        raise StorageError(f"restoring replaces {database}; add --yes to do it without being asked")
    kept = "The desk as it is now is kept as a backup; every desk on the server sees the restored one."
    if not server:
        kept = "The current file is kept as a backup."
    answer = input(f"Replace {database} with {source}? {kept} [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


def _quoted(path: Path) -> str:
    import shlex

    return shlex.quote(str(path))
