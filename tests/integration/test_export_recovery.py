"""An export killed between its two renames, or half-way through staging, is mended by the next one."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ca_editor.domain.errors import ExportFailedError
from ca_editor.export import staging
from ca_editor.services.container import Services


def _export(services: Services, out: Path) -> None:
    services.exports.export(services.section_id(), out)


def test_a_bundle_left_under_its_old_name_is_put_back_before_the_next_export(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "bundle"
    _export(services, out)
    index_before = (out / "index.html").read_bytes()
    # The crash: the old bundle was renamed away, the new one never arrived.
    out.rename(tmp_path / ".bundle.old-crashed")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(staging, "_swap_in", lambda *_a: refuse())
    with pytest.raises(ExportFailedError, match="previous bundle is untouched"):
        _export(services, out)

    assert (out / "index.html").read_bytes() == index_before
    assert not (tmp_path / ".bundle.old-crashed").exists()


def test_stale_stages_are_cleared_and_fresh_ones_left_alone(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    stale = tmp_path / ".bundle.new-stale"
    fresh = tmp_path / ".bundle.new-fresh"
    for folder in (stale, fresh):
        folder.mkdir()
        (folder / "index.html").write_text("half a page")
    hours_ago = time.time() - 2 * staging.STALE_STAGE_SECONDS
    os.utime(stale, (hours_ago, hours_ago))

    _export(services, out)

    assert (out / "manifest.json").is_file()
    assert not stale.exists()
    assert fresh.exists()  # might belong to an export running in another window


def test_leftovers_of_another_folder_are_not_touched(services: Services, tmp_path: Path) -> None:
    neighbour = tmp_path / ".other.old-xyz"
    neighbour.mkdir()
    (neighbour / "manifest.json").write_text("{}")

    _export(services, tmp_path / "bundle")

    assert neighbour.exists()


def test_a_file_in_place_of_the_bundle_is_refused(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    out.write_text("not a folder")
    with pytest.raises(ExportFailedError, match="is a file"):
        _export(services, out)
    assert out.read_text() == "not a folder"


def test_a_symlinked_bundle_folder_keeps_its_link_and_gets_the_new_bundle(
    services: Services, tmp_path: Path
) -> None:
    real = tmp_path / "real"
    link = tmp_path / "link"
    _export(services, real)
    link.symlink_to(real, target_is_directory=True)
    first = (real / "manifest.json").read_text()
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        _export(services, link)
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]

    assert link.is_symlink()
    assert (real / "manifest.json").read_text() != first
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith((".link", ".real"))]


def test_the_bundle_folder_is_readable_by_others_as_the_umask_allows(
    services: Services, tmp_path: Path
) -> None:
    previous = os.umask(0o022)
    try:
        _export(services, tmp_path / "fresh")
    finally:
        os.umask(previous)
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o755

    (tmp_path / "fresh").chmod(0o750)
    _export(services, tmp_path / "fresh")
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o750  # a chosen mode survives re-export
