"""``ca-editor import``: read, then plan and write in one write transaction (or, ``--dry-run``, only plan).

A script saw no preview, so its import plans under the write lock and writes that plan: a second writer
on the same stories (a wire feed and an editor's script on one desk) makes it wait, never fail with "the
stories changed since the preview", which stays the window's refusal, where a person did see one.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ca_editor.services.container import Services
    from ca_editor.services.importing import ImportPlan


def run(services: Services, args: argparse.Namespace) -> int:
    imports = services.imports
    source = imports.read(args.paths)  # nothing is backed up for a file that cannot be read
    if args.dry_run:
        plan = imports.plan(source)
        _print_plan(plan)
        for entry in plan.entries:
            print(f"  {entry.action:<6}  {entry.record.origin.label}  -> {entry.slug}: {entry.reason}")
        return 0
    services.backups.before("import")
    plan, report = imports.import_source(source)
    _print_plan(plan)
    print(f"{report.source}: {report.summary()}")
    return 0


def _print_plan(plan: ImportPlan) -> None:
    print(f"{plan.source.name} ({plan.source.kind}): {plan.summary()}")
