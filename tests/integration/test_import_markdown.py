"""Markdown files with YAML front matter: a folder (or chosen files) is one import, all or nothing."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image
from tests import db_query

from ca_editor import cli
from ca_editor.domain.errors import ImportFailedError
from ca_editor.domain.model import StoryStatus
from ca_editor.services.container import Services
from ca_editor.services.importing import Action
from ca_editor.services.importing.records import MAX_MARKDOWN_BYTES


def md(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(target: db_query.Target) -> list[tuple[object, ...]]:
    return db_query.rows(target, "SELECT id, slug, title, body, version FROM stories ORDER BY id")


def png(path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 9), (20, 120, 200)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())


def test_a_folder_of_markdown_files_imports_every_story(empty_services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    (folder / "img").mkdir(parents=True)
    png(folder / "img" / "dam.png")
    md(
        folder,
        "01-dam.md",
        "---\ntitle: Dam opens on the Vakhsh\nslug: dam-opens\ndate: 27 Nov 2026\nauthor: Dushanbe desk\n"
        "tags: [Energy, Tajikistan]\nstatus: ready\ndescription: Rogun fills.\nimage: img/dam.png\n"
        "image_alt: The dam\nlayout: post\nweight: 3\n---\nBody with **bold**.\n",
    )
    md(folder, "02-heading.markdown", "# Тоқаев в Астане\n\nText under the heading.\n")
    md(folder, "notes.txt", "not a story")
    md(folder, ".hidden.md", "---\ntitle: hidden\n---\n")
    (folder / "sub").mkdir()
    md(folder / "sub", "nested.md", "---\ntitle: Not read\n---\n")

    plan = empty_services.imports.preview(folder)
    assert plan.source.kind == "Markdown"
    assert [e.record.origin.label for e in plan.entries] == ["file '01-dam.md'", "file '02-heading.markdown'"]
    assert "ignored: layout, weight" in plan.entries[0].reason
    report = empty_services.imports.apply(plan)
    assert report.created == ("dam-opens", "tokaev-v-astane")

    dam = empty_services.stories.get_by_slug("dam-opens")
    assert (dam.title, dam.summary, dam.body, dam.byline) == (
        "Dam opens on the Vakhsh",
        "Rogun fills.",
        "Body with **bold**.",
        "Dushanbe desk",
    )
    assert dam.tags == ("Energy", "Tajikistan")
    assert dam.status is StoryStatus.READY
    assert dam.published_at is not None and dam.published_at.isoformat() == "2026-11-27T00:00:00+00:00"
    assert dam.image is not None and dam.image.alt == "The dam"
    heading = empty_services.stories.get_by_slug("tokaev-v-astane")
    assert (heading.title, heading.body, heading.status) == (
        "Тоқаев в Астане",
        "Text under the heading.",
        StoryStatus.DRAFT,
    )


def test_scalars_stay_text_and_dates_go_through_the_date_reader(
    empty_services: Services, tmp_path: Path
) -> None:
    # YAML 1.1 would turn these into 1984, False, a date object and 80; BaseLoader keeps what was written.
    path = md(
        tmp_path, "odd.md", "---\ntitle: 1984\nbyline: no\ndate: 2026-11-27 14:05\ntags: 1:20\n---\nx\n"
    )
    report = empty_services.imports.import_path(path)
    story = empty_services.stories.get_by_slug(report.created[0])
    assert (story.title, story.byline, story.tags) == ("1984", "no", ("1:20",))
    assert story.published_at is not None and story.published_at.isoformat() == "2026-11-27T14:05:00+00:00"


def test_reimporting_a_folder_skips_unchanged_and_updates_edited_files(
    empty_services: Services, tmp_path: Path
) -> None:
    folder = tmp_path / "posts"
    md(folder, "a.md", "---\ntitle: Astana summit\n---\nFirst text.\n")
    md(folder, "b.md", "---\ntitle: Bishkek talks\nslug: bishkek\n---\nText.\n")
    empty_services.imports.import_path(folder)
    story = empty_services.stories.get_by_slug("astana-summit")
    empty_services.stories.update(
        story.id,
        story.fields().__class__(**{**vars_of(story), "status": StoryStatus.APPROVED}),
        expected_version=story.version,
    )
    md(folder, "a.md", "---\ntitle: Astana summit\n---\nCorrected text.\n")
    plan = empty_services.imports.preview(folder)
    assert [e.action for e in plan.entries] == [Action.UPDATE, Action.SKIP]
    assert plan.entries[0].reason == f"same title and slug as story #{story.id}; changes body"
    assert plan.entries[1].reason.startswith("same slug as story #")
    empty_services.imports.apply(plan)
    assert empty_services.stories.count() == 2
    updated = empty_services.stories.get(story.id)
    assert updated.body == "Corrected text."
    assert updated.status is StoryStatus.APPROVED  # no status in the file: the desk's stays


def vars_of(story):  # type: ignore[no-untyped-def]
    fields = story.fields()
    return {name: getattr(fields, name) for name in fields.__dataclass_fields__}


YAML_LAUGHS = (
    "---\ntitle: Laughs\n"
    'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
    "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n"
)


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        (YAML_LAUGHS + "tags: *i\n---\nx\n", "tags", "must be a list of words"),
        ("---\ntitle: [a, b]\n---\n", "title", "must be text, not a list"),
        ("---\ntitle: ok\nsummary: {a: 1}\n---\n", "summary", "must be text, not a map"),
        ("---\ntitle: ok\ndate: 03/04/2026\n---\n", "published_at", "could be 3 April or 4 March"),
        ("---\ntitle: ok\ndate: someday\n---\n", "published_at", "not a date"),
        ("---\ntitle: ok\nstatus: live\n---\n", "status", "must be one of"),
        ("---\ntitle: ok\ndraft: maybe\n---\n", "draft", "true or false"),
        ("---\ntitle: ok\nslug: Not A Slug\n---\n", "slug", "lower-case"),
        ("---\ntitle: ok\nimage: ../outside.png\n---\n", "image", "inside the import file's folder"),
        ("---\ntitle: ok\nimage: /etc/passwd\n---\n", "image", "inside the import file's folder"),
        (
            "---\ntitle: ok\n: : bad\n  - yaml\n---\n",
            None,
            "cannot read the front matter on front matter line",
        ),
        ("---\ntitle: ok\n", None, "no closing '---'"),
        ("---\n- a list\n---\n", None, "'key: value' lines"),
        ("+++\ntitle = 'toml'\n+++\n", None, "TOML front matter"),
        ("Just text, no title anywhere.\n", "title", "no title"),
        ("---\ntitle: ok\n---\nbad \x00 byte\n", "body", "character"),
    ],
    ids=[
        "yaml-billion-laughs",
        "title-list",
        "summary-map",
        "ambiguous-date",
        "bad-date",
        "bad-status",
        "bad-draft",
        "bad-slug",
        "image-outside",
        "image-absolute",
        "bad-yaml",
        "unclosed",
        "not-a-map",
        "toml",
        "no-title",
        "nul-in-body",
    ],
)
def test_a_bad_file_imports_nothing_and_names_the_file(
    services: Services, tmp_path: Path, text: str, field: str | None, says: str
) -> None:
    folder = tmp_path / "posts"
    md(folder, "a-good.md", "---\ntitle: A good story\n---\nFine.\n")
    md(folder, "b-bad.md", text)
    md(folder, "c-never.md", "---\ntitle: Never reached\n---\n")
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(folder)
    error = caught.value
    assert "posts, file 'b-bad.md'" in str(error)
    assert (error.line, error.field) == (2, field)
    assert says in str(error)
    assert snapshot(services) == before


def test_a_file_that_is_not_utf8_is_named(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "cp1251.md").write_bytes("---\ntitle: Россия\n---\n".encode("cp1251"))
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(folder)
    assert "file 'cp1251.md'" in str(caught.value) and "not UTF-8" in str(caught.value)


def test_a_link_to_a_file_outside_the_folder_is_refused(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    md(folder, "fine.md", "# Fine\n")
    secret = md(tmp_path, "secret.md", "---\ntitle: Secret\n---\nroot:x:0:0\n")
    os.symlink(secret, folder / "link.md")
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(folder)
    assert "file 'link.md'" in str(caught.value) and "outside the folder" in str(caught.value)


def test_a_50_mb_markdown_file_is_refused_before_it_is_read(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    md(folder, "a.md", "# Small\n")
    with (folder / "huge.md").open("w", encoding="utf-8") as handle:
        handle.write("---\ntitle: Huge\n---\n")
        line = "word " * 200 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    assert (folder / "huge.md").stat().st_size >= 50 * 1024 * 1024 > MAX_MARKDOWN_BYTES
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(folder)
    assert "'huge.md' is 50 MB; the limit is 4 MB" in str(caught.value)
    assert snapshot(services) == before


def test_a_50_mb_json_lines_story_is_refused_naming_the_line(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"title": "Fine"}\n{"title": "Huge", "body": "')
        chunk = "x" * (1024 * 1024)
        for _ in range(50):
            handle.write(chunk)
        handle.write('"}\n')
    before = snapshot(services)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(path)
    assert (caught.value.line, caught.value.field) == (2, "body")
    assert "the limit is 1,000,000" in str(caught.value)
    assert snapshot(services) == before


def test_remote_images_are_noted_not_fetched(empty_services: Services, tmp_path: Path) -> None:
    path = md(
        tmp_path,
        "remote.md",
        "---\ntitle: Remote\nimage: https://cdn.example/photo.jpg\n---\nSee ![x](https://cdn.example/a.png)\n",
    )
    plan = empty_services.imports.preview(path)
    reason = plan.entries[0].reason
    assert "image is a web address; it was not downloaded" in reason
    assert "images from the web in the body are not shown" in reason
    empty_services.imports.apply(plan)
    assert empty_services.stories.get_by_slug("remote").image is None


@pytest.mark.parametrize("content", [None, "notes only"], ids=["empty-folder", "no-markdown-files"])
def test_a_folder_without_markdown_says_so(services: Services, tmp_path: Path, content: str | None) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    if content:
        (folder / "notes.txt").write_text(content)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(folder)
    assert "empty: the folder holds no .md or .markdown files" in str(caught.value)


def test_two_files_with_one_slug_fail_naming_both(services: Services, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    md(folder, "a.md", "---\ntitle: One\nslug: same\n---\n")
    md(folder, "b.md", "---\ntitle: Two\nslug: same\n---\n")
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(folder)
    assert "file 'b.md', field 'slug'" in str(caught.value) and "file 'a.md'" in str(caught.value)


def test_chosen_files_of_several_kinds_are_one_import(empty_services: Services, tmp_path: Path) -> None:
    one = md(tmp_path, "one.md", "# One\n")
    two = md(tmp_path, "two.md", "# Two\n")
    jsonl = tmp_path / "three.jsonl"
    jsonl.write_text('{"title": "Three"}\n', encoding="utf-8")
    plan = empty_services.imports.preview([one, jsonl, two])
    assert plan.source.name == "3 files"
    assert plan.source.kind == "JSON Lines and Markdown"
    assert plan.summary() == "3 to add, 0 to update, 0 skipped"
    bad = md(tmp_path, "bad.md", "---\ntitle: x\ndate: 01/02/2026\n---\n")
    with pytest.raises(ImportFailedError):
        empty_services.imports.import_path([one, jsonl, bad])
    assert empty_services.stories.count() == 0  # one bad file: nothing from the others either


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        (
            "wire.txt",
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            "<item><title>Sniffed</title></item></channel></rss>",
            "RSS 2.0 feed",
        ),
        ("dump.txt", '{"title": "Sniffed"}\n', "JSON Lines"),
        ("story.txt", "---\ntitle: Sniffed\n---\n", "Markdown"),
    ],
)
def test_the_format_is_sniffed_when_the_name_does_not_say(
    empty_services: Services, tmp_path: Path, name: str, content: str, kind: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert empty_services.imports.preview(path).source.kind == kind


def test_an_unknown_file_is_refused_with_what_is_accepted(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    png(path)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(path)
    assert "cannot tell what this file holds" in str(caught.value)
    with pytest.raises(ImportFailedError) as caught:
        services.imports.preview(tmp_path / "nowhere.xml")
    assert "nowhere.xml: no such file or folder" in str(caught.value)


def test_cli_imports_a_folder(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "posts"
    md(folder, "a.md", "# Қазақ тілі күні\n\nМәтін.\n")
    assert cli.main(["--db", db_url, "import", str(folder)]) == 0
    assert "posts: 1 created, 0 updated, 0 skipped" in capsys.readouterr().out
    assert "kazak-tili-kuni" in {row[1] for row in snapshot(db_url)}
