"""How the desk's story list and archive filter behave with a very large archive.

    .venv/bin/python bench/ui_scale.py --stories 1000000            # under Xvfb or QT_QPA_PLATFORM=offscreen
    .venv/bin/python bench/ui_scale.py --stories 1000000 --db /tmp/big.sqlite3   # keep the database
    .venv/bin/python bench/ui_scale.py --db sqlite --db postgres     # both engines, side by side
    .venv/bin/python bench/ui_scale.py --db postgresql://me@host/postgres   # ca_bench_ui_N on that server

Generates N synthetic stories over the demo section, the same rows on every engine (one transaction, the
full-text index built once afterwards; ``engines.py`` says how on each), then measures, in the same run,
ratios against a baseline taken in the same process on the same engine (its raw SQL through its bare
driver, stdlib sqlite3 or psycopg):

(a) window start to first paint: the desk's MainWindow against a bare QMainWindow;
(b) archive-filter change to first rows painted, against the raw SQL query of the same first rows;
(c) a search keystroke (after the debounce) to first rows painted, against the raw full-text query
    (FTS5 MATCH on SQLite; the ``search_vector`` GIN index on PostgreSQL);
(d) resident memory with the window open on N stories, against the bare window (VmRSS and VmHWM).

Each timing is the median of ``--runs`` runs. With several ``--db``, a table puts the engines' figures
side by side at the end. Nothing here is imported by the app.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import corpus  # bench/corpus.py, beside this script
import engines  # bench/engines.py: what differs between SQLite and PostgreSQL

os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def generate(db: engines.BenchDb, count: int, seed: int = 1) -> None:
    """Add ``count`` synthetic stories to a migrated database holding the demo section: the same rows on
    every engine (``corpus.desk_rows``), bulk-loaded the engine's fast way (``engines.bulk_load``)."""
    engines.bulk_load(db, corpus.desk_rows(count, seed))


# ---------------------------------------------------------------------------------------------- measuring

LIST_SQL = (
    "SELECT id, slug, title, published_at, status, "
    "EXISTS (SELECT 1 FROM slots WHERE slots.story_id = stories.id) FROM stories WHERE {where} "
    "ORDER BY published_at DESC, id DESC LIMIT 200"
)
MONTHS = [(2017, 5), (2019, 11), (2021, 2), (2023, 8), (2024, 12), (2018, 7), (2022, 3)]
WORDS_TO_SEARCH = ["glacier", "caravan", "pipeline", "census", "oasis", "museum", "freight"]


def memory_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process in KiB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def _paint_waiter(app: object, target: object) -> Callable[[float], float]:
    """A function that processes events until ``target`` paints; it returns the seconds since ``t0``."""
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        painted = False
        painted_at = 0.0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            # The moment the paint event reaches the widget. Not the moment processEvents returns: that
            # batch may go on to run work queued behind the paint (the list's count), which the user sees
            # only as a later count, not as later rows.
            if event.type() == QEvent.Type.Paint and watched is target and not self.painted:
                self.painted = True
                self.painted_at = time.perf_counter()
            return False

    watch = Watch()
    # On the widget itself: an application-wide Python filter wraps every QObject that any event passes,
    # dying ones included, and crashed PySide6 in this run.
    target.installEventFilter(watch)  # type: ignore[attr-defined]
    watch.setParent(target)  # type: ignore[arg-type]

    def wait(t0: float) -> float:
        watch.painted = False
        deadline = time.perf_counter() + 30
        while not watch.painted and time.perf_counter() < deadline:
            app.processEvents()  # type: ignore[attr-defined]
        return (watch.painted_at if watch.painted else time.perf_counter()) - t0

    return wait


