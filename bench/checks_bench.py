"""How long the pre-export checklist takes over a large archive (not part of ``make test`` or ``make bench``).

    .venv/bin/python bench/checks_bench.py --stories 10000 [--db .bench/checks.sqlite3]

Loads the generated corpus (``bench/corpus.py``) as published stories beside the demo section, fills the
render cache (as an export would), then times ``CheckService.run`` (the cache already full) and the export's
own ``prepare_release`` against the median of one plain scan of every body and cached page (a ``LIKE`` that
matches nothing), which is what the body pre-filter has to read. Prints medians; compare ratios from one
run, not numbers across machines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def median_seconds(action, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", type=Path, help="keep the generated database here")
    args = parser.parse_args()

    import corpus
    import setup_db
    from sqlalchemy import text

    from ca_editor.app import open_services
    from ca_editor.domain.release import Release
    from ca_editor.services.checks import prepare_release

    folder = Path(tempfile.mkdtemp(prefix="ca-editor-checks-"))
    db_path = args.db or folder / "checks.sqlite3"
    if not db_path.exists():
        setup_db.load(db_path, corpus.stories(args.stories))
    services = open_services(str(db_path))
    section_id = services.section_id()
    started = time.perf_counter()
    report = services.checks.run(section_id)  # fills the render cache the first time
    print(f"first run (render cache filled): {time.perf_counter() - started:.2f} s")
    print(f"findings: {len(report.errors)} error(s), {len(report.warnings)} warning(s)")

    def scan() -> None:
        with services.db.read() as session:
            session.execute(
                text(
                    "SELECT count(*) FROM stories JOIN rendered_bodies ON story_id = stories.id "
                    "WHERE body LIKE '%no-such-text%' OR html LIKE '%no-such-text%'"
                )
            ).scalar()

    def in_export() -> None:
        with services.db.read() as session:
            prepare_release(session, section_id, Release(override_reason="bench"), "bench")

    base = median_seconds(scan, args.runs)
    run = median_seconds(lambda: services.checks.run(section_id), args.runs)
    gate = median_seconds(in_export, args.runs)
    print(f"one scan of {args.stories:,} bodies and pages: {base * 1000:.0f} ms")
    print(f"checks.run: {run * 1000:.0f} ms ({run / base:.1f}x the scan)")
    print(f"export gate (prepare_release): {gate * 1000:.0f} ms ({gate / base:.1f}x the scan)")
    services.db.dispose()


if __name__ == "__main__":
    main()
