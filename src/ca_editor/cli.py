"""Command line: the desktop window by default; import, export and migrate for scripts and the web team."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ca_editor import __version__
from ca_editor.domain.errors import CaEditorError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ca-editor", description="Curate a section page and export it.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        help="SQLite file or SQLAlchemy URL (default: $CA_EDITOR_DB, else the user data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="the name recorded with changes and sign-offs (default: $CA_EDITOR_USER, else the login name)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("gui", help="open the desk window (the default)")
    importing = commands.add_parser("import", help="import stories from a JSON Lines file")
    importing.add_argument("file", type=Path, metavar="FILE.jsonl")
    exporting = commands.add_parser("export", help="write the section page bundle into a folder")
    exporting.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    exporting.add_argument("--section", metavar="SLUG", help="section to export (default: the first)")
    commands.add_parser("migrate", help="create or upgrade the database, then exit")
    sheet = commands.add_parser(
        "review-sheet", help="save a printable PDF of the layout, its checklist and the last sign-off"
    )
    sheet.add_argument("out", type=Path, metavar="OUT.pdf")
    sheet.add_argument("--section", metavar="SLUG", help="section to print (default: the first)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except CaEditorError as exc:
        print(f"ca-editor: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _run(args: argparse.Namespace) -> int:
    from ca_editor.app import open_services

    command = args.command or "gui"
    if command == "gui":
        from ca_editor.ui.launch import run, show_startup_error

        try:
            services = open_services(args.db)
        except CaEditorError as exc:  # someone who started the window may never see a terminal
            show_startup_error(str(exc))
            raise
        if args.user:
            services.identity.set(args.user)  # this run only; the window does not ask or remember it
        return run(services)
    services = open_services(args.db, seed_demo=command != "migrate")
    if args.user:
        services.identity.set(args.user)
    if command == "migrate":
        print(f"database ready: {services.db.url}")
        return 0
    if command == "import":
        report = services.imports.import_jsonl(args.file)
        print(f"{report.source}: {len(report.created)} created, {len(report.updated)} updated")
        return 0
    if command == "export":
        manifest = services.exports.export(services.section_id(args.section), args.out_dir)
        print(f"exported {len(manifest.files)} files to {args.out_dir}")
        for problem in manifest.problems:
            print(f"  note: {problem}")
        return 0
    if command == "review-sheet":
        from ca_editor.ui.sheet import ensure_gui_application, write_review_sheet

        section_id = services.section_id(args.section)
        ensure_gui_application()  # fonts and painting need one; offscreen without a display
        print(write_review_sheet(services, section_id, args.out))
        return 0
    raise AssertionError(command)
