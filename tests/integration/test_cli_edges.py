"""The command line at its edges: a reader that leaves early, and a reason that says nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _feed(path: Path, entries: int) -> Path:
    items = "".join(
        f"<item><title>Item {i}</title><guid>g{i}</guid><description>d</description>"
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
        for i in range(entries)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    path.write_text(f"{head}{items}</channel></rss>")
    return path


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path) -> None:
    """`ca-editor import --dry-run FEED | head -1`: the pipe closes after one line."""
    command = [sys.executable, "-m", "ca_editor", "--db", str(tmp_path / "d.sqlite3"), "import", "--dry-run"]
    with subprocess.Popen(
        [*command, str(_feed(tmp_path / "feed.xml", 3000))],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline()  # read one line, then leave
        process.stdout.close()
        error = process.stderr.read().decode()
        assert process.wait(timeout=120) == 0
    assert "Traceback" not in error and "BrokenPipe" not in error


def test_a_blank_override_reason_is_refused_and_says_why(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ca_editor", "--db", str(tmp_path / "d.sqlite3"),
         "export", str(tmp_path / "out"), "--override-reason", "   "],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "--override-reason is empty" in result.stderr
    assert not (tmp_path / "out").exists()
