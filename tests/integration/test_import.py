"""JSON Lines import through the service and the command line: all lines or none, errors that point home."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from tests import db_query

from ca_editor import cli
from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.stories import StoryQuery


def png_bytes(color: tuple[int, int, int], size: tuple[int, int] = (12, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


def write_jsonl(path: Path, lines: list[str | bytes]) -> Path:
    data = b"\n".join(item if isinstance(item, bytes) else item.encode("utf-8") for item in lines) + b"\n"
    path.write_bytes(data)
    return path


def table_counts(services: Services) -> dict[str, int]:
    counts = db_query.table_counts(services)
    return {table: counts[table] for table in ("stories", "assets", "slots", "sections")}


def all_slugs(services: Services) -> set[str]:
    return {s.slug for s in services.stories.list(StoryQuery(limit=None))}


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "red.png").write_bytes(png_bytes((200, 0, 0)))
    (folder / "img" / "red-copy.png").write_bytes(png_bytes((200, 0, 0)))  # same bytes, other name
    (folder / "img" / "blue.png").write_bytes(png_bytes((0, 0, 200), (20, 10)))
    return folder


# ------------------------------------------------------------------------------------------ success


def test_import_creates_stories_with_all_fields(empty_services: Services, feed_dir: Path) -> None:
    source = write_jsonl(
        feed_dir / "stories.jsonl",
        [
            line(
                title="Dam opens on the Vakhsh",
                slug="dam-opens",
                summary="Rogun fills.",
                body="Body *text*.",
                byline="Dushanbe desk",
                published_at="2024-02-03T04:05:06+05:00",
                tags=[" Energy ", "Tajikistan"],
                status="approved",
                image="img/red.png",
                image_alt="A red square",
                image_caption="Caption",
                image_credit="Credit",
            ),
            "",  # blank lines are skipped
            line(title="Second story without slug", published_at="2024-02-04"),
        ],
    )
    report = empty_services.imports.import_jsonl(source)
    assert report.source == "stories.jsonl"
    assert report.created == ("dam-opens", "second-story-without-slug")
    assert report.updated == ()
    assert report.total == 2

    story = empty_services.stories.get_by_slug("dam-opens")
    assert story.title == "Dam opens on the Vakhsh"
    assert story.summary == "Rogun fills."
    assert story.body == "Body *text*."
    assert story.byline == "Dushanbe desk"
    assert story.published_at is not None
    assert story.published_at.isoformat() == "2024-02-02T23:05:06+00:00"
    assert story.tags == ("Energy", "Tajikistan")
    assert story.status is StoryStatus.APPROVED
    assert story.image is not None
    assert story.image.alt == "A red square"
    assert story.image.caption == "Caption"
    assert story.image.credit == "Credit"
    red = (feed_dir / "img" / "red.png").read_bytes()
    assert story.image.asset.sha256 == hashlib.sha256(red).hexdigest()
    assert story.image.asset.media_type == "image/png"
    assert (story.image.asset.width, story.image.asset.height) == (12, 8)
    assert story.image.asset.byte_size == len(red)

    second = empty_services.stories.get_by_slug("second-story-without-slug")
    assert second.status is StoryStatus.DRAFT
    assert second.image is None
    assert second.published_at is not None
    assert second.published_at.isoformat() == "2024-02-04T00:00:00+00:00"


def test_same_image_is_stored_once(empty_services: Services, feed_dir: Path) -> None:
    source = write_jsonl(
        feed_dir / "stories.jsonl",
        [
            line(title="One", image="img/red.png", image_alt="red"),
            line(title="Two", image="img/red.png", image_alt="red again"),
            line(title="Three", image="img/red-copy.png", image_alt="red under another name"),
            line(title="Four", image="./img/blue.png", image_alt="blue"),
        ],
    )
    empty_services.imports.import_jsonl(source)
    assert table_counts(empty_services)["assets"] == 2
    hashes = {
        slug: empty_services.stories.get_by_slug(slug).image for slug in ("one", "two", "three", "four")
    }
    assert all(image is not None for image in hashes.values())
    red = hashlib.sha256((feed_dir / "img" / "red.png").read_bytes()).hexdigest()
    blue = hashlib.sha256((feed_dir / "img" / "blue.png").read_bytes()).hexdigest()
    assert {slug: image.asset.sha256 for slug, image in hashes.items() if image} == {
        "one": red,
        "two": red,
        "three": red,
        "four": blue,
    }
    stored = {
        sha: bytes(data) for sha, data in db_query.rows(empty_services, "SELECT sha256, data FROM assets")
    }
    assert stored[red] == (feed_dir / "img" / "red.png").read_bytes()
    assert stored[blue] == (feed_dir / "img" / "blue.png").read_bytes()

    # Importing the image again from a second file reuses the stored asset.
    again = write_jsonl(feed_dir / "more.jsonl", [line(title="Five", image="img/red.png", image_alt="red")])
    empty_services.imports.import_jsonl(again)
    assert table_counts(empty_services)["assets"] == 2


def test_existing_slugs_are_updated_not_duplicated(
    services: Services, demo_stories: list, tmp_path: Path
) -> None:
    target = demo_stories[0]
    before = table_counts(services)
    old = services.stories.get_by_slug(target.slug)
    source = write_jsonl(
        tmp_path / "update.jsonl",
        [line(title="Replaced title", slug=target.slug, summary="New summary", status="ready")],
    )
    report = services.imports.import_jsonl(source)
    assert report.updated == (target.slug,)
    assert report.created == ()
    assert table_counts(services)["stories"] == before["stories"]

    story = services.stories.get_by_slug(target.slug)
    assert story.id == old.id
    assert story.title == "Replaced title"
    assert story.summary == "New summary"
    assert story.status is StoryStatus.READY
    assert story.version == old.version + 1
    # The slot that held the story still holds it.
    assert target.slug in [s.story.slug for s in services.sections.layout(services.section_id()).slots]


def test_reimporting_the_demo_file_skips_every_unchanged_story(
    services: Services, demo_stories: list
) -> None:
    from ca_editor.locations import demo_dir

    before = table_counts(services)
    versions = {s.slug: services.stories.get_by_slug(s.slug).version for s in demo_stories}
    plan = services.imports.preview(demo_dir() / "stories.jsonl")
    assert plan.summary() == f"0 to add, 0 to update, {len(demo_stories)} skipped"
    assert all(entry.reason.endswith(", unchanged") for entry in plan.entries)
    report = services.imports.import_jsonl(demo_dir() / "stories.jsonl")
    assert report.created == report.updated == ()
    assert sorted(report.skipped) == sorted(s.slug for s in demo_stories)
    assert table_counts(services) == before
    assert {s.slug: services.stories.get_by_slug(s.slug).version for s in demo_stories} == versions


def test_derived_slug_that_is_taken_by_another_title_gets_a_suffix(
    services: Services, demo_stories: list, tmp_path: Path
) -> None:
    # A story without a slug whose title slugifies onto an existing slug is a new story, not an update.
    taken = demo_stories[0].slug
    title = taken.replace("-", " ")
    source = write_jsonl(tmp_path / "derived.jsonl", [line(title=title)])
    before = services.stories.count()
    report = services.imports.import_jsonl(source)
    assert services.stories.count() == before + 1
    assert report.created
    assert report.created[0] != taken
    assert report.created[0].startswith(taken[:40])
    assert services.stories.get_by_slug(taken).title == demo_stories[0].title


def test_import_with_crlf_line_endings_and_bom_free_utf8(empty_services: Services, tmp_path: Path) -> None:
    source = tmp_path / "windows.jsonl"
    source.write_bytes(
        (
            line(title="Ташкент туманы", slug="tashkent-fog")
            + "\r\n"
            + line(title="Second", slug="second")
            + "\r\n"
        ).encode()
    )
    report = empty_services.imports.import_jsonl(source)
    assert report.created == ("tashkent-fog", "second")
    assert empty_services.stories.get_by_slug("tashkent-fog").title == "Ташкент туманы"


def test_cli_import_creates_and_reports(
    db_url: str, feed_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write_jsonl(
        feed_dir / "cli.jsonl",
        [line(title="From the command line", slug="from-cli", image="img/blue.png", image_alt="blue")],
    )
    assert cli.main(["--db", db_url, "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "1 created" in out
    assert "0 updated" in out
    assert cli.main(["--db", db_url, "import", str(source)]) == 0
    assert "1 skipped" in capsys.readouterr().out  # the same file again changes nothing

    rows = db_query.rows(db_url, "SELECT title FROM stories WHERE slug = 'from-cli'")
    assert rows == [("From the command line",)]


# ----------------------------------------------------------------------------------------- failures

GOOD = line(title="A perfectly good first story", slug="good-first-story", status="published")

# (case id, line 2 of the file, field the error must name or None)
BAD_SECOND_LINES: list[tuple[str, str | bytes, str | None]] = [
    ("bad-json", '{"title": "x",', None),
    ("bad-json-trailing", '{"title": "x"} trailing', None),
    ("array-line", '["title", "x"]', None),
    ("string-line", '"just a string"', None),
    ("number-line", "42", None),
    ("null-line", "null", None),
    ("missing-title", line(summary="no title here"), "title"),
    ("blank-title", line(title="   "), "title"),
    ("title-not-string", line(title=12), "title"),
    ("date-out-of-range", line(title="x", published_at="2024-13-45"), "published_at"),
    ("date-words", line(title="x", published_at="yesterday"), "published_at"),
    ("date-number", line(title="x", published_at=20240520), "published_at"),
    ("date-year-9999", line(title="x", published_at="9999-01-01"), "published_at"),
    ("unknown-key", line(title="x", author="someone"), "author"),
    ("tags-string", line(title="x", tags="Kazakhstan"), "tags"),
    ("tags-numbers", line(title="x", tags=[1, 2]), "tags"),
    ("tags-empty-string", line(title="x", tags=[""]), "tags"),
    ("bad-status", line(title="x", status="live"), "status"),
    ("status-number", line(title="x", status=3), "status"),
    ("bad-slug", line(title="x", slug="Not A Slug!"), "slug"),
    ("duplicate-slug", line(title="Again", slug="good-first-story"), "slug"),
    ("image-dotdot", line(title="x", image="../outside.png", image_alt="a"), "image"),
    ("image-dotdot-inside", line(title="x", image="img/../../outside.png", image_alt="a"), "image"),
    ("image-absolute", line(title="x", image="/etc/passwd", image_alt="a"), "image"),
    ("image-backslash-dotdot", line(title="x", image="..\\outside.png", image_alt="a"), "image"),
    ("image-nul", line(title="x", image="img/red.png\x00.txt", image_alt="a"), "image"),
    ("image-not-an-image", line(title="x", image="img/notes.png", image_alt="a"), "image"),
    ("image-truncated", line(title="x", image="img/truncated.png", image_alt="a"), "image"),
    ("image-missing", line(title="x", image="img/nowhere.png", image_alt="a"), "image"),
    ("image-is-a-folder", line(title="x", image="img", image_alt="a"), "image"),
    ("image-not-string", line(title="x", image=["img/red.png"]), "image"),
    ("body-nul", line(title="x", body="a\x00b"), "body"),
    ("title-too-long", line(title="x" * 301), "title"),
    ("non-utf8", b'{"title": "caf\xe9"}', None),
    ("non-utf8-leading", b"\xff\xfe{}", None),
]


@pytest.fixture
def hostile_feed(feed_dir: Path) -> Path:
    (feed_dir / "img" / "notes.png").write_text("these are notes, not a picture\n", encoding="utf-8")
    (feed_dir / "img" / "truncated.png").write_bytes(png_bytes((1, 2, 3), (64, 64))[:60])
    (feed_dir.parent / "outside.png").write_bytes(png_bytes((9, 9, 9)))  # exists, but outside the folder
    return feed_dir


@pytest.mark.parametrize(
    ("second", "field"), [c[1:] for c in BAD_SECOND_LINES], ids=[c[0] for c in BAD_SECOND_LINES]
)
def test_a_bad_line_imports_nothing_and_names_line_and_field(
    services: Services, hostile_feed: Path, second: str | bytes, field: str | None
) -> None:
    source = write_jsonl(
        hostile_feed / "bad.jsonl", [GOOD, second, line(title="A third line, never reached")]
    )
    before = table_counts(services)
    slugs_before = all_slugs(services)

    with pytest.raises(ImportFailedError) as caught:
        services.imports.import_jsonl(source)

    error = caught.value
    assert error.line == 2
    assert "line 2" in str(error)
    assert "bad.jsonl" in str(error)
    assert "Nothing was imported" in str(error)
    assert error.field == field
    if field is not None:
        assert f"'{field}'" in str(error)
    assert table_counts(services) == before
    assert all_slugs(services) == slugs_before
    assert "good-first-story" not in all_slugs(services)


def test_a_bad_line_far_down_names_its_own_number(services: Services, tmp_path: Path) -> None:
    lines: list[str | bytes] = [
        line(title=f"Story number {n}", slug=f"story-number-{n}") for n in range(1, 40)
    ]
    lines.insert(24, "")  # blank lines still count as lines
    lines.append(line(title="late", published_at="2024-02-30"))
    source = write_jsonl(tmp_path / "long.jsonl", lines)
    before = table_counts(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.import_jsonl(source)
    assert caught.value.line == len(lines)
    assert caught.value.field == "published_at"
    assert table_counts(services) == before


@pytest.mark.parametrize("content", [b"", b"\n\n  \n", b"   "], ids=["empty", "blank-lines", "spaces"])
def test_an_empty_file_is_refused(services: Services, tmp_path: Path, content: bytes) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_bytes(content)
    before = table_counts(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.import_jsonl(source)
    assert "no stories" in str(caught.value)
    assert table_counts(services) == before


def test_a_missing_file_is_refused(services: Services, tmp_path: Path) -> None:
    with pytest.raises(ImportFailedError) as caught:
        services.imports.import_jsonl(tmp_path / "nowhere.jsonl")
    assert "nowhere.jsonl" in str(caught.value)


def test_a_bad_image_on_an_update_line_rolls_back_earlier_updates(
    services: Services, demo_stories: list, hostile_feed: Path
) -> None:
    # The image is only decoded while writing: the first line's update must be rolled back with it.
    first = services.stories.get_by_slug(demo_stories[0].slug)
    source = write_jsonl(
        hostile_feed / "updates.jsonl",
        [
            line(title="Changed title", slug=demo_stories[0].slug, image="img/red.png", image_alt="red"),
            line(title="Brand new", slug="brand-new"),
            line(title="Bad picture", slug=demo_stories[1].slug, image="img/notes.png", image_alt="notes"),
        ],
    )
    before = table_counts(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.import_jsonl(source)
    assert caught.value.line == 3
    assert caught.value.field == "image"
    assert table_counts(services) == before
    assert services.stories.get(first.id) == first
    assert "brand-new" not in all_slugs(services)


@pytest.mark.parametrize(
    ("second", "field"),
    [
        ('{"title": ', None),
        (line(title="x", published_at="2024-13-45"), "published_at"),
        (line(title="x", image="../up.png", image_alt="a"), "image"),
        (line(title="x", image="img/notes.png", image_alt="a"), "image"),
    ],
    ids=["bad-json", "bad-date", "image-outside", "image-not-an-image"],
)
def test_cli_import_failure_exits_1_and_names_the_line(
    services: Services,
    hostile_feed: Path,
    capsys: pytest.CaptureFixture[str],
    second: str,
    field: str | None,
) -> None:
    source = write_jsonl(hostile_feed / "cli-bad.jsonl", [GOOD, second])
    before = table_counts(services)
    capsys.readouterr()
    assert cli.main(["--db", services.db.url, "import", str(source)]) == 1
    captured = capsys.readouterr()
    assert "line 2" in captured.err
    if field:
        assert field in captured.err
    assert "created" not in captured.out
    assert table_counts(services) == before
    assert "good-first-story" not in all_slugs(services)


def test_cli_import_of_an_empty_file_exits_1(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_bytes(b"")
    assert cli.main(["--db", db_url, "import", str(source)]) == 1
    assert "no stories" in capsys.readouterr().err
