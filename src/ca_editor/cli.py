"""Command line: the desktop window by default; import, export and migrate for scripts and the web team.

Each command imports what it uses, inside its branch, and the services are built on first use
(``services.container``): an export never loads the importers, ``--version`` no database code, and a
no-change export answers without SQLAlchemy (``export_uptodate``). ``tests/integration/test_cli_startup.py``
checks ``sys.modules`` of each command in a child process; ``bench/cli_startup.py`` times them.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ca_editor import (
    __version__,
    backup_commands,
    checkout_commands,
    copy_commands,
    section_commands,
    variant_commands,
)
from ca_editor.domain.errors import CaEditorError

if TYPE_CHECKING:
    from ca_editor.services.container import Services


GLOBAL_OPTIONS_NOTE = (
    "--db and --user may come before or after COMMAND: "
    "`ca-editor --db desk.sqlite3 export OUT` and `ca-editor export OUT --db desk.sqlite3` are the same."
)


def _add_global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """``--db`` and ``--user``, for the main parser (``default`` None) and for every command's own.

    A command's copy has ``default=argparse.SUPPRESS``: when the option is not given after the command,
    argparse sets nothing, so a value given before the command is not overwritten with None.
    """
    group = parser.add_argument_group("options of every command (before or after COMMAND)")
    group.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=default,
        help="SQLite file or SQLAlchemy URL (default: $CA_EDITOR_DB, else the user data folder)",
    )
    group.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help=(
            "the name recorded with changes and sign-offs (default: $CA_EDITOR_USER, else the login name); "
            "on PostgreSQL the database login is recorded and this becomes its display name, once"
        ),
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ca-editor", description="Curate a section page and export it.", epilog=GLOBAL_OPTIONS_NOTE
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_global_options(parser, default=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the desk window (the default)")
    importing = commands.add_parser(
        "import", help="import stories from RSS/Atom feeds, JSON Lines or Markdown files (all or nothing)"
    )
    importing.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="a file or a folder of .md")
    importing.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    importing.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid entries and list the invalid ones (default: an invalid entry imports nothing)",
    )
    exporting = commands.add_parser("export", help="write the section page bundle into a folder")
    exporting.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    which = exporting.add_mutually_exclusive_group()
    which.add_argument("--section", metavar="SLUG", help="section to export (default: the first live one)")
    which.add_argument(
        "--all",
        action="store_true",
        help="every live section in one bundle (the first at index.html, the others at sections/SLUG/)",
    )
    exporting.add_argument(
        "--override-reason",
        metavar="TEXT",
        help="export despite checklist errors; the reason is recorded in the manifest",
    )
    exporting.add_argument(
        "--include-unapproved",
        action="store_true",
        help="export slotted stories that are not approved as they are (the manifest lists them)",
    )
    exporting.add_argument(
        "--force",
        action="store_true",
        help="export even when nothing changed since OUT_DIR's last export (otherwise: 'up to date')",
    )
    exporting.add_argument(
        "--as-of",
        type=variant_commands.moment,
        metavar="DATETIME",
        help="index.html shows the layout live then (desk's time zone; default: now); see 'variant'",
    )
    checking = commands.add_parser("check", help="run the pre-export checklist; exit status 1 on errors")
    checking.add_argument("--section", metavar="SLUG", help="section to check (default: the first)")
    checking.add_argument("--json", action="store_true", help="print the findings as JSON")
    checking.add_argument(
        "--variant", metavar="NAME", help="check a scheduled layout's block (default: main)"
    )
    checking.add_argument(
        "--include-unapproved", action="store_true", help="check as for export --include-unapproved"
    )
    commands.add_parser("migrate", help="create or upgrade the database, then exit")
    sheet = commands.add_parser(
        "review-sheet", help="save a printable PDF of the layout, its checklist and the last sign-off"
    )
    sheet.add_argument("out", type=Path, metavar="OUT.pdf")
    sheet.add_argument("--section", metavar="SLUG", help="section to print (default: the first)")
    backup_commands.add_parsers(commands)
    copy_commands.add_parsers(commands)
    checkout_commands.add_parsers(commands)
    section_commands.add_parsers(
        commands, lambda action: _add_global_options(action, default=argparse.SUPPRESS)
    )
    variant_commands.add_parsers(
        commands, lambda action: _add_global_options(action, default=argparse.SUPPRESS)
    )
    for command in commands.choices.values():  # every command, whoever added it, takes them after itself
        _add_global_options(command, default=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except CaEditorError as exc:
        print(f"ca-editor: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C: one line, no traceback; what was under way left nothing half-done
        print(f"ca-editor: interrupted; {_INTERRUPTED.get(args.command, 'stopped')}.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `ca-editor import --dry-run FEED | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
        return 0
    finally:
        if argv is None:  # the program itself, not a test calling in: it exits next
            # Interpreter shutdown collects every object SQLAlchemy and the models made (60-100 ms here);
            # frozen, they are left to the exit like any process's memory. Nothing of ours needs finalizing
            # by the collector: connections and files are closed by their own ``with`` blocks.
            gc.freeze()


_INTERRUPTED = {  # what Ctrl+C left, per command (each one writes in one transaction or swaps a folder)
    "import": "nothing was imported (the import is one transaction)",
    "export": "the bundle folder is as it was",
    "migrate": "the database is as it was (a migration is one transaction)",
    "copy": "the target is as it was (the copy is one transaction)",
    "checkin": "the shared desk is as it was, or the check-in is done there; run it again to finish it",
}


def _run(args: argparse.Namespace) -> int:
    command = args.command or "gui"
    if command == "export" and _up_to_date(args):
        return 0
    from ca_editor.app import open_services

    if command in backup_commands.COMMANDS:
        return backup_commands.run(args)
    if command == copy_commands.COMMAND:
        return copy_commands.run(args)
    if command in checkout_commands.COMMANDS:
        return checkout_commands.run(args)
    if command == "gui":
        from ca_editor.persistence.backup import DamagedDatabaseError
        from ca_editor.ui.launch import run, show_startup_error

        try:
            try:
                services = open_services(args.db)
            except DamagedDatabaseError as damaged:  # offer: restore the newest good backup, salvage, quit
                from ca_editor.ui.backups import offer_recovery

                if not offer_recovery(damaged):
                    print(f"ca-editor: {damaged}", file=sys.stderr)
                    return 1
                services = open_services(args.db)
        except CaEditorError as exc:  # someone who started the window may never see a terminal
            show_startup_error(str(exc))
            raise
        _adopt_name(services, args.user)  # this run only on SQLite; a server keeps a login's first name
        return run(services)
    services = open_services(args.db, seed_demo=command != "migrate")
    _adopt_name(services, args.user)
    if command == "migrate":
        print(f"database ready: {services.db.display_name}")
        return 0
    if command == "import":
        from ca_editor import import_command

        return import_command.run(services, args)
    if command == "export":
        return _export(services, args)
    if command == "check":
        return _check(services, args)
    if command == section_commands.COMMAND:
        return section_commands.run(services, args)
    if command == variant_commands.COMMAND:
        return variant_commands.run(services, args)
    if command == "review-sheet":
        from ca_editor.ui.sheet import ensure_gui_application, write_review_sheet

        section_id = services.section_id(args.section)
        ensure_gui_application()  # fonts and painting need one; offscreen without a display
        print(write_review_sheet(services, section_id, args.out))
        return 0
    raise AssertionError(command)


def _adopt_name(services: Services, typed: str | None) -> None:
    """``--user``: the name for this run on SQLite; on a server the login's display name, the first time
    only (``services.people``): a later one renames nobody, and the command says so."""
    if typed or services.people.shared:
        note = services.people.adopt(typed or "")
        if note:
            print(f"ca-editor: {note}", file=sys.stderr)


def _up_to_date(args: argparse.Namespace) -> bool:
    """Nothing changed since OUT_DIR's export: say so and write nothing (no ORM loaded; see the module)."""
    if args.force or args.override_reason is not None or args.include_unapproved or args.all or args.as_of:
        return False
    from ca_editor.export_uptodate import up_to_date

    said = up_to_date(args.db, args.out_dir, args.section)
    if said is not None:
        print(said)
    return said is not None


