"""Check-out and check-in at scale (issue 15, item 8; not part of ``make test`` or ``make bench``).

    .venv/bin/python bench/checkout_bench.py [--stories 100000] [--runs 3] [--db sqlite|postgres|URL|PATH]

A desk of ``--stories`` generated stories over ten years (``bench/corpus.py``) beside the demo section.
Each run: ``CheckoutService.checkout`` of the demo section with 12 months of archive (counted back from
the newest story, so the window holds twelve months of the archive whatever today is) into a new laptop
desk; the baseline, ``ca-editor copy`` (``persistence.desk_copy``) of a desk holding exactly the rows the
check-out takes (a warm-up check-out's laptop desk less its check-out record), from the same engine into a
new SQLite file; 200 archive stories edited on the laptop and 20 others on the shared desk (untimed); then
``plan_checkin`` + ``apply_checkin``. Ratios are taken per run (the copy beside the check-out and check-in
it is compared with, under the same load) and their median printed; compare ratios, not numbers across
machines.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402 - bench/corpus.py, beside this script
import engines  # noqa: E402

EDITED_ON_LAPTOP, EDITED_ON_DESK = 200, 20


def sqlite_url(path: Path) -> str:
    from ca_editor.persistence.checkout_copy import sqlite_url as url

    return url(path)


def months_to_cover(newest: datetime, now: datetime, months: int = 12) -> int:
    """How many months back from ``now`` reach ``months`` months before the newest story."""
    return (now.year - newest.year) * 12 + now.month - newest.month + months


def same_rows(laptop: Path, folder: Path, source: engines.BenchDb, running: engines.Servers) -> str:
    """A desk holding the rows the check-out took, on the source's engine: the baseline copy's source."""
    from ca_editor.persistence.desk_copy import copy_desk

    plain = folder / "same-rows.sqlite3"
    shutil.copyfile(laptop, plain)
    connection = sqlite3.connect(plain)
    connection.execute("DELETE FROM checkout_base_stories")
    connection.execute("DELETE FROM checkout_origin")
    connection.commit()
    connection.execute("VACUUM")
    connection.close()
    if source.engine == "sqlite":
        return sqlite_url(plain)
    server = running.server_url("postgres" if not engines.is_server(source.url) else source.url)
    engines._admin(server, 'DROP DATABASE IF EXISTS "ca_bench_same_rows"')
    engines._admin(server, 'CREATE DATABASE "ca_bench_same_rows"')
    url = engines._with_database(server, "ca_bench_same_rows")
    copy_desk(sqlite_url(plain), url)
    return url


def one_run(db: engines.BenchDb, folder: Path, run: int, months: int, baseline: str) -> tuple[float, ...]:
    """(check-out, check-in, plain copy) seconds, the copy timed between the two, under the same load."""
    from ca_editor.app import open_services

    shared = open_services(db.url, seed_demo=False)
    section_id = shared.section_id()
    laptop = folder / f"laptop-{run}.sqlite3"
    started = time.perf_counter()
    shared.checkouts.checkout(section_id, laptop, months)
    checkout_seconds = time.perf_counter() - started
    plain = plain_copy_seconds(baseline, folder, run)
    mine = open_services(str(laptop), seed_demo=False)
    in_block = {slot.story.id for slot in mine.sections.layout(section_id).slots}
    archive = sorted(s.id for s in _all_summaries(mine) if s.id not in in_block)
    for story_id in archive[:EDITED_ON_LAPTOP]:
        story = mine.stories.get(story_id)
        edited = replace(story.fields(), body=story.body + f"\n\nUpdated offline ({run}).")
        mine.stories.update(story_id, edited, expected_version=story.version)
    mine.db.dispose()
    for story_id in archive[-EDITED_ON_DESK:]:
        story = shared.stories.get(story_id)
        shared.stories.update(story_id, replace(story.fields(), summary=f"Desk summary {run}"),
                              expected_version=story.version)  # fmt: skip
    started = time.perf_counter()
    plan = shared.checkins.plan_checkin(laptop)
    applied = shared.checkins.apply_checkin(plan, plan.every("mine"))
    checkin_seconds = time.perf_counter() - started
    shared.db.dispose()
    assert applied.applied is not None and applied.applied.updated >= EDITED_ON_LAPTOP, applied.summary()
    return checkout_seconds, checkin_seconds, plain


def warm_up(db: engines.BenchDb, folder: Path, months: int) -> tuple[Path, int]:
    """One untimed check-out (released): the rows the baseline copies, and how many stories they are."""
    from ca_editor.app import open_services

    shared = open_services(db.url, seed_demo=False)
    section_id = shared.section_id()
    laptop = folder / "laptop-warm-up.sqlite3"
    result = shared.checkouts.checkout(section_id, laptop, months)
    shared.checkouts.release(section_id)
    shared.db.dispose()
    return laptop, result.copied.stories


def _all_summaries(services):  # type: ignore[no-untyped-def]
    from ca_editor.services.stories import StoryQuery

    return services.stories.list(StoryQuery(limit=None))


def plain_copy_seconds(source_url: str, folder: Path, run: int) -> float:
    from ca_editor.persistence.desk_copy import copy_desk

    target = folder / f"plain-copy-{run}.sqlite3"
    started = time.perf_counter()
    copy_desk(source_url, sqlite_url(target))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--db", default="sqlite", help="sqlite (default), postgres, a postgresql:// URL or a path"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ca-editor-checkout-bench-") as tmp, engines.servers() as running:
        folder = Path(tmp)

        def fill(db: engines.BenchDb) -> None:
            began = time.perf_counter()
            engines.bulk_load(db, corpus.desk_rows(args.stories))
            print(f"generated {args.stories:,} stories in {time.perf_counter() - began:.1f} s ({db.shown})")

        db = engines.database(args.db, f"checkout_{args.stories}", folder, running, fill)
        newest = db.scalar("SELECT max(published_at) FROM stories")
        if isinstance(newest, str):
            newest = datetime.strptime(newest, engines.SQLA_DATETIME)
        months = months_to_cover(newest, datetime.now(UTC))
        warm, stories = warm_up(db, folder, months)
        baseline = same_rows(warm, folder, db, running)
        runs = [one_run(db, folder, run, months, baseline) for run in range(args.runs)]
        checkout, checkin, plain = (statistics.median(r[i] for r in runs) for i in range(3))
        checkout_ratio = statistics.median(r[0] / r[2] for r in runs)
        checkin_ratio = statistics.median(r[1] / r[2] for r in runs)
        print(f"\n{db.engine}: {args.stories:,} stories; check-out of 12 months = {stories:,} stories "
              f"(--months {months}); medians of {args.runs} runs, ratios per run")  # fmt: skip
        print(f"  check-out                       {checkout:6.2f} s   {checkout_ratio:4.2f}x the plain copy")
        label = f"check-in of {EDITED_ON_LAPTOP} edited stories"
        print(f"  {label:<32}{checkin:6.2f} s   {checkin_ratio:4.2f}x the plain copy")
        print(f"  plain copy of the same rows     {plain:6.2f} s")
        for number, (co, ci, pc) in enumerate(runs, 1):
            print(f"    run {number}: check-out {co:.2f} s, check-in {ci:.2f} s, plain copy {pc:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
