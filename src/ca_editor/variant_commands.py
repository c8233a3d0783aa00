"""``ca-editor variant add | list | set | remove | slots``: a section's scheduled layouts, by command.

Times are typed in the desk's time zone (this computer's), ``2026-12-12 18:00`` or with an offset
(``2026-12-12T18:00+05:00``), and stored in UTC (``domain.schedule.parse_moment``). A window that overlaps
another variant's is refused, naming it. ``variant slots SECTION NAME --export FILE`` writes the layout's
block as JSON Lines (``-``: standard output) and ``--import FILE`` makes the block what such a file says,
all or nothing (``services.variant_slots``); NAME ``main`` is the main layout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ca_editor.domain.local_time import full_time
from ca_editor.domain.schedule import ScheduleError, parse_moment

if TYPE_CHECKING:
    from ca_editor.domain.schedule import LayoutVariant
    from ca_editor.services.container import Services

COMMAND = "variant"
MAIN = "main"


def moment(text: str) -> datetime:
    """An argparse type: a date and time in the desk's zone, as aware UTC (``--start``, ``--as-of``)."""
    try:
        return parse_moment(text)
    except ScheduleError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(commands: Any, add_global_options: Callable[[argparse.ArgumentParser], None]) -> None:
    variant = commands.add_parser("variant", help="scheduled layouts of a section (weekend, election night)")
    actions = variant.add_subparsers(dest="variant_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="a variant live from --start (until --end)")
    change = actions.add_parser("set", help="rename a variant or move its window")
    listing = actions.add_parser("list", help="a section's variants and which layout is live when")
    remove = actions.add_parser("remove", help="delete a variant with its block and sign-offs")
    slots = actions.add_parser("slots", help="a layout's block as JSON Lines: --export FILE or --import FILE")
    for parser in (add, change, listing, remove, slots):
        parser.add_argument("section", metavar="SECTION", help="the section's slug")
    for parser in (add, change, remove, slots):
        parser.add_argument("name", metavar="NAME", help="the variant's name ('main': the main layout)")
    add.add_argument("--start", type=moment, required=True, metavar="DATETIME", help="when it goes live")
    change.add_argument("--start", type=moment, metavar="DATETIME", help="when it goes live")
    for parser in (add, change):
        parser.add_argument("--end", type=moment, metavar="DATETIME", help="when it stops (default: never)")
    add.add_argument(
        "--copy-from", metavar="LAYOUT", help="start with this layout's block: 'main' or a variant"
    )
    change.add_argument("--rename", metavar="NEW_NAME", help="a new name (its page's file name follows)")
    change.add_argument("--no-end", action="store_true", help="make it open-ended")
    listing.add_argument("--days", type=int, default=7, metavar="N", help="the timeline's length (default 7)")
    direction = slots.add_mutually_exclusive_group(required=True)
    direction.add_argument("--export", metavar="FILE", help="write the block as JSON Lines ('-': stdout)")
    direction.add_argument("--import", dest="import_", metavar="FILE", help="replace the block ('-': stdin)")
    for parser in (add, change, listing, remove, slots):
        add_global_options(parser)


def run(services: Services, args: argparse.Namespace) -> int:
    section_id = services.section_id(args.section)
    action = args.variant_command
    if action == "list":
        return _list(services, section_id, args.days)
    if action == "add":
        return _add(services, section_id, args)
    if action == "slots":
        return _slots(services, section_id, args)
    variant = services.variants.find(section_id, args.name)
    if action == "remove":
        services.variants.remove(section_id, variant.id)
        print(f"removed variant '{variant.name}' with its layout and sign-offs")
        return 0
    from ca_editor.services.variants import Window

    ends_at = None if args.no_end else (args.end or variant.ends_at)
    window = Window(args.rename or variant.name, args.start or variant.starts_at, ends_at)
    print(f"changed: {_describe(services.variants.change(section_id, variant.id, window))}")
    return 0


def _add(services: Services, section_id: int, args: argparse.Namespace) -> int:
    from ca_editor.services.variants import MAIN as COPY_MAIN
    from ca_editor.services.variants import Window

    copy_from: int | str | None = None
    if args.copy_from is not None:
        is_main = args.copy_from.strip().casefold() == MAIN
        copy_from = COPY_MAIN if is_main else services.variants.find(section_id, args.copy_from).id
    added = services.variants.add(section_id, Window(args.name, args.start, args.end), copy_from=copy_from)
    slots = len(services.sections.layout(section_id, added.id).slots)
    print(f"added: {_describe(added)}; {slots} slot(s) filled, page variants/{added.slug}.html")
    return 0


def _list(services: Services, section_id: int, days: int) -> int:
    variants = services.variants.variants(section_id)
    if not variants:
        print("no variants: the main layout is always live")
    for variant in variants:
        slots = len(services.sections.layout(section_id, variant.id).slots)
        print(f"{_describe(variant)}; {slots} slot(s); variants/{variant.slug}.html")
    now = datetime.now(UTC)
    print(f"live now: {getattr(services.variants.live_at(section_id, now), 'name', MAIN)}")
    print(f"the next {days} day(s):")
    for segment in services.variants.timeline(section_id, now, days):
        mark = {"overlap": "  OVERLAP: refused by the checklist", "main": "  (gap)" if segment.gap else ""}
        extra = mark.get(segment.kind.value, "")
        print(f"  {full_time(segment.starts_at)} – {full_time(segment.ends_at)}: {segment.label}{extra}")
    return 0


def _slots(services: Services, section_id: int, args: argparse.Namespace) -> int:
    main = args.name.strip().casefold() == MAIN
    variant_id = None if main else services.variants.find(section_id, args.name).id
    if args.export is not None:
        text = "".join(f"{line}\n" for line in services.variants.export_slots(section_id, variant_id))
        if args.export == "-":
            sys.stdout.write(text)
        else:
            Path(args.export).write_text(text, encoding="utf-8")
            print(f"wrote {text.count(chr(10))} slot(s) to {args.export}", file=sys.stderr)
        return 0
    lines = sys.stdin.read() if args.import_ == "-" else Path(args.import_).read_text(encoding="utf-8")
    layout = services.variants.import_slots(section_id, variant_id, lines.splitlines())
    print(f"the layout '{args.name}' now holds {len(layout.slots)} of {layout.section.slot_count} slot(s)")
    return 0


def _describe(variant: LayoutVariant) -> str:
    until = f"until {full_time(variant.ends_at)}" if variant.ends_at else "open-ended"
    return f"'{variant.name}' from {full_time(variant.starts_at)} {until}"