def child(mode: str, db: engines.BenchDb, runs: int) -> dict[str, object]:
    """One measurement process: ``bare`` (a QMainWindow), ``desk`` (MainWindow) or ``panes`` (our panes)."""
    from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter

    app = QApplication(sys.argv[:1])
    result: dict[str, object] = {"mode": mode}
    if mode == "bare":
        t0 = time.perf_counter()
        window = QMainWindow()
        window.resize(1280, 800)
        wait = _paint_waiter(app, window)
        window.show()
        result["start_s"] = wait(t0)
        result["rss_kb"], result["hwm_kb"] = memory_kb()
        return result

    from ca_editor.app import open_services
    from ca_editor.domain.dates import DateRange
    from ca_editor.ui.stories import ArchiveFilterPane, StoryListPane

    services = open_services(db.url)
    t0 = time.perf_counter()
    if mode == "desk":
        from ca_editor.ui.main_window import MainWindow

        window = MainWindow(services)
    else:
        window = QSplitter()
        window.addWidget(ArchiveFilterPane(services.stories))
        window.addWidget(StoryListPane(services.stories))
        window.setSizes([380, 900])
    window.resize(1280, 800)
    wait = _paint_waiter(app, window)
    window.show()
    result["start_s"] = wait(t0)
    for _ in range(20):
        app.processEvents()
    archive = window.findChild(ArchiveFilterPane)
    stories = window.findChild(StoryListPane)
    result["uses_new_panes"] = archive is not None and stories is not None
    if archive is None or stories is None:
        result["rss_kb"], result["hwm_kb"] = memory_kb()
        return result
    if mode == "panes":  # the desk window wires its panes itself
        archive.range_changed.connect(stories.set_date_range)
    rows_wait = _paint_waiter(app, stories.view.viewport())
    raw = db.raw()
    filter_sql_text = db.sql(LIST_SQL.format(where="published_at >= ? AND published_at < ?"))
    filter_ui, filter_sql, search_ui, search_after_debounce, search_sql = [], [], [], [], []
    counts: list[float] = []
    for number in range(runs):
        year, month = MONTHS[number % len(MONTHS)]
        t0 = time.perf_counter()
        archive.set_range(DateRange.month(year, month))
        filter_ui.append(rows_wait(t0))
        start, end = (db.moment(d.replace(tzinfo=None)) for d in DateRange.month(year, month).bounds())
        t0 = time.perf_counter()
        raw.execute(filter_sql_text, (start, end)).fetchall()
        filter_sql.append(time.perf_counter() - t0)
    archive.clear()
    for _ in range(20):
        app.processEvents()
    for number in range(runs):
        word = WORDS_TO_SEARCH[number % len(WORDS_TO_SEARCH)]
        stories.search_box.setText(word[:-1])
        stories._apply_filters()  # the word without its last letter is on screen
        rows_wait(time.perf_counter())
        # Let the count of the shorter word finish first: it runs on the UI thread right after the rows paint.
        t0 = time.perf_counter()
        while stories.count_label.text().startswith("Counting"):
            app.processEvents()
        counts.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        stories.search_box.setText(word)  # the keystroke
        debounce_until = t0 + 0.15
        while stories.model.query().text != word:
            app.processEvents()
        queried = time.perf_counter()
        total = rows_wait(t0)
        search_ui.append(total)
        search_after_debounce.append(total - (queried - t0) + max(0.0, queried - debounce_until))
        where, params = db.search_filter(word)
        t0 = time.perf_counter()
        raw.execute(db.sql(LIST_SQL.format(where=where)), params).fetchall()
        search_sql.append(time.perf_counter() - t0)
    stories.search_box.clear()
    stories._apply_filters()
    # Scroll through some pages, as an editor would, before reading memory.
    for _ in range(20):
        stories.view.scrollToBottom()
        for _ in range(5):
            app.processEvents()
    result.update(
        rows_loaded=stories.model.rowCount(),
        filter_ui_s=filter_ui,
        filter_sql_s=filter_sql,
        search_ui_s=search_ui,
        search_after_debounce_s=search_after_debounce,
        search_sql_s=search_sql,
        count_s=counts,
    )
    result["rss_kb"], result["hwm_kb"] = memory_kb()
    if os.environ.get("UI_SCALE_SCREENSHOT"):
        window.grab().save(os.environ["UI_SCALE_SCREENSHOT"])
    return result


