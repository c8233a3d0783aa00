"""Export benchmark: our export against Hugo and Pelican on the same generated corpus (``make bench``).

    .venv/bin/python bench/export_bench.py [--stories 10000] [--runs 3] [--scale 50000,200000]
    .venv/bin/python bench/export_bench.py --db sqlite --db postgres   # both engines, side by side

``--db`` (repeatable; ``sqlite`` by default) is what ``bench/engines.py`` takes: ``sqlite``, ``postgres`` (a
throwaway server) or a ``postgresql://`` URL (the benchmark's databases ``ca_bench_corpus_N`` and
``ca_bench_scale_N`` on that server, kept for the next run). Each engine is measured whole in turn, with
its own Hugo runs beside its own; a table puts the engines' figures side by side at the end.

Every measured build runs in its own process, so its peak memory (max RSS) is its own; for our exports it
is the exporting process's peak plus its page workers' peaks (each read by the worker itself; see
``child``). Times are medians of ``--runs`` runs, measured in the same run of this script, so the ratios
compare like with like on whatever machine this is. Our times are the export call itself; ``wall`` adds the
interpreter start and imports. The incremental export is timed as an editor meets it in the desk: the second
export of a running process, after one story was edited; the first export of that process (nothing changed)
is printed apart. Every build starts after ``sync``, so none pays for writing back the one before.
Hugo and Pelican are measured when found (``hugo`` on PATH; ``pelican`` in ``.bench/venv``, ``$PELICAN``
or on PATH); see the README.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED = 20261127
SCALE_BODY_POOL = 2000  # distinct bodies in the scale corpora (bodies repeat; titles, slugs, dates do not)

sys.path.insert(0, str(HERE))
import engines  # noqa: E402  (bench/engines.py, beside this script)


@dataclass
class Measure:
    name: str
    seconds: list[float] = field(default_factory=list)  # the timed operation
    wall: list[float] = field(default_factory=list)  # the whole process
    peak_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # user + system seconds of the process and its children
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def line(self) -> str:
        spread = f"{min(self.seconds):.3f}–{max(self.seconds):.3f}" if len(self.seconds) > 1 else ""
        wall = f"  wall {statistics.median(self.wall):7.3f} s" if self.wall else ""
        cpu = f"  cpu {statistics.median(self.cpu):7.3f} s" if self.cpu else ""
        return (
            f"{self.name:<28} median {self.median:8.3f} s ({spread or 'one run'}){wall}{cpu}"
            f"  peak {max(self.peak_mb):7.1f} MB  runs {len(self.seconds)}"
        )


def run_measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str, float]:
    """Run ``cmd``; return its wall time, its peak RSS in MB, its standard output and its CPU seconds."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.decode(errors='replace')[-3000:]}"
        )
    return wall, usage.ru_maxrss / 1024, out.decode(), usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------------------------------ our side


def child(args: argparse.Namespace) -> None:
    """One measured export in this process; prints a JSON line with the export's own time."""
    import resource
    from dataclasses import replace

    from sqlalchemy import text

    from ca_editor.app import open_services
    from ca_editor.export import workers as page_workers

    worker_peaks_kb: list[int] = []
    close_workers = page_workers.PageWorkers.close

    def close_and_note_peaks(self: page_workers.PageWorkers) -> Iterator[page_workers.Result]:
        results = close_workers(self)
        worker_peaks_kb.extend(self.peaks_kb)
        return results

    page_workers.PageWorkers.close = close_and_note_peaks  # type: ignore[method-assign]
    services = open_services(args.db[0], seed_demo=False)
    section_id = services.section_id()
    out = Path(args.out)
    report: dict[str, object] = {}
    if args.child == "cold":
        with services.db.write() as session:
            session.execute(text("DELETE FROM rendered_bodies"))
    elif args.child == "incremental":
        # The editor's case: the desk has been running and has exported before. That first export of the
        # process (nothing changed since the bundle: only the manifest's time is new) is timed apart; it
        # also pays for what a process does once (SQLAlchemy compiling its statements, Python-Markdown
        # loading its extensions for the checklist, the templates).
        started = time.perf_counter()
        services.exports.export(section_id, out)
        report["first_seconds"] = time.perf_counter() - started
        story = services.stories.get_by_slug(f"story-{args.edit:06d}")
        fields = replace(story.fields(), body=story.body + f"\n\nCorrection {time.time_ns()}.")
        services.stories.update(story.id, fields, expected_version=story.version)
        before = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
        report["files_before"] = len(before)
        os.sync()  # the edit's and the first export's writes are not this export's to flush
    started = time.perf_counter()
    services.exports.export(section_id, out)
    report["seconds"] = time.perf_counter() - started
    if args.child == "incremental":
        after = {p: p.stat().st_ino for p in out.rglob("*") if p.is_file()}
        report["files_written"] = sum(1 for p, ino in after.items() if before.get(p) != ino)
    report["self_peak_mb"] = own_peak_mb()
    report["page_workers_mb"] = [kb / 1024 for kb in worker_peaks_kb]
    report["children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    # The page workers run side by side with this process: their peaks (each read by the worker itself) add
    # up. A cold export's render pool runs before them; the kernel keeps only its largest worker's peak (and
    # counts the spawning process's size into it), so its two workers are bounded by twice that.
    pool = 2 * report["children_peak_mb"] if args.child == "cold" else 0.0
    report["total_peak_mb"] = report["self_peak_mb"] + max(sum(report["page_workers_mb"]), pool)
    services.db.dispose()
    print(json.dumps(report))


def set_aside(path: Path) -> None:
    """Move an earlier output out of the way; it is deleted when the benchmark ends.

    Not deleted now: ext4 searches past recently freed inodes when it creates files, so whichever build ran
    right after a big delete would pay for it (seconds, for 10,000 files).
    """
    if path.exists():
        trash = path.parent / "trash"
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.time_ns()}")


