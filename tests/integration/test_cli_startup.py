"""What each command loads at start (issue 19, item 5): only what it uses.

Timings live in ``bench/cli_startup.py``; these tests check the cause instead, the modules a command
imports, which a timing test on a shared machine could not pin down.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from ca_editor.persistence.migrate import alembic_head_revision, head_revision, known_revisions, upgrade

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("alembic", "feedparser", "bs4", "markdownify", "yaml", "PySide6", "qtawesome", "tqdm", "slugify")


def loaded_after(code: str, cwd: Path) -> set[str]:
    """The top-level packages of ``HEAVY`` loaded once ``code`` ran in a fresh interpreter."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_nothing_heavy(tmp_path: Path) -> None:
    assert loaded_after("import ca_editor.cli", tmp_path) == set()
    assert "sqlalchemy" not in loaded_sqlalchemy("import ca_editor.cli", tmp_path)


def loaded_sqlalchemy(code: str, cwd: Path) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nimport sys; print('sqlalchemy' in sys.modules and 'sqlalchemy' or '')",
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_version_loads_neither_the_database_nor_anything_heavy(tmp_path: Path) -> None:
    code = """
        import contextlib, io
        from ca_editor.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            main(["--version"])
    """
    assert loaded_after(code, tmp_path) == set()
    assert loaded_sqlalchemy(textwrap.dedent(code), tmp_path) == ""


def test_an_export_of_a_current_database_loads_no_alembic_and_no_importers(tmp_path: Path) -> None:
    db, out = tmp_path / "desk.sqlite3", tmp_path / "out"
    export = f"""
        import contextlib, io
        from ca_editor.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["--db", {str(db)!r}, "export", {str(out)!r}]) == 0
    """
    first = loaded_after(export, tmp_path)  # a new file: Alembic creates it, the importers seed the demo
    assert {"alembic", "feedparser"} <= first
    assert loaded_after(export, tmp_path) == set()  # the same file again: current, seeded, exported before
    assert (out / "index.html").is_file()


def test_check_and_backups_load_no_alembic_either(tmp_path: Path) -> None:
    db = tmp_path / "desk.sqlite3"
    subprocess.run([sys.executable, "-m", "ca_editor", "--db", str(db), "migrate"], check=True, timeout=120)
    for argv in (["check"], ["backups"]):
        code = f"""
            import contextlib, io
            from ca_editor.cli import main
            with contextlib.redirect_stdout(io.StringIO()):
                main(["--db", {str(db)!r}, *{argv!r}])
        """
        assert "alembic" not in loaded_after(code, tmp_path), argv


def test_head_revision_read_from_the_files_is_alembics_own() -> None:
    """No constant to drift: the head is read from ``db/versions`` as Alembic reads it."""
    assert head_revision() == alembic_head_revision()
    assert head_revision() is not None


def test_a_new_migration_file_is_the_head_at_once(tmp_path: Path) -> None:
    copied = tmp_path / "db"
    shutil.copytree(REPO_ROOT / "db", copied, ignore=shutil.ignore_patterns("__pycache__"))
    previous = head_revision(copied)
    (copied / "versions" / "9000_next.py").write_text(
        f'"""Next."""\n\nrevision = "9000_next"\ndown_revision = "{previous}"\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade() -> None:\n    pass\n",
        encoding="utf-8",
    )
    assert head_revision(copied) == "9000_next" == alembic_head_revision(copied)
    assert known_revisions(copied)["9000_next"] == (previous,)


def test_an_older_database_is_still_migrated_and_backed_up_first(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    upgrade(f"sqlite:///{db}", "0001_initial")
    done = subprocess.run(
        [sys.executable, "-m", "ca_editor", "--db", str(db), "migrate"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "XDG_DATA_HOME": str(tmp_path / "data")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
    connection.close()
    backups = list((tmp_path / "data").rglob("*before-migration.sqlite"))
    assert len(backups) == 1


def test_version_is_a_constant_that_agrees_with_the_installed_metadata(tmp_path: Path) -> None:
    """``--version`` reads ``ca_editor._version`` (hatchling builds the package version from it), so it needs
    no ``importlib.metadata``, which costs about 40 ms of imports; the two can never disagree."""
    from importlib.metadata import version

    from ca_editor import __version__

    assert version("ca-editor") == __version__
    code = """
        import contextlib, io, sys
        from ca_editor.cli import main
        with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
            main(["--version"])
        print("importlib.metadata" in sys.modules)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
