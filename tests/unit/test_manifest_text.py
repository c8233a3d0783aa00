"""The previous manifest read and changed as text gives the same bytes as a manifest written from dicts."""

from __future__ import annotations

import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ca_editor.export.manifest import Manifest
from ca_editor.export.manifest_text import FlatMapText, ManifestText


def manifest(files: dict[str, str], inputs: dict[str, str], stories: dict[str, str], **head: object) -> str:
    fields: dict[str, object] = {
        "generator": "ca-editor test",
        "exported_at": datetime(2026, 11, 27, tzinfo=UTC),
        "section_slug": "central-asia",
        "editors_choice": (),
    }
    fields.update(head)
    return Manifest(**fields, files=files, page_inputs=inputs, frame="f" * 32, stories=stories).to_json()  # type: ignore[arg-type]


def read(tmp_path: Path, text: str) -> ManifestText | None:
    (tmp_path / "manifest.json").write_text(text, encoding="utf-8")
    return ManifestText.read(tmp_path)


def spliced(flat: FlatMapText) -> str:
    return "".join(flat.json_pieces())


def as_written(mapping: dict[str, str]) -> str:
    """The map as a manifest written from a dict lays it out."""
    text = manifest(mapping, {}, {})
    start = text.index('"files": ') + len('"files": ')
    return text[start : text.index(',\n  "page_inputs"')]


def test_reads_the_three_maps_and_the_frame(tmp_path: Path) -> None:
    files = {"index.html": "a" * 64, "stories/b.html": "b" * 64, "style.css": "c" * 64}
    inputs = {"index.html": "1" * 32, "stories/b.html": "2" * 32}
    stories = {"7": "3 " + "d" * 64 + " e stories-b 2026-11"}
    found = read(tmp_path, manifest(files, inputs, stories))
    assert found is not None
    assert found.frame == "f" * 32
    assert dict(found.files) == files and dict(found.inputs) == inputs and dict(found.stories) == stories
    assert found.files["stories/b.html"] == "b" * 64
    assert found.files.get("stories/missing.html") is None
    assert len(found.files) == 3
    assert found.files.with_prefix("stories/") == {"stories/b.html": "b" * 64}
    assert found.files.base_keys() == sorted(files)


@pytest.mark.parametrize("seed", range(12))
def test_any_edits_splice_into_the_bytes_a_dict_would_write(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    size = rng.choice([1, 2, 3, 10, 200])
    keys = sorted({f"stories/s{rng.randrange(10_000):05d}.html" for _ in range(size)})
    base = {k: f"{rng.getrandbits(64):016x}" for k in keys}
    found = read(tmp_path, manifest(base, {"x": "y"}, {"1": "z"}))
    assert found is not None
    expected = dict(base)
    flat = found.files
    for _ in range(rng.choice([0, 1, 2, 5, 40])):
        action = rng.random()
        if action < 0.35 and expected:  # change an entry
            key = rng.choice(sorted(expected))
            flat[key] = expected[key] = f"{rng.getrandbits(64):016x}"
        elif action < 0.6 and expected:  # delete one
            key = rng.choice(sorted(expected))
            del flat[key]
            del expected[key]
        else:  # add one, anywhere in the order (first, last, between)
            key = rng.choice(["a.html", "zz.html", f"stories/s{rng.randrange(10_000):05d}x.html"])
            flat[key] = expected[key] = f"{rng.getrandbits(64):016x}"
        assert len(flat) == len(expected)
    assert spliced(flat) == as_written(expected)
    assert dict(flat.sorted_items()) == expected
    assert flat.with_prefix("stories/") == {k: v for k, v in expected.items() if k.startswith("stories/")}


def test_entry_prefixes_give_each_entry_its_key_and_first_fields(tmp_path: Path) -> None:
    stories = {"7": "3 abc e slug-a 2026-11", "12": "10 def f slug-b -", "9": "1 0"}
    found = read(tmp_path, manifest({"a": "1"}, {"x": "y"}, stories))
    assert found is not None
    prefix = FlatMapText.entry_prefix
    assert found.stories.entry_prefixes(2) == {
        prefix("7", "3", "abc"),
        prefix("12", "10", "def"),
        prefix("9", "1", "0"),
    }
    assert found.stories.entry_prefixes(1) == {prefix("7", "3"), prefix("12", "10"), prefix("9", "1")}
    assert prefix("7", "3", "abc") not in found.stories.entry_prefixes(1)


def test_deleting_every_entry_leaves_an_empty_map(tmp_path: Path) -> None:
    found = read(tmp_path, manifest({"a": "1", "b": "2"}, {"x": "y"}, {"1": "z"}))
    assert found is not None
    del found.files["a"]
    del found.files["b"]
    found.files["b"] = "3"  # put back, then gone again
    del found.files["b"]
    assert spliced(found.files) == "{}" == as_written({})
    with pytest.raises(KeyError):
        del found.files["a"]


def test_many_lookups_read_the_map_once_and_agree(tmp_path: Path) -> None:
    base = {f"k{n:04d}": f"v{n}" for n in range(100)}
    found = read(tmp_path, manifest(base, {"x": "y"}, {"1": "z"}))
    assert found is not None
    assert [found.files.get(k) for k in base] == list(base.values())  # past the parse threshold
    assert found.files.get("k9999") is None


def test_the_whole_manifest_is_the_same_bytes_after_edits(tmp_path: Path) -> None:
    files = {f"stories/s{n}.html": f"{n:064x}" for n in range(50)}
    inputs = {f"stories/s{n}.html": f"{n:032x}" for n in range(50)}
    stories = {str(n): f"1 {n:064x} ab s{n} 2026-01" for n in range(50)}
    found = read(tmp_path, manifest(files, inputs, stories))
    assert found is not None
    found.files["stories/s7.html"] = files["stories/s7.html"] = "e" * 64
    found.inputs["stories/new.html"] = inputs["stories/new.html"] = "1" * 32
    del found.stories["12"]
    del stories["12"]
    head = {"problems": ('a "quoted" problem \\ with a backslash',)}  # escapes outside the maps are fine
    again = manifest(found.files, found.inputs, found.stories, **head)  # type: ignore[arg-type]
    assert again == manifest(files, inputs, stories, **head)
    json.loads(again)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t.replace('"stories/s1.html": "', '"stories/s1.html":  "'),  # spacing changed by hand
        lambda t: t.replace('"stories/s1.html"', '"stories/s\\u0031.html"'),  # an escape in a map
        lambda t: json.dumps(json.loads(t)),  # the same JSON on one line
        lambda t: json.dumps(json.loads(t), indent=4),
        lambda t: t.replace(',\n    "stories/s2.html"', ', "stories/s2.html"'),  # two entries on a line
        lambda t: t.replace('"format": "ca-editor-bundle"', '"format": "other"'),
        lambda t: t[:-2],  # cut short
        lambda t: t.replace('"frame": "ffff', '"frame": "'),  # a frame key is no JSON-significant text
    ],
)
def test_a_manifest_not_in_our_layout_is_left_to_the_json_reader(tmp_path: Path, spoil: object) -> None:
    files = {f"stories/s{n}.html": f"{n:064x}" for n in range(4)}
    text = manifest(files, {"x": "y"}, {"1": "z"})
    assert read(tmp_path, text) is not None
    spoilt = spoil(text)  # type: ignore[operator]
    assert spoilt != text
    found = read(tmp_path, spoilt)
    if found is not None:  # only a change that keeps every map line intact may still be read
        assert dict(found.files) == files


