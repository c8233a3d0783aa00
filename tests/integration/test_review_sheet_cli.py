"""`ca-editor review-sheet OUT.pdf` in a child process with no display: a PDF and its path, or a refusal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtPdf import QPdfDocument


def ca_editor(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run(
        [sys.executable, "-m", "ca_editor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def pdf_text(path: Path) -> str:
    document = QPdfDocument()
    document.load(str(path))
    assert document.status() == QPdfDocument.Status.Ready
    return "\n".join(document.getAllText(i).text() for i in range(document.pageCount()))


def test_review_sheet_without_a_display(qapp: object, tmp_path: Path, db_url: str) -> None:
    """On both engines: a new SQLite file, or an empty PostgreSQL database (migrated and seeded here)."""
    out = tmp_path / "out" / "sheet.pdf"
    out.parent.mkdir()

    done = ca_editor("--db", db_url, "--user", "Айгерим Сапарова", "review-sheet", str(out), cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    assert done.stderr == ""  # no Qt warnings about a missing display or fonts
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(pdf_text(out).split())
    assert "Central Asia" in text
    assert "Printed by Айгерим Сапарова" in text  # Cyrillic, from the offscreen platform's fonts
    assert "Approved by" in text
    assert [p.name for p in out.parent.iterdir()] == ["sheet.pdf"]


def test_a_relative_path_is_written_where_the_command_runs(qapp: object, tmp_path: Path) -> None:
    done = ca_editor("--db", str(tmp_path / "desk.sqlite3"), "review-sheet", "sheet.pdf", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "sheet.pdf")
    assert (tmp_path / "sheet.pdf").is_file()


def test_an_unwritable_path_or_unknown_section_says_why_and_writes_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "desk.sqlite3")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")

    done = ca_editor("--db", db, "review-sheet", str(blocker / "sheet.pdf"), cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot write the review sheet" in done.stderr and "does not exist" in done.stderr
    assert done.stdout == ""

    done = ca_editor("--db", db, "review-sheet", str(tmp_path / "a.pdf"), "--section", "europe", cwd=tmp_path)
    assert done.returncode == 1
    assert "no section 'europe'" in done.stderr
    assert not list(tmp_path.glob("*.pdf"))