def run_child(mode: str, db: engines.BenchDb, runs: int) -> dict[str, object]:
    import json
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", db.url, "--runs", str(runs)],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:  # report it and carry on with the other windows
        print(f"{mode} window process failed with code {done.returncode}: {done.stderr.strip()[-400:]}")
        return {"mode": mode, "failed": done.returncode}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(db: engines.BenchDb, runs: int, processes: int) -> dict[str, str]:
    """Print one engine's figures; return them as one column of the side-by-side table."""
    bare = [run_child("bare", db, runs) for _ in range(processes)]
    report = {"bare": bare}
    for mode in ("panes", "desk"):
        report[mode] = [run_child(mode, db, runs) for _ in range(processes)]

    def every(results: list[dict[str, object]], key: str) -> list[float]:
        values: list[float] = []
        for r in results:
            value = r.get(key)
            values += value if isinstance(value, list) else [value] if value is not None else []
        return values

    def med(results: list[dict[str, object]], key: str) -> float:
        values = every(results, key)
        return statistics.median(values) if values else float("nan")

    def p95(results: list[dict[str, object]], key: str) -> float:
        values = every(results, key)
        return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else float("nan")

    bare_start, bare_rss = med(bare, "start_s"), med(bare, "rss_kb")
    print(f"bare QMainWindow: start to first paint {bare_start * 1000:.1f} ms, RSS {bare_rss / 1024:.0f} MiB")
    column = {"bare window: start to first paint": f"{bare_start * 1000:.1f} ms"}
    for mode in ("panes", "desk"):
        results = [r for r in report[mode] if "failed" not in r]
        if not results:
            print(f"\n{mode}: every process failed")
            continue
        start = med(results, "start_s")
        print(
            f"\n{mode}: start to first paint {start * 1000:.1f} ms"
            f" = {start / bare_start:.1f}x the bare window"
        )
        column[f"{mode}: start to first paint, vs the bare window"] = (
            f"{start * 1000:.0f} ms = {start / bare_start:.1f}×"
        )
        if not all(r.get("uses_new_panes") for r in results):
            print(
                "  (this window does not contain StoryListPane/ArchiveFilterPane yet: only start and memory)"
            )
        else:
            f_ui, f_sql = med(results, "filter_ui_s"), med(results, "filter_sql_s")
            s_ui, s_db, s_sql = (
                med(results, "search_ui_s"),
                med(results, "search_after_debounce_s"),
                med(results, "search_sql_s"),
            )
            print(
                f"  archive filter to first rows painted {f_ui * 1000:.1f} ms"
                f" vs raw SQL {f_sql * 1000:.2f} ms"
                f" = {f_ui / f_sql:.1f}x"
            )
            print(
                f"  search keystroke to first rows painted {s_ui * 1000:.1f} ms (150 ms debounce included),"
                f" {s_db * 1000:.1f} ms after the debounce, vs raw full-text query {s_sql * 1000:.1f} ms"
                f" = {s_db / s_sql:.1f}x"
            )
            s_p95 = p95(results, "search_after_debounce_s")
            print(f"  search keystroke after the debounce, 95th percentile: {s_p95 * 1000:.1f} ms")
            print(f"  rows loaded after scrolling: {int(med(results, 'rows_loaded')):,}")
            column[f"{mode}: archive filter to first rows, vs raw SQL (goal ≤ 3×)"] = (
                f"{f_ui * 1000:.1f} ms vs {f_sql * 1000:.2f} ms = {f_ui / f_sql:.1f}×"
            )
            column[f"{mode}: search keystroke after debounce, median vs raw full-text"] = (
                f"{s_db * 1000:.1f} ms vs {s_sql * 1000:.1f} ms = {s_db / s_sql:.1f}×"
            )
            column[f"{mode}: search keystroke after debounce, 95th percentile (goal ≤ 50 ms)"] = (
                f"{s_p95 * 1000:.1f} ms"
            )
        rss, hwm = med(results, "rss_kb"), med(results, "hwm_kb")
        print(
            f"  memory: RSS {rss / 1024:.0f} MiB (peak {hwm / 1024:.0f} MiB)"
            f" = {rss / bare_rss:.1f}x the bare window"
        )
        column[f"{mode}: resident memory (goal ≤ 300 MB)"] = f"{rss / 1024:.0f} MiB (peak {hwm / 1024:.0f})"
    return column


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7, help="timed repetitions per process")
    parser.add_argument("--processes", type=int, default=3, help="fresh processes per window kind")
    parser.add_argument(
        "--db",
        action="append",
        help="sqlite (a temporary file; the default), a file path (kept and reused), postgres (a throwaway "
        "server) or a postgresql:// URL (the benchmark's own database ca_bench_ui_N there, kept); repeatable",
    )
    parser.add_argument("--child", choices=("bare", "panes", "desk"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import json

        print(json.dumps(child(args.child, engines.BenchDb(args.db[0]), args.runs)))
        return 0
    columns: dict[str, dict[str, str]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="ca-editor-bench-") as tmp,
        engines.servers() as running,
    ):
        for spec in args.db or ["sqlite"]:

            def fill(db: engines.BenchDb) -> None:
                began = time.perf_counter()
                generate(db, args.stories)
                print(
                    f"generated {args.stories:,} stories in {time.perf_counter() - began:.1f} s ({db.shown})"
                )

            db = engines.database(spec, f"ui_{args.stories}", Path(tmp), running, fill)
            from ca_editor.app import open_services

            open_services(db.url).db.dispose()  # migrate once, outside the timings
            total = db.scalar("SELECT count(*) FROM stories")
            print(
                f"\n{db.engine}: {total:,} stories; medians of {args.processes} processes x {args.runs} runs"
            )
            columns[f"{db.engine} ({total:,} stories)"] = measure(db, args.runs, args.processes)
    if len(columns) > 1:
        print("\n" + engines.side_by_side(columns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