def empty_trash(work: Path) -> None:
    for trash in work.rglob("trash"):
        shutil.rmtree(trash, ignore_errors=True)


def own_peak_mb() -> float:
    """This process's peak resident size since its exec (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def prepare_in_child(kind: str, work: Path, count: int, with_peers: bool, spec: str) -> str:
    """Generate in a child process: this one must stay small, since every build is spawned from it and
    Linux counts the spawner's size into a child's peak (``ru_maxrss``). Returns the database's URL."""
    cmd = [sys.executable, __file__, "--prepare", kind, "--work", str(work), "--stories", str(count)]
    cmd += ["--db", spec]
    if not with_peers:
        cmd.append("--no-peers")
    result = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    lines = result.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    return lines[-1]


def ours(mode: str, db: str, out: Path, runs: int, edit_base: int = 0) -> Measure:
    measure = Measure(f"ca-editor {mode}")
    if mode == "incremental":
        base_bundle(db, out)
    for run in range(runs):
        ours_once(measure, mode, db, out, edit_base + 37 * run)
    return measure


def base_bundle(db: str, out: Path) -> None:
    """The bundle the incremental runs edit and export over, untimed."""
    set_aside(out)
    run_measured([sys.executable, __file__, "--child", "full", "--db", db, "--out", str(out)])


def ours_once(measure: Measure, mode: str, db: str, out: Path, edit: int) -> None:
    if mode != "incremental":
        set_aside(out)
    os.sync()  # the previous build's files are written back before this one starts (fsyncs wait on them)
    cmd = [sys.executable, __file__, "--child", mode, "--db", db, "--out", str(out), "--edit", str(edit)]
    wall, _peak, stdout, cpu = run_measured(cmd)
    report = json.loads(stdout.strip().splitlines()[-1])
    measure.seconds.append(float(report["seconds"]))
    measure.wall.append(wall)
    measure.cpu.append(cpu)
    # Not wait4's figure: Linux carries the spawning process's size into it (vfork, then exec).
    measure.peak_mb.append(float(report["total_peak_mb"]))
    if "files_written" in report:
        measure.extra.setdefault("files_written", []).append(report["files_written"])  # type: ignore[union-attr]
    if "first_seconds" in report:
        measure.extra.setdefault("first_seconds", []).append(report["first_seconds"])  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------ peers


