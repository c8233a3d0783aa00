"""The command line on either engine, the database named by ``$CA_EDITOR_DB`` alone (no ``--db``).

One walk through the commands a desk uses from a terminal, on a new SQLite file and on an empty PostgreSQL
database: migrate, section list/create/set, import, check, export (twice, the second an update), check-db.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests import db_query

from ca_editor import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str, status: int = 0) -> str:
    assert cli.main(list(argv)) == status, capsys.readouterr()
    return capsys.readouterr().out


def test_every_desk_command_through_ca_editor_db(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CA_EDITOR_DB", db_url)
    assert "database ready" in run(capsys, "migrate")
    assert "central-asia" in run(capsys, "section", "list")  # the first command that opens seeds the demo
    run(capsys, "section", "create", "europe", "--heading", "Europe", "--slots", "4")
    run(capsys, "section", "set", "europe", "--heading", "Europe Today")
    assert "Europe Today" in run(capsys, "section", "list")

    feed = tmp_path / "wire.jsonl"
    feed.write_text(
        json.dumps({"title": "Ёлка в Бишкеке", "slug": "yolka", "body": "Текст.", "tags": ["Kyrgyzstan"]})
        + "\n",
        encoding="utf-8",
    )
    assert "1 created" in run(capsys, "--user", "Night Desk", "import", str(feed))
    assert "1 skipped" in run(capsys, "import", str(feed))
    assert db_query.rows(db_url, "SELECT title, tags FROM stories WHERE slug = 'yolka'") in (
        [("Ёлка в Бишкеке", ["Kyrgyzstan"])],
        [("Ёлка в Бишкеке", '["Kyrgyzstan"]')],  # SQLite's JSON is text as SQLAlchemy wrote it
    )

    assert "0 error(s)" in run(capsys, "check", "--section", "central-asia")
    out = tmp_path / "out"
    assert run(capsys, "export", str(out)).startswith("exported ")
    assert run(capsys, "export", str(out)).startswith(("exported ", f"{out} is up to date"))
    assert (out / "index.html").is_file()
    run(capsys, "check-db")
