"""The derivative cache beside running exports: pruning never breaks one, and threads never share a
temporary file (the preview's GUI thread and an export's thread store the same picture at once)."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from tests.integration.test_export_images import _give_image, _images, _lead_story

from ca_editor.durable import replace_atomically
from ca_editor.export.image_cache import IN_USE, CachedFile, DerivativeCache
from ca_editor.export.renditions import Picture
from ca_editor.services.container import Services

HOUR_AGO = time.time() - IN_USE - 60


def _stored(cache: DerivativeCache, picture_key: str, rendition_key: str, size: int) -> tuple[Path, Path]:
    """A cached picture with one rendition: (its record, its file)."""
    record = Path(cache.root or "", "pictures", picture_key[:2], picture_key)
    file = Path(cache.root or "", "files", rendition_key[:2], f"{rendition_key}.webp")
    for path, data in ((file, b"x" * size), (record, f"{rendition_key} {'0' * 64} {size}\n".encode())):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return record, file


def _age(*paths: Path, when: float = HOUR_AGO) -> None:
    for path in paths:
        os.utime(path, (when, when))


def test_prune_keeps_pictures_used_within_the_hour(tmp_path: Path) -> None:
    cache = DerivativeCache(tmp_path)
    old_record, old_file = _stored(cache, "aa" * 16, "11" * 16, 1000)
    recent_record, recent_file = _stored(cache, "bb" * 16, "22" * 16, 1000)
    _age(old_record, old_file, recent_file)  # the recent picture's record was touched by a use just now
    assert cache.prune(limit=0) == 1000
    assert not old_record.exists() and not old_file.exists()
    assert recent_record.exists() and recent_file.exists()  # an export may be linking it right now
    assert cache.prune(limit=0, now=time.time() + IN_USE + 1) == 1000  # an hour on, it goes too
    assert not recent_file.exists()


def test_prune_deletes_files_no_record_names_once_an_hour_old(tmp_path: Path) -> None:
    cache = DerivativeCache(tmp_path)
    record, named = _stored(cache, "aa" * 16, "11" * 16, 10)
    orphans = tmp_path / "files" / "33"
    orphans.mkdir(parents=True)
    old_orphan, young_orphan, stale_temporary = (
        orphans / "33ab.webp",
        orphans / "33cd.jpg",
        orphans / ".33.tmp",
    )
    for path in (old_orphan, young_orphan, stale_temporary):
        path.write_bytes(b"y" * 100)
    _age(record, named, old_orphan, stale_temporary)
    # Under the limit: no picture is dropped, but the old orphans (never counted by a record) are.
    assert cache.prune(limit=10**9) == 200
    assert not old_orphan.exists() and not stale_temporary.exists()
    assert young_orphan.exists()  # maybe a picture being stored now: its record comes after its files
    assert record.exists() and named.exists()


class _PrunedBetween(DerivativeCache):
    """A cache whose files vanish right after ``files`` checked them: a prune racing the export."""

    def files(self, picture: Picture) -> dict[str, CachedFile] | None:
        found = super().files(picture)
        if found is not None:
            for cached in found.values():
                Path(cached.path).unlink()
        return found


def test_a_full_export_encodes_again_what_was_pruned_after_the_check(
    services: Services, tmp_path: Path, photos: ModuleType
) -> None:
    _give_image(services, _lead_story(services), photos.camera_jpeg(21, (1600, 1200)))
    services.exports.derivatives = DerivativeCache(tmp_path / "cache")
    services.exports.export(services.section_id(), tmp_path / "first")
    expected = {p.name: p.read_bytes() for p in _images(tmp_path / "first")}
    services.exports.derivatives = _PrunedBetween(tmp_path / "cache")
    services.exports.export(services.section_id(), tmp_path / "second", full=True)
    assert {p.name: p.read_bytes() for p in _images(tmp_path / "second")} == expected


def test_an_update_encodes_again_what_was_pruned_after_the_check(
    services: Services, tmp_path: Path, photos: ModuleType
) -> None:
    story = _give_image(services, _lead_story(services), photos.camera_jpeg(22, (1600, 1600)))
    services.exports.derivatives = DerivativeCache(tmp_path / "cache")
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    # A new focal point: a new crop, whose files the cache gets from an export elsewhere.
    moved = replace(story.fields(), image_focus=(0.5, 0.1))
    services.stories.update(story.id, moved, expected_version=story.version)
    services.exports.export(services.section_id(), tmp_path / "elsewhere", full=True)
    expected = {p.name: p.read_bytes() for p in _images(tmp_path / "elsewhere")}
    services.exports.derivatives = _PrunedBetween(tmp_path / "cache")
    services.exports.export(services.section_id(), out)  # in place: the lead's page and its new crop
    placed = {p.name: p.read_bytes() for p in _images(out)}
    assert {name: placed.get(name) for name in expected} == expected


@pytest.mark.parametrize("writer", ["cache", "replace_atomically"])
def test_two_threads_writing_the_same_file_both_succeed_with_a_whole_file(
    tmp_path: Path, writer: str
) -> None:
    cache = DerivativeCache(tmp_path)
    target = tmp_path / "files" / "ab" / "abcd.webp"
    payloads = [bytes([65 + n]) * 4_000_000 for n in range(2)]  # large: a write takes a while
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def write(data: bytes) -> None:
        try:
            start.wait()
            for _ in range(5):
                if writer == "cache":
                    cache._write(str(target), data)
                else:
                    replace_atomically(target, data, sync=False)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert target.read_bytes() in payloads  # one writer's bytes, whole: never a mix or a truncation
    assert [p.name for p in target.parent.iterdir()] == ["abcd.webp"]  # no temporary left behind
