"""What a one-shot `ca-editor export` pays once per process: no module or check it does not need.

The timings are `bench/cli_startup.py`'s (ratios, bench/RESULTS.md); here only what is loaded and run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from ca_editor.app import open_services

# Loaded only when needed: the render pool (many bodies), the layout differ (review), Markdown's "extra"
# by name (each name lookup scans every installed package's entry points).
NOT_FOR_ONE_STORY = (
    "concurrent.futures.process",
    "ca_editor.domain.layout_diff",
    "markdown.extensions.extra",
)


def test_a_one_story_export_loads_neither_the_pool_nor_the_differ_and_runs_no_quick_check(
    tmp_path: Path,
) -> None:
    db, out = tmp_path / "desk.sqlite3", tmp_path / "out"
    open_services(str(db)).db.dispose()  # created, seeded, closed cleanly: known sound
    probe = textwrap.dedent(
        f"""
        import contextlib, io, json, sqlite3, sys
        from ca_editor.persistence import sqlite_driver
        statements = []
        connect = sqlite_driver.connect
        def traced(target, *, uri=False):
            connection = connect(target, uri=uri)
            connection.set_trace_callback(statements.append)
            return connection
        sqlite_driver.connect = traced
        from ca_editor.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--db", {str(db)!r}, "export", "--force", {str(out)!r}]) == 0
        loaded = sorted(set({NOT_FOR_ONE_STORY!r}) & set(sys.modules))
        checks = sum("quick_check" in s.lower() for s in statements)
        print(json.dumps({{"loaded": loaded, "quick_checks": checks}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )

    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"loaded": [], "quick_checks": 0}
    assert (out / "index.html").is_file()