def _check(services: Services, args: argparse.Namespace) -> int:
    """Print the checklist; exit status 1 when it has errors (warnings do not count)."""
    import json

    from ca_editor.domain.release import finding_json

    section_id = services.section_id(args.section)
    variant_id = services.variants.find(section_id, args.variant).id if args.variant else None
    report = services.checks.run(
        section_id, include_unapproved=args.include_unapproved, variant_id=variant_id
    )
    if args.json:
        document = {
            "section": args.section or services.sections.layout(section_id).section.slug,
            "ok": report.ok,
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "findings": [finding_json(f) for f in report.findings],
        }
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)")
        for finding in report.findings:
            print(f"  {finding}")
    return 0 if report.ok else 1


def _export(services: Services, args: argparse.Namespace) -> int:
    from ca_editor.domain.release import Release, ReleaseBlockedError

    if args.override_reason is not None and not args.override_reason.strip():
        print("ca-editor: --override-reason is empty; say why the export goes ahead. Nothing was exported.",
              file=sys.stderr)  # fmt: skip
        return 2
    release = Release(override_reason=args.override_reason or "", include_unapproved=args.include_unapproved)
    from ca_editor.cli_progress import bar

    try:
        with bar("exporting", "files") as progress:  # in a terminal only
            if args.all:
                from ca_editor.services.export_all import export_all

                manifest = export_all(
                    services.exports, args.out_dir, release=release, progress=progress, as_of=args.as_of
                )
            else:
                manifest = services.exports.export(
                    services.section_id(args.section),
                    args.out_dir,
                    release=release,
                    progress=progress,
                    as_of=args.as_of,
                )
    except ReleaseBlockedError as blocked:
        whose = f" of section '{blocked.section_slug}'" if blocked.section_slug else ""
        print(f"ca-editor: the checklist{whose} has errors; nothing was exported:", file=sys.stderr)
        for finding in blocked.report.errors:
            print(f"  {finding}", file=sys.stderr)
        print("Fix them, or export anyway with --override-reason TEXT (it is recorded).", file=sys.stderr)
        return 1
    from ca_editor.services.export_record import summary_lines

    print(f"exported {len(manifest.files)} files to {args.out_dir}")
    for entry in manifest.sections:  # --all: where each section's page is
        print(f"  section {entry['slug']}: {entry['page']}")
    for line in summary_lines(manifest):  # the lines its export mark keeps for an "up to date" answer
        print(line)
    return 0
