"""Long command-line work in a terminal shows a bar; piped, it shows none; Ctrl+C leaves things as they were.

Issue 19, item 6. The terminal is a real pseudo-terminal (``pty``): the child is a session leader with it as
its controlling terminal, and Ctrl+C is SIGINT to its whole process group, as a terminal sends it.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests import db_query

STORIES = 4000


def write_feed(path: Path, count: int = STORIES) -> Path:
    lines = []
    for number in range(count):
        body = f"Paragraph one of story {number}.\n\n" + "A sentence of the story body. " * 40
        lines.append(
            json.dumps(
                {
                    "title": f"Story number {number}",
                    "slug": f"bulk-story-{number:05d}",
                    "summary": f"Summary of story {number}.",
                    "body": body,
                    "published_at": f"20{10 + number % 15:02d}-0{1 + number % 9}-1{number % 9}T09:00:00Z",
                    "status": "published",
                }
            )
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def cli(db: Path | str, *args: str) -> list[str]:
    return [sys.executable, "-m", "ca_editor", "--db", str(db), *args]


class Terminal:
    """A child process on a pseudo-terminal: everything it prints, as a person would see it."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: a session leader whose controlling terminal is the pty
            os.execve(argv[0], argv, env)
        self.seen = b""

    def read_until(self, wanted: bytes, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while wanted not in self.seen and time.monotonic() < deadline:
            if not self._read(0.2):
                break
        return wanted in self.seen

    def _read(self, wait: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.seen += chunk
        return bool(chunk)

    def ctrl_c(self) -> None:
        os.killpg(self.pid, signal.SIGINT)

    def wait(self, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(0.05) and select.select([self.fd], [], [], 0)[0]:
                    pass
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        os.kill(self.pid, signal.SIGKILL)
        raise AssertionError(f"the command did not end; it printed:\n{self.text}")

    @property
    def text(self) -> str:
        return self.seen.decode("utf-8", "replace")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k != "CA_EDITOR_DB"}
    environ.update(TERM="xterm", COLUMNS="100", XDG_DATA_HOME=str(tmp_path / "data"))
    return environ


@pytest.fixture
def db(tmp_path: Path, env: dict[str, str]) -> Path:
    path = tmp_path / "desk.sqlite3"
    subprocess.run(cli(path, "migrate"), env=env, check=True, capture_output=True, timeout=120)
    return path


@pytest.fixture
def either_db(db_url: str, env: dict[str, str]) -> str:
    """A migrated database on either engine (a new SQLite file, or an empty PostgreSQL database)."""
    subprocess.run(cli(db_url, "migrate"), env=env, check=True, capture_output=True, timeout=120)
    return db_url


def story_count(db: Path | str) -> int:
    """How many of the feed's stories the database holds."""
    return int(db_query.scalar(db, "SELECT count(*) FROM stories WHERE slug LIKE 'bulk-story-%'"))


def test_an_import_in_a_terminal_shows_a_bar_with_counts_and_time_left(
    tmp_path: Path, db: Path, env: dict[str, str]
) -> None:
    feed = write_feed(tmp_path / "bulk.jsonl")
    terminal = Terminal(cli(db, "import", str(feed)), env)
    assert terminal.wait() == 0, terminal.text
    text = terminal.text
    assert "importing:" in text, text
    assert f"/{STORIES}" in text  # counts: done of total
    assert "stories/s" in text  # the rate ...
    assert "<00:" in text  # ... and the time left, tqdm's "[elapsed<left"
    assert text.splitlines()[-1].endswith(f"bulk.jsonl: {STORIES:,} created, 0 updated, 0 skipped")


def test_piped_output_has_no_bar(tmp_path: Path, db: Path, env: dict[str, str]) -> None:
    feed = write_feed(tmp_path / "bulk.jsonl")
    done = subprocess.run(cli(db, "import", str(feed)), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for output in (done.stdout, done.stderr):
        assert "\r" not in output
        assert "%|" not in output
        assert "stories/s" not in output
    assert done.stderr == ""


def test_ctrl_c_during_an_import_rolls_it_all_back(
    tmp_path: Path, either_db: str, env: dict[str, str]
) -> None:
    db = either_db
    feed = write_feed(tmp_path / "bulk.jsonl")
    terminal = Terminal(cli(db, "import", str(feed)), env)
    assert terminal.read_until(b"importing:", timeout=120), terminal.text
    terminal.ctrl_c()
    assert terminal.wait() == 130, terminal.text
    assert "ca-editor: interrupted; nothing was imported" in terminal.text
    assert "Traceback" not in terminal.text
    assert story_count(db) == 0
    if not db.startswith("postgresql"):
        with sqlite3.connect(db) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        connection.close()


def test_ctrl_c_during_an_export_keeps_the_previous_bundle(
    tmp_path: Path, either_db: str, env: dict[str, str]
) -> None:
    db, out = either_db, tmp_path / "out"
    subprocess.run(cli(db, "export", str(out)), env=env, check=True, capture_output=True, timeout=120)
    manifest = (out / "manifest.json").read_bytes()
    files = sorted(p.relative_to(out) for p in out.rglob("*"))
    feed = write_feed(tmp_path / "bulk.jsonl")
    subprocess.run(cli(db, "import", str(feed)), env=env, check=True, capture_output=True, timeout=300)

    terminal = Terminal(cli(db, "export", str(out)), env)  # every new story to render and write
    assert terminal.read_until(b"exporting:", timeout=120), terminal.text
    terminal.ctrl_c()
    assert terminal.wait() == 130, terminal.text
    assert "ca-editor: interrupted; the bundle folder is as it was" in terminal.text
    assert "Traceback" not in terminal.text
    assert (out / "manifest.json").read_bytes() == manifest
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == files
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")] == []  # no stage left behind
