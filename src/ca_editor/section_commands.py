"""``ca-editor section list | create | set | archive | unarchive``: sections from the command line.

Through ``services.section_settings``, with the section's version: a change made by someone else between
this command's read and its write is refused, like the window's. Lowering the slot count names the stories
that fall out and asks first (``--yes`` for scripts); they go to "previously in editor's choice".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ca_editor.domain.model import DEFAULT_TEASER_LIMIT

if TYPE_CHECKING:
    from ca_editor.domain.model import Section, Story
    from ca_editor.domain.section_settings import SectionSettings
    from ca_editor.services.container import Services

COMMAND = "section"


def teaser_limit(text: str) -> int | None:
    """``--teaser-limit``: a number of characters, or ``off`` for no advice."""
    if text.strip().lower() in ("off", "none", "no"):
        return None
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is neither a number of characters nor 'off'") from None


def add_parsers(commands: Any, add_global_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``section`` command and its actions; ``add_global_options`` gives each action --db and --user."""
    section = commands.add_parser("section", help="list, create or change sections (heading, slots, …)")
    actions = section.add_subparsers(dest="section_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="every section: slug, heading, slots, teaser limit")
    create = actions.add_parser("create", help="a new section with an empty editor's choice")
    create.add_argument("slug", metavar="SLUG")
    create.add_argument("--heading", required=True, help="the page's heading")
    change = actions.add_parser("set", help="change a section's heading, description, slots, slug, teasers")
    change.add_argument("slug", metavar="SLUG", help="the section to change")
    change.add_argument("--heading", help="the page's heading")
    change.add_argument("--slug", dest="new_slug", metavar="NEW_SLUG", help="a new slug (the export path)")
    for parser in (create, change):
        parser.add_argument("--description", help="the text under the heading")
        parser.add_argument("--slots", type=int, metavar="N", help="how many editor's-choice slots (1–48)")
        parser.add_argument(
            "--teaser-limit",
            type=teaser_limit,
            metavar="N|off",
            default=argparse.SUPPRESS,
            help=f"advise when a card's summary is over N characters, or off (new: {DEFAULT_TEASER_LIMIT})",
        )
    change.add_argument("--yes", action="store_true", help="take stories out without asking (fewer slots)")
    change.add_argument(
        "--chief",
        action="append",
        default=[],
        metavar="LOGIN",
        help="name a desk chief: on a shared desk only their sign-off counts (repeat for several)",
    )
    change.add_argument(
        "--no-chief",
        action="append",
        default=[],
        metavar="LOGIN",
        help="no longer a desk chief of the section",
    )
    archive = actions.add_parser(
        "archive", help="keep a section with its history but not live (left out of export --all)"
    )
    unarchive = actions.add_parser("unarchive", help="make an archived section live again")
    for parser in (archive, unarchive):
        parser.add_argument("slug", metavar="SLUG")
    for parser in (listing, create, change, archive, unarchive):
        add_global_options(parser)


def run(services: Services, args: argparse.Namespace) -> int:
    if args.section_command == "list":
        for section in services.sections.sections():
            chiefs = services.people.chiefs(section.id)
            named = f", desk chiefs {', '.join(chiefs)}" if chiefs else ""
            print(_line(section, len(services.sections.layout(section.id).slots)) + named)
        return 0
    if args.section_command == "create":
        from ca_editor.domain.section_settings import SectionSettings

        settings = _changed(SectionSettings(args.slug, args.heading), args)
        created = services.section_settings.create(settings)
        print(f"created {_line(created, 0)}")
        return 0
    if args.section_command == "set":
        return _set(services, args)
    if args.section_command in ("archive", "unarchive"):
        archived = args.section_command == "archive"
        section = services.section_settings.archive(args.slug, archived=archived)
        done = "archived (kept, not live)" if archived else "live again"
        print(f"{done}: {_line(section, len(services.sections.layout(section.id).slots))}")
        return 0
    raise AssertionError(args.section_command)


def _set(services: Services, args: argparse.Namespace) -> int:
    from ca_editor.domain.section_settings import SectionSettings

    section = services.section_settings.by_slug(args.slug)
    settings = _changed(SectionSettings.of(section), args)
    if args.new_slug is not None:
        settings = replace(settings, slug=args.new_slug)
    chiefs_changed = _set_chiefs(services, section.id, args.chief, args.no_chief)
    if settings == SectionSettings.of(section):
        if not chiefs_changed:
            print(f"nothing to change: {_line(section, len(services.sections.layout(section.id).slots))}")
        return 0
    leaving = services.section_settings.would_fall_out(section.id, settings.slot_count)
    if leaving and not args.yes and not _confirm(leaving, settings.slot_count):
        print("Nothing was changed.")
        return 1
    change = services.section_settings.change(section.id, settings, expected_version=section.version)
    print(f"changed {_line(change.layout.section, len(change.layout.slots))}")
    for story in change.fell_out:
        print(f"  taken out (now in previously in editor's choice): {story.title}")
    return 0


def _set_chiefs(services: Services, section_id: int, add: list[str], remove: list[str]) -> bool:
    """``--chief`` / ``--no-chief``: change the section's desk chiefs; whether anything was asked."""
    if not add and not remove:
        return False
    before = services.people.chiefs(section_id)
    wanted = tuple(login for login in (*before, *add) if login not in remove)
    chiefs = services.people.set_chiefs(section_id, wanted)
    print(f"desk chiefs: {', '.join(chiefs) or 'none (anyone allowed to sign off may)'}")
    if chiefs and not services.people.shared:
        print("  (kept; they count on a shared desk: one SQLite workstation has no logins)")
    return True


def _changed(settings: SectionSettings, args: argparse.Namespace) -> SectionSettings:
    if args.heading is not None:
        settings = replace(settings, title=args.heading)
    if args.description is not None:
        settings = replace(settings, description=args.description)
    if args.slots is not None:
        settings = replace(settings, slot_count=args.slots)
    if "teaser_limit" in args:  # given (None: off); absent: as it was
        settings = replace(settings, teaser_limit=args.teaser_limit)
    return settings


def _confirm(leaving: list[Story], slot_count: int) -> bool:
    names = "".join(f"\n  {story.title}" for story in leaving)
    question = f"With {slot_count} slot(s), these stories leave editor's choice:{names}"
    if not sys.stdin.isatty():
        print(f"{question}\nAdd --yes to take them out without being asked.", file=sys.stderr)
        return False
    answer = input(f"{question}\nTake them out? They stay in 'previously in editor's choice'. [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _line(section: Section, used: int) -> str:
    limit = "off" if section.teaser_limit is None else f"{section.teaser_limit} characters"
    return (
        f"{section.slug}: {section.title!r}, {used} of {section.slot_count} slots filled, "
        f"teaser limit {limit}, version {section.version}" + (", archived" if section.archived else "")
    )
