"""The one way to replace a file: all or nothing, no temporary left, the old file's permissions kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ca_editor.durable import replace_atomically, replacing


def test_replace_atomically_writes_text_bytes_and_chunks(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "file.txt"
    replace_atomically(target, "Café")
    assert target.read_text(encoding="utf-8") == "Café"
    replace_atomically(target, b"bytes")
    assert target.read_bytes() == b"bytes"
    replace_atomically(target, iter([b"one ", b"two"]), sync=False)
    assert target.read_bytes() == b"one two"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]  # no temporary left


def test_a_replaced_file_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "private.pdf"
    target.write_bytes(b"old")
    target.chmod(0o600)
    replace_atomically(target, b"new")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_bytes() == b"new"


def test_a_failure_in_the_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "db.sqlite3"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), replacing(target) as staged:
        staged.write_bytes(b"half")
        raise RuntimeError("disk trouble")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["db.sqlite3"]


def test_replacing_stages_where_it_is_told(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    target = tmp_path / "page.html"
    with replacing(target, temporary=journal / "0", sync_folder=False) as staged:
        assert staged == journal / "0"
        staged.write_bytes(b"<p>new</p>")
    assert target.read_bytes() == b"<p>new</p>" and not (journal / "0").exists()
