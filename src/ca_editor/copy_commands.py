"""``ca-editor copy --to PATH_OR_URL``: the open desk copied whole into another database (moving a desk).

SQLite to PostgreSQL and back, in one transaction on the target, verified (``persistence/desk_copy.py``).
"""

from __future__ import annotations

import argparse
from typing import Any

COMMAND = "copy"


def add_parsers(commands: Any) -> None:  # argparse's _SubParsersAction is private
    copying = commands.add_parser(
        COMMAND,
        help="copy the whole desk into another database (SQLite file or PostgreSQL URL), verified",
        description="Copy every section, story, slot, status step, snapshot, sign-off, person and picture "
        "of the --db desk into the --to database in one transaction there, then compare counts and "
        "checksums (a difference rolls the copy back). An empty target is migrated first.",
    )
    copying.add_argument("--to", required=True, metavar="PATH_OR_URL", help="the target database")
    copying.add_argument(
        "--replace",
        action="store_true",
        help="overwrite a target that already holds a desk (an SQLite target is backed up first)",
    )
    copying.add_argument(
        "--without-render-cache",
        action="store_true",
        help="leave out the cached story pages (the target renders them again at its first export)",
    )


def run(args: argparse.Namespace) -> int:
    from ca_editor.app import open_services
    from ca_editor.cli_progress import bar
    from ca_editor.services.desk_copy import copy_to

    services = open_services(args.db, seed_demo=False)  # checked and migrated like any start
    try:
        with bar("copying", "rows") as progress:  # in a terminal only
            report = copy_to(
                services.db,
                args.to,
                replace=args.replace,
                render_cache=not args.without_render_cache,
                progress=progress,
            )
    finally:
        services.db.dispose()
    print(report.summary())
    for table in report.tables:
        print(f"  {table.name}: {table.rows}")
    if report.replaced:
        print("the desk the target held before was replaced")
    return 0