def pelican_command() -> str | None:
    for candidate in (os.environ.get("PELICAN"), str(ROOT / ".bench" / "venv" / "bin" / "pelican")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("pelican")


def peer(name: str, cmd: list[str], out: Path, runs: int) -> Measure:
    measure = Measure(name)
    for _ in range(runs):
        peer_once(measure, cmd, out)
    return measure


def peer_once(measure: Measure, cmd: list[str], out: Path) -> None:
    set_aside(out)
    os.sync()
    wall, peak, _, cpu = run_measured(cmd)
    measure.seconds.append(wall)
    measure.cpu.append(cpu)
    measure.peak_mb.append(peak)


# ------------------------------------------------------------------------------------------ set-up


def prepare(work: Path, count: int, *, with_peers: bool, spec: str) -> str:
    import corpus
    import peers
    import setup_db

    marker = work / f"corpus-{count}-{SEED}.done"  # the peers' sites (and the SQLite file) are complete
    started = time.perf_counter()
    stories: list[corpus.BenchStory] = []
    if not marker.exists():
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        stories = list(corpus.stories(count, SEED))
        if with_peers:
            peers.write_hugo_site(work / "hugo", stories)
            peers.write_pelican_site(work / "pelican", stories)

    def fill(db: engines.BenchDb) -> None:
        setup_db.load(db.url, stories or corpus.stories(count, SEED))
        print(f"generated {count:,} stories in {time.perf_counter() - started:.1f} s ({db.engine})")

    with engines.servers() as running:  # ``spec`` names a server already: nothing is started here
        db = engines.database(spec, f"corpus_{count}", work, running, fill)
    marker.touch()
    return db.url


def stale_cache(db: engines.BenchDb) -> bool:
    """Whether some story's cached body was rendered by another renderer version than this one's."""
    from ca_editor.services.rendering import RENDERER_VERSION

    stories = db.scalar("SELECT count(*) FROM stories")
    fresh = db.scalar("SELECT count(*) FROM rendered_bodies WHERE renderer_version = ?", RENDERER_VERSION)
    return bool(fresh < stories)


def prepare_scale(work: Path, count: int, spec: str) -> str:
    import corpus
    import setup_db

    started = time.perf_counter()
    pool = [s.body for s in corpus.stories(SCALE_BODY_POOL, SEED)]

    filled: list[bool] = []

    def fill(db: engines.BenchDb) -> None:
        filled.append(True)
        setup_db.load(db.url, corpus.stories(count, SEED + count, bodies=pool))
        setup_db.prefill_cache_from_pool(db.url, pool)
        print(
            f"generated {count:,} stories (bodies from a pool of {len(pool):,}) "
            f"in {time.perf_counter() - started:.1f} s ({db.engine})"
        )

    with engines.servers() as running:
        db = engines.database(spec, f"scale_{count}", work, running, fill)
    if not filled and stale_cache(db):
        # The renderer changed since (RENDERER_VERSION): a full export would be a cold one. Fill it again.
        connection = db.raw()
        connection.execute("DELETE FROM rendered_bodies")
        connection.close()
        seconds = setup_db.prefill_cache_from_pool(db.url, pool)
        print(f"render cache of the {count:,}-story corpus refilled for a new renderer in {seconds:.1f} s")
    return db.url


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=1, help="cold exports take a while; default 1")
    parser.add_argument("--work", type=Path, default=ROOT / ".bench" / "work")
    parser.add_argument("--scale", default="", help="comma-separated story counts, e.g. 50000,200000")
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--child", choices=("cold", "full", "incremental"), help=argparse.SUPPRESS)
    parser.add_argument(
        "--db",
        action="append",
        help="sqlite (the default), postgres (a throwaway server) or a postgresql:// URL; repeatable",
    )
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--edit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", choices=("corpus", "scale"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.prepare == "corpus":
        print(prepare(args.work, args.stories, with_peers=not args.no_peers, spec=args.db[0]))
        return
    if args.prepare == "scale":
        print(prepare_scale(args.work, args.stories, args.db[0]))
        return

    work = args.work.resolve()
    columns: dict[str, dict[str, str]] = {}
    with engines.servers() as running:
        for spec in args.db or ["sqlite"]:
            # The server started here (``postgres``), named by URL to the processes that prepare and export.
            server = spec if spec == "sqlite" else running.server_url(spec)
            engine = "postgresql" if engines.is_server(server) else "sqlite"
            print(
                f"\n{engine}: {args.stories:,} stories, {os.cpu_count()} cores; medians of {args.runs} runs"
            )
            columns[engine] = measure_engine(args, work, server)
    if len(columns) > 1:
        print("\n" + engines.side_by_side(columns))
    empty_trash(work)


