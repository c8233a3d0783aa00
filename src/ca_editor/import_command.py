"""``ca-editor import``: read, then plan and write in one write transaction (or, ``--dry-run``, only plan).

A script saw no preview, so its import plans under the write lock and writes that plan: a second writer
on the same stories (a wire feed and an editor's script on one desk) makes it wait, never fail with "the
stories changed since the preview", which stays the window's refusal, where a person did see one.

An invalid entry imports nothing, and every invalid entry is listed at once (not one per attempt);
``--skip-invalid`` imports the valid ones in one transaction and lists those it left out.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, TextIO

from ca_editor.cli_progress import bar

if TYPE_CHECKING:
    from ca_editor.services.container import Services
    from ca_editor.services.importing import ImportPlan, ImportSource


def run(services: Services, args: argparse.Namespace) -> int:
    imports = services.imports
    with bar("reading", "entries") as progress:  # nothing is backed up for a file that cannot be read
        source = imports.read(args.paths, progress=progress)
    if source.invalid and (not args.skip_invalid or not source.records):
        _refuse(source, skip_invalid=args.skip_invalid)
        return 1
    if args.dry_run:
        plan = imports.plan(source, skip_invalid=args.skip_invalid)
        _print_plan(plan)
        for entry in plan.entries:
            print(f"  {entry.action:<6}  {entry.record.origin.label}  -> {entry.slug}: {entry.reason}")
        _print_invalid(source, "would be left out", sys.stdout)
        return 0
    services.backups.before("import")
    with bar("importing", "stories") as progress:  # one transaction: Ctrl+C rolls all of it back
        plan, report = imports.import_source(source, skip_invalid=args.skip_invalid, progress=progress)
    _print_plan(plan)
    print(f"{report.source}: {report.summary()}")
    _print_invalid(source, "left out", sys.stdout)
    return 0


def _refuse(source: ImportSource, *, skip_invalid: bool) -> None:
    count, total, valid = len(source.invalid), source.entry_count, len(source.records)
    verb = "is" if count == 1 else "are"
    print(
        f"ca-editor: {source.name}: {count:,} of {total:,} entries {verb} invalid; nothing was imported.",
        file=sys.stderr,
    )
    _print_invalid(source, "", sys.stderr)
    if valid and not skip_invalid:
        print(
            f"Fix them, or import the other {valid:,} with --skip-invalid (the invalid ones are left out).",
            file=sys.stderr,
        )


def _print_plan(plan: ImportPlan) -> None:
    print(f"{plan.source.name} ({plan.source.kind}): {plan.summary()}")


def _print_invalid(source: ImportSource, heading: str, stream: TextIO) -> None:
    if not source.invalid:
        return
    if heading:
        count = len(source.invalid)
        print(f"{count:,} invalid {'entry' if count == 1 else 'entries'} {heading}:", file=stream)
    for entry in source.invalid:
        print(f"  {entry}", file=stream)
