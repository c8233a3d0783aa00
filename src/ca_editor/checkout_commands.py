"""``ca-editor checkout | checkin | checkouts``: taking a section offline and bringing it back.

``checkout SLUG --into laptop.sqlite3 [--months 12]`` copies the section from ``--db`` into a new SQLite
desk; ``checkout SLUG --release`` releases an abandoned check-out (who and when are recorded);
``checkouts`` lists the open ones. ``checkin laptop.sqlite3`` merges the laptop desk back into the desk it
came from (``--db`` names another address of it, with a password or another login); with conflicts it
prints them and changes nothing unless ``--prefer mine`` or ``--prefer theirs`` settles them all
(``services/checkout.py``, ``services/checkin.py``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ca_editor.services.checkin import CheckinPlan
    from ca_editor.services.container import Services

COMMANDS = ("checkout", "checkin", "checkouts")


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    checkout = commands.add_parser(
        "checkout",
        help="take a section offline into a new SQLite laptop desk (or --release an abandoned check-out)",
        description="Copy the section (settings, block, overrides, former slots, snapshots), its stories, "
        "the archive of the last N months and their pictures from --db into a new SQLite desk that "
        "remembers where it came from. The section stays editable here; `ca-editor checkin` merges both.",
    )
    checkout.add_argument("section", metavar="SECTION", help="the section's slug")
    what = checkout.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--into", type=Path, metavar="LAPTOP.sqlite3", help="the new desk file (must not exist)"
    )
    what.add_argument(
        "--release",
        action="store_true",
        help="release the section's open check-outs (an abandoned laptop): they can no longer be checked in",
    )
    checkout.add_argument(
        "--months",
        type=int,
        metavar="N",
        help="months of archive to take along, by publication date (default: 12)",
    )
    checkin = commands.add_parser(
        "checkin",
        help="bring a laptop desk back: a three-way merge into the desk it was taken from",
        description="Merge the laptop desk's section back into the desk it came from (its address is in the "
        "laptop desk, without a password: ~/.pgpass or --db supply one), in one transaction. Conflicts are "
        "printed and nothing changes unless --prefer settles them; whichever side loses is kept (a former "
        "slot, or a draft copy of the story).",
    )
    checkin.add_argument("laptop", type=Path, metavar="LAPTOP.sqlite3")
    checkin.add_argument(
        "--prefer",
        choices=("mine", "theirs"),
        help="settle every conflict for the laptop's version (mine) or the shared desk's (theirs)",
    )
    commands.add_parser("checkouts", help="list the sections taken offline: by whom, since when, to where")


def run(args: argparse.Namespace) -> int:
    from ca_editor.app import open_services

    if args.command == "checkin":
        from ca_editor.services.checkin import laptop_origin

        target = args.db or laptop_origin(args.laptop).origin_url
        _refuse_missing_file(target)
        return _checkin(open_services(target, seed_demo=False), args)
    services = open_services(args.db)  # a new desk gets the demo section, as for every other command
    if args.command == "checkouts":
        return _list(services)
    section_id = services.section_id(args.section)
    if args.release:
        released = services.checkouts.release(section_id)
        if not released:
            print(f"section '{args.section}' is not taken offline; nothing was released")
            return 0
        for checkout in released:
            print(f"released: {_describe(checkout)}")
        return 0
    from ca_editor.services.checkout import DEFAULT_MONTHS

    months = DEFAULT_MONTHS if args.months is None else args.months
    result = services.checkouts.checkout(section_id, args.into, months)
    print(result.summary())
    print(
        f"work on it with: ca-editor --db {result.path}; bring it back with: ca-editor checkin {result.path}"
    )
    return 0


def _refuse_missing_file(target: str) -> None:
    """A desk file that moved: say so, rather than let opening it create an empty desk there."""
    from ca_editor.domain.errors import StorageError
    from ca_editor.locations import database_url
    from ca_editor.persistence.backup import sqlite_file

    file = sqlite_file(database_url(target))
    if file is not None and not file.exists():
        raise StorageError(
            f"the desk this laptop desk came from, {file}, is not there; name it with --db. "
            "Nothing was checked in."
        )


def _list(services: Services) -> int:
    active = services.checkouts.active()
    if not active:
        print("no section is taken offline")
    for checkout in active:
        print(_describe(checkout))
    return 0


def _describe(checkout: Any) -> str:
    from ca_editor.domain.local_time import local_time

    since = local_time(checkout.since)
    return (
        f"{checkout.section_slug}: taken offline by {checkout.who} since {since} "
        f"({checkout.months} months of archive) to {checkout.taken_to}"
    )


def _checkin(services: Services, args: argparse.Namespace) -> int:
    plan = services.checkins.plan_checkin(args.laptop)
    if plan.conflicts and args.prefer is None:
        _print_conflicts(plan)
        return 1
    choices = plan.every(args.prefer) if args.prefer else {}
    result = services.checkins.apply_checkin(plan, choices)
    print(result.summary())
    for conflict in plan.conflicts:
        print(f"  {conflict.label}: took {'the laptop' if args.prefer == 'mine' else 'the shared desk'}'s")
    notices = result.applied.notices if result.applied is not None else []
    for notice in notices:
        print(f"  {notice}")
    return 0


def _print_conflicts(plan: CheckinPlan) -> None:
    count = len(plan.conflicts)
    print(
        f"ca-editor: {count} conflict{'s' if count != 1 else ''} between the laptop and the shared desk; "
        "nothing was checked in. Check in with --prefer mine (the laptop's version) or --prefer theirs "
        "(the shared desk's); whichever loses is kept as a former slot or a draft copy.",
        file=sys.stderr,
    )
    for conflict in plan.conflicts:
        base, theirs, mine = conflict.texts
        print(f"  {conflict.label}", file=sys.stderr)
        print(f"    when taken offline: {base}", file=sys.stderr)
        print(f"    shared desk now:    {theirs}", file=sys.stderr)
        print(f"    laptop:             {mine}", file=sys.stderr)
    for notice in plan.notices:
        print(f"  {notice}", file=sys.stderr)
