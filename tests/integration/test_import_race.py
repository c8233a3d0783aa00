"""Two scripts import the same story at once: a wire feed and an editor's script on one desk.

Each child process runs the real command line (``cli.main``, the code ``ca-editor import`` runs: opening
the database, the backup before the import, reading, planning, writing) 25 times over one JSON Lines file
that updates the story ``race-story`` with its own body. Nobody saw a preview, so an import that finds the
stories moved since it planned must plan again rather than fail; and "database is locked" must never
reach the person. At the end the story holds one of the two bodies, whole.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from tests import db_query

from ca_editor import cli

ROUNDS = 25  # per process, as in the issue

CHILD = r"""
import contextlib, io, json, sys, time
from ca_editor import cli

db, source, rounds, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
while time.time() < go:  # both children start importing at the same moment
    time.sleep(0.001)
results = []
for _ in range(rounds):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--db", db, "import", source])
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results))
"""


def body_of(writer: str) -> str:
    """A long body whose every paragraph names its writer, so a mix of two bodies would show."""
    return "\n\n".join(f"Paragraph {n} from the {writer}: " + f"{writer} " * 40 for n in range(60))


def test_two_processes_importing_one_story_never_fail(tmp_path: Path, db_url: str) -> None:
    db = db_url  # a new SQLite file, or an empty PostgreSQL database
    assert cli.main(["--db", db, "migrate"]) == 0
    bodies = {writer: body_of(writer) for writer in ("wire", "script")}
    sources = {}
    for writer, body in bodies.items():
        sources[writer] = tmp_path / f"{writer}.jsonl"
        line = {"title": "Race story", "slug": "race-story", "body": body, "summary": f"from the {writer}"}
        sources[writer].write_text(json.dumps(line) + "\n", encoding="utf-8")

    go = time.time() + 3.0  # time for both interpreters to start
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), str(sources[w]), str(ROUNDS), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in bodies
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=600)
        assert child.returncode == 0, err
        results.extend(json.loads(out))

    assert len(results) == 2 * ROUNDS
    failures = [r["err"] for r in results if r["code"] != 0]
    assert failures == []
    shown = " ".join(r["out"] + r["err"] for r in results).lower()
    assert "locked" not in shown
    assert "busy" not in shown
    assert "since the preview" not in shown
    rows = db_query.rows(db, "SELECT body, summary FROM stories WHERE slug = 'race-story'")
    assert len(rows) == 1
    body, summary = rows[0]
    writer = next(w for w, b in bodies.items() if b == body)  # one of the two bodies, whole
    assert summary == f"from the {writer}"  # and the rest of the same line with it
