"""``--db`` and ``--user`` on either side of the command, as people type them (issue 19, item 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ca_editor.cli import build_parser


def commands() -> list[str]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    return sorted(subparsers.choices)  # type: ignore[arg-type]


def required_arguments(command: str) -> list[str]:
    """What each command needs besides the options, so that it parses."""
    return {
        "import": ["feed.xml"],
        "export": ["out"],
        "review-sheet": ["out.pdf"],
        "restore": ["--latest"],
        "copy": ["--to", "elsewhere.sqlite3"],
        "section": ["list"],
        "checkout": ["central-asia", "--release"],
        "checkin": ["laptop.sqlite3"],
        "variant": ["list", "central-asia"],
    }.get(command, [])


@pytest.mark.parametrize("command", commands())
def test_db_and_user_are_taken_after_every_command(command: str) -> None:
    argv = [command, *required_arguments(command), "--db", "after.sqlite3", "--user", "Ann"]
    args = build_parser().parse_args(argv)
    assert (args.command, args.db, args.user) == (command, "after.sqlite3", "Ann")


@pytest.mark.parametrize("command", commands())
def test_an_option_before_the_command_is_not_overwritten_by_its_absence_after(command: str) -> None:
    args = build_parser().parse_args(
        ["--db", "before.sqlite3", "--user", "Bo", command, *required_arguments(command)]
    )
    assert (args.db, args.user) == ("before.sqlite3", "Bo")


def test_absent_everywhere_is_none_and_after_wins_over_before() -> None:
    parser = build_parser()
    args = parser.parse_args(["export", "out"])
    assert (args.db, args.user) == (None, None)
    args = parser.parse_args(["--db", "before.sqlite3", "export", "out", "--db", "after.sqlite3"])
    assert args.db == "after.sqlite3"
    assert parser.parse_args([]).db is None  # no command: the window, with the default database


def test_help_says_the_options_go_either_side() -> None:
    parser = build_parser()
    main_help = " ".join(parser.format_help().split())
    assert "--db and --user may come before or after COMMAND" in main_help
    assert "ca-editor export OUT --db desk.sqlite3" in main_help
    subparsers = next(a for a in parser._actions if a.dest == "command")
    export_help = subparsers.choices["export"].format_help()  # type: ignore[index]
    assert "options of every command (before or after COMMAND)" in export_help
    assert "--db PATH_OR_URL" in export_help
    assert "--user NAME" in export_help


def test_export_with_db_after_the_command_runs_end_to_end(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "ca_editor", "export", str(out), "--db", str(db), "--user", "Ann Editor"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "unrecognized arguments" not in done.stderr
    assert db.is_file()  # the database named after the command, not the default one
    assert (out / "index.html").is_file()
