"""Command-line start-up: what a script pays per `ca-editor` call, as ratios to `python -c pass` (issue 19).

    .venv/bin/python bench/cli_startup.py [--runs 15] [--stories 10000 --edits 5]

Times whole processes, the way a script meets them: `python -c pass` (the interpreter alone),
`ca-editor --version`, and `ca-editor export OUT` on the demo database with nothing changed since the last
export (the "up to date" answer of ``ca_editor.export_uptodate``; ``--force`` beside it, the whole export).
Runs are interleaved (one of each, then again), so a drift in the machine's load hits all alike; medians
and ratios to `python -c pass` are printed against the targets (no-change export ≤ 0.35 s, `--version`
≤ 0.15 s on the 2-core VM of bench/RESULTS.md).

Our sources are given bytecode as an installed package has (``PYTHONPYCACHEPREFIX`` under ``.bench/``,
warmed before timing): a checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise recompile every
module of ours at every start.

With ``--stories N`` it also times a one-shot re-export after one edit at N stories: per run, one story is
edited in a separate (untimed) process, then the whole `ca-editor export OUT` process is timed, then a Hugo
build of the same corpus (``bench/export_bench.py`` generates both); the ratio is taken per pair.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = ROOT / ".bench" / "cli"
TARGETS = {"ca-editor --version": 0.15, "ca-editor export (no change)": 0.35}
ONE_SHOT_TARGET = 0.05  # one-shot re-export after one edit, as a share of Hugo's full build


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "CA_EDITOR_DB")}
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    return env


def ca_editor() -> list[str]:
    """The console script a user runs, else the module."""
    script = Path(sys.executable).parent / "ca-editor"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ca_editor"]


CPU: dict[str, list[float]] = {}  # user + system seconds per command name, beside the wall times


def timed(cmd: list[str], env: dict[str, str], name: str = "") -> float:
    """Wall seconds of the whole process; its CPU seconds are kept in ``CPU[name]``."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({status}):\n{err.decode()[-2000:]}")
    CPU.setdefault(name, []).append(usage.ru_utime + usage.ru_stime)
    return seconds


def startup(runs: int) -> None:
    env = environment()
    demo = WORK / "demo"
    shutil.rmtree(demo, ignore_errors=True)
    demo.mkdir(parents=True)
    db, out = demo / "desk.sqlite3", demo / "out"
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "ca-editor --version": [*ca_editor(), "--version"],
        "ca-editor export (no change)": [*ca_editor(), "--db", str(db), "export", str(out)],
        # The same export through the whole normal path (what a no-change export cost before its mark).
        "ca-editor export --force": [*ca_editor(), "--db", str(db), "export", str(out), "--force"],
    }
    timed(commands["ca-editor export (no change)"], env)  # creates, seeds, first export; compiles bytecode
    for cmd in commands.values():
        timed(cmd, env)  # warm: bytecode and the page cache
    said = subprocess.run(commands["ca-editor export (no change)"], env=env, capture_output=True, text=True)
    if "is up to date" not in said.stdout:  # the timed no-change runs must be the "up to date" answer
        raise SystemExit(f"the no-change export did not answer 'up to date':\n{said.stdout}{said.stderr}")
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, cmd in commands.items():
            seconds[name].append(timed(cmd, env, name))
    base = statistics.median(seconds["python -c pass"])
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"start-up, {runs} interleaved runs each, {os.cpu_count()} cores, load {load}; medians (min–max)\n")
    for name, runs_of in seconds.items():
        median = statistics.median(runs_of)
        spread = f"{min(runs_of):.3f}–{max(runs_of):.3f}"
        cpu = statistics.median(CPU[name])
        line = f"{name:<30} {median:7.3f} s ({spread})  {median / base:6.1f}× python  cpu {cpu:.3f} s"
        if name in TARGETS:
            target = TARGETS[name]
            verdict = "ok" if median <= target else "MISSED"
            line += f"   target ≤ {target} s ({target / base:.0f}× python here): {verdict}"
        print(line)


def one_shot(stories: int, edits: int) -> None:
    sys.path.insert(0, str(HERE))
    import export_bench

    env = environment()
    hugo = shutil.which("hugo")
    db = export_bench.prepare_in_child("corpus", WORK / f"corpus-{stories}", stories, hugo is not None)
    site = db.parent
    out = site / "out-one-shot"
    export_bench.set_aside(out)
    timed([*ca_editor(), "--db", str(db), "export", str(out)], env)  # the bundle the edits export over
    ours: list[float] = []
    theirs: list[float] = []
    hugo_cmd = [hugo, "--quiet", "-s", str(site / "hugo"), "-d", str(site / "hugo-out")] if hugo else None
    for run in range(edits):
        edit_one_story(db, 101 + 37 * run, env)
        os.sync()  # the edit's writes are not the export's to flush
        ours.append(timed([*ca_editor(), "--db", str(db), "export", str(out)], env))
        if hugo_cmd:
            export_bench.set_aside(site / "hugo-out")
            os.sync()
            theirs.append(timed(hugo_cmd, env))
    print(f"\none-shot `ca-editor export` after one edit, {stories:,} stories, {edits} runs")
    print(
        f"{'ca-editor export (one edit)':<30} {statistics.median(ours):7.3f} s  {[round(s, 3) for s in ours]}"
    )
    if theirs:
        print(
            f"{'hugo (full build)':<30} {statistics.median(theirs):7.3f} s  {[round(s, 3) for s in theirs]}"
        )
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        ratio = statistics.median(ratios)
        verdict = "ok" if ratio <= ONE_SHOT_TARGET else "MISSED"
        each = ", ".join(f"{r:.3f}" for r in ratios)
        worst = max(ratios)
        print(
            f"{'one-shot / hugo':<30} {ratio:7.3f}  worst {worst:.3f}"
            f"  (target ≤ {ONE_SHOT_TARGET})  {verdict}  [{each}]"
        )
    else:
        print("hugo not found: no ratio (apt-get install hugo to compare)")
    export_bench.empty_trash(WORK)


def edit_one_story(db: Path, number: int, env: dict[str, str]) -> None:
    script = f"""
from dataclasses import replace
import time
from ca_editor.app import open_services
services = open_services({str(db)!r}, seed_demo=False)
story = services.stories.get_by_slug("story-{number:06d}")
fields = replace(story.fields(), body=story.body + f"\\n\\nCorrection {{time.time_ns()}}.")
services.stories.update(story.id, fields, expected_version=story.version)
services.db.dispose()
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--stories", type=int, default=0, help="also time a one-shot re-export at this size")
    parser.add_argument("--edits", type=int, default=5, help="one-shot runs (one edit each)")
    args = parser.parse_args()
    startup(args.runs)
    if args.stories:
        one_shot(args.stories, args.edits)


if __name__ == "__main__":
    main()