def measure_engine(args: argparse.Namespace, work: Path, spec: str) -> dict[str, str]:
    """The whole benchmark on one engine, printed; its figures as one column of the side-by-side table."""
    hugo = None if args.no_peers else shutil.which("hugo")
    pelican = None if args.no_peers else pelican_command()
    site = work / f"corpus-{args.stories}"
    db = prepare_in_child("corpus", site, args.stories, not args.no_peers, spec)
    out = site / "out"
    print()

    results: dict[str, Measure] = {}
    # Full, Hugo and incremental runs take turns, so that each of our runs has a Hugo run beside it under
    # the same load: on a shared machine the load drifts within minutes, and a ratio of medians taken
    # minutes apart says more about the drift than about the exporters. The ratios are per pair.
    results["full"] = Measure("ca-editor full")
    results["incremental"] = Measure("ca-editor incremental")
    hugo_cmd = [hugo, "--quiet", "-s", str(site / "hugo"), "-d", str(site / "hugo-out")] if hugo else None
    if hugo_cmd:
        results["hugo"] = Measure("hugo")
    incremental_out = site / "out-incremental"
    base_bundle(db, incremental_out)
    for run in range(args.runs):
        ours_once(results["full"], "full", db, out, 0)
        if hugo_cmd:
            peer_once(results["hugo"], hugo_cmd, site / "hugo-out")
        ours_once(results["incremental"], "incremental", db, incremental_out, 11 + 37 * run)
    results["cold"] = ours("cold", db, out, args.cold_runs)  # right before Pelican, its peer
    if pelican:
        cmd = [pelican, str(site / "pelican" / "content"), "-s", str(site / "pelican" / "pelicanconf.py")]
        cmd += ["-o", str(site / "pelican-out"), "-q"]
        results["pelican"] = peer("pelican", cmd, site / "pelican-out", max(1, min(args.runs, 2)))
    column: dict[str, str] = {}
    for measure in results.values():
        print(measure.line())
        column[f"{measure.name} (median)"] = f"{measure.median:.3f} s, peak {max(measure.peak_mb):.0f} MB"
    written = results["incremental"].extra.get("files_written")
    if written:
        print(
            f"incremental export rewrote {written} files per run (one story page and the manifest expected)"
        )
    first = results["incremental"].extra.get("first_seconds")
    if first:
        print(
            f"first export of a process (no change; what a process does once included): median "
            f"{statistics.median(first):.3f} s ({', '.join(f'{s:.3f}' for s in first)})"  # type: ignore[union-attr]
        )

    print()
    checks: list[tuple[str, list[float], float]] = []
    if "hugo" in results:
        hugo_runs = results["hugo"].seconds
        pairs = list(zip(results["full"].seconds, hugo_runs, strict=True))
        checks.append(("full export / hugo", [ours / peer for ours, peer in pairs], 0.5))
        pairs = list(zip(results["incremental"].seconds, hugo_runs, strict=True))
        checks.append(("incremental / hugo", [ours / peer for ours, peer in pairs], 0.02))
    if "pelican" in results:
        checks.append(("cold export / pelican", [results["cold"].median / results["pelican"].median], 0.5))
    for name, ratios, target in checks:
        ratio, worst = statistics.median(ratios), max(ratios)
        verdict = "ok" if worst <= target else "ok (median)" if ratio <= target else "MISSED"
        each = ", ".join(f"{r:.3f}" for r in ratios)
        print(f"{name:<24} {ratio:7.3f}  worst {worst:.3f}  (target ≤ {target})  {verdict}   [{each}]")
        column[f"{name} (target ≤ {target})"] = f"{ratio:.3f}, worst {worst:.3f}: {verdict}"
    peak = max(max(m.peak_mb) for k, m in results.items() if k in ("full", "incremental", "cold"))
    print(f"{'our peak memory':<24} {peak:7.1f} MB (target < 300 MB)  {'ok' if peak < 300 else 'MISSED'}")
    column["our peak memory (target < 300 MB)"] = f"{peak:.0f} MB"

    if args.scale:
        print()
        base = results["full"]
        per_story = [(args.stories, base.median, max(base.peak_mb))]
        for count in (int(c) for c in args.scale.split(",") if c.strip()):
            scale_db = prepare_in_child("scale", work / "scale", count, False, spec)
            measure = ours("full", scale_db, work / "scale" / f"out-{count}", 1)
            measure.name = f"ca-editor full, {count:,}"
            print(measure.line())
            per_story.append((count, measure.median, max(measure.peak_mb)))
            set_aside(work / "scale" / f"out-{count}")
        for count, seconds, peak in per_story:
            print(f"{count:>9,} stories: {seconds / count * 1e6:7.1f} µs per story, peak {peak:6.1f} MB")
            column[f"full export, {count:,} stories"] = (
                f"{seconds / count * 1e6:.1f} µs per story, {peak:.0f} MB"
            )
    return column


if __name__ == "__main__":
    main()