def test_missing_or_unreadable_manifest(tmp_path: Path) -> None:
    assert ManifestText.read(tmp_path) is None
    (tmp_path / "manifest.json").write_bytes(b"\xff\xfe not utf-8")
    assert ManifestText.read(tmp_path) is None


def test_refuses_entries_json_would_escape(tmp_path: Path) -> None:
    found = read(tmp_path, manifest({"a": "1"}, {"x": "y"}, {"1": "z"}))
    assert found is not None
    for key, value in (('a"b', "1"), ("a", "1\n2"), ("a\\b", "1")):
        with pytest.raises(ValueError, match="not a manifest entry"):
            found.files[key] = value


def test_a_manifest_this_process_wrote_is_trusted_until_the_file_changes(tmp_path: Path) -> None:
    from ca_editor.export import manifest_text

    files = {f"stories/s{n}.html": f"{n:064x}" for n in range(5)}
    text = manifest(files, {"x": "y"}, {"1": "z"})
    path = tmp_path / "manifest.json"
    path.write_text(text, encoding="utf-8")
    manifest_text.remember_written(path, 99, 1, 1)  # counts as a splice would have left them
    found = ManifestText.read(tmp_path)
    assert found is not None and len(found.files) == 99  # taken on trust: no counting
    os.utime(path, ns=(1, 1))  # any other write changes the file's identity
    found = ManifestText.read(tmp_path)
    assert found is not None and len(found.files) == 5
    path.write_text(text.replace('"stories/s1.html"', '"stories/s\\u0031.html"'), encoding="utf-8")
    manifest_text.remember_written(tmp_path / "elsewhere.json", 5, 1, 1)
    assert ManifestText.read(tmp_path) is None


def test_names_by_folder_groups_the_keys_and_refuses_deeper_paths(tmp_path: Path) -> None:
    files = {"index.html": "1", "archive.html": "2", "archive/2026.html": "3", "archive/2026-01.html": "4",
             "stories/b.html": "5", "stories/a.html": "6", "style.css": "7", "zz/last.html": "8"}  # fmt: skip
    found = read(tmp_path, manifest(files, {"x": "y"}, {"1": "z"}))
    assert found is not None
    assert found.files.names_by_folder() == {
        "": ["archive.html", "archive", "index.html", "stories", "style.css", "zz"],
        "archive": ["2026-01.html", "2026.html"],
        "stories": ["a.html", "b.html"],
        "zz": ["last.html"],
    }
    nested = read(tmp_path, manifest({**files, "stories/deep/x.html": "9"}, {"x": "y"}, {"1": "z"}))
    assert nested is not None and nested.files.names_by_folder() is None
