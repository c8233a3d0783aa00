"""Export of the demo section: page structure, a closed and script-free bundle, the manifest, atomic swaps."""

from __future__ import annotations

import errno
import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
from PIL import Image
from tests import layout_steps

from ca_editor import cli
from ca_editor.domain.errors import ExportFailedError
from ca_editor.domain.model import SlotOverrides, StoryFields, StoryStatus
from ca_editor.domain.release import Release
from ca_editor.export.bundle import ExportCancelledError
from ca_editor.export.image_cache import DerivativeCache
from ca_editor.services.container import Services
from ca_editor.services.exporting import ExportService

EPOCH = 1716200000  # what the ``demo_bundle`` fixture pins SOURCE_DATE_EPOCH to
REMOTE_PREFIXES = ("http:", "https:", "//", "data:")
URL_ATTRIBUTES = ("href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite")


def html_files(bundle: Path) -> list[Path]:
    files = sorted(bundle.rglob("*.html"))
    assert files
    return files


def local_target(page: Path, bundle: Path, url: str) -> Path | None:
    """The file a local URL on ``page`` points at, or None for a fragment-only link."""
    parts = urlsplit(url)
    assert not parts.scheme, url
    assert not parts.netloc, url
    if not parts.path:
        return None
    assert not parts.path.startswith("/"), f"root-relative URL {url!r} on {page}"
    target = (page.parent / unquote(parts.path)).resolve()
    assert target.is_relative_to(bundle.resolve()), f"{url!r} on {page} leaves the bundle"
    return target


def is_remote(url: str) -> bool:
    return url.strip().lower().startswith(REMOTE_PREFIXES) or ":" in url.split("/")[0]


def card_nodes(document) -> list:
    return document.find("ol", cls="cards").find_all("li", cls="card")


# ------------------------------------------------------------------------------------- section page


def test_section_page_structure(
    demo_bundle: Path, parse_html, demo_section: dict, demo_stories: list
) -> None:
    index = demo_bundle / "index.html"
    document = parse_html(index)
    assert document.doctype is not None
    assert document.doctype.lower() == "doctype html"

    html = document.find("html")
    assert html.get("lang")
    assert html.get("lang") == "en"
    csp = [
        m
        for m in document.find_all("meta")
        if (m.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(csp) == 1
    policy = csp[0].get("content") or ""
    assert "default-src 'none'" in policy
    assert "img-src 'self'" in policy
    assert "script-src" not in policy  # scripts fall under default-src 'none'
    assert document.find("meta", charset="utf-8")
    assert document.find("title").clean_text() == demo_section["title"]

    h1s = document.find_all("h1")
    assert [h.clean_text() for h in h1s] == [demo_section["title"]] == ["Central Asia"]
    description = document.find("p", cls="section-description")
    assert description.clean_text() == " ".join(demo_section["description"].split())

    headings = [h.clean_text() for tag in ("h2", "h3") for h in document.find_all(tag)]
    assert "Editor's choice" in headings
    assert "Filter archive" in headings
    assert "Publication date" in document.find("aside").clean_text()
    choice = document.find("section", cls="editors-choice")
    labelled = choice.get("aria-labelledby")
    assert labelled
    assert document.find(id=labelled).clean_text() == "Editor's choice"
    assert document.find("main").get("id") == "main"

    by_slug = {s.slug: s for s in demo_stories}
    cards = card_nodes(document)
    assert len(cards) == len(demo_section["editors_choice"])
    for position, (card, slug) in enumerate(zip(cards, demo_section["editors_choice"], strict=True), start=1):
        story = by_slug[slug]
        assert card.get("data-position") == str(position)
        link = card.find("h3").find("a")
        assert link.clean_text() == " ".join(story.title.split())
        assert link.get("href") == f"stories/{slug}.html"
        img = card.find("img")
        assert (img.get("alt") or "").strip()
        assert img.get("alt") == story.image_alt
        width, height = img.get("width"), img.get("height")
        assert width
        assert height
        assert width.isdigit()
        assert height.isdigit()
        with Image.open(demo_bundle / (img.get("src") or "")) as picture:
            assert picture.size == (int(width), int(height))
        time = card.find("time")
        assert story.published_at is not None
        assert time.get("datetime") == story.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        summary = card.find("p", cls="card-summary")
        assert summary.clean_text() == " ".join(story.summary.split())


def test_section_page_links_every_archive_year_and_month(
    demo_bundle: Path, parse_html, demo_stories: list
) -> None:
    document = parse_html(demo_bundle / "index.html")
    aside = document.find("aside")
    assert aside.find("h2").clean_text() == "Filter archive"
    hrefs = Counter(a.get("href") for a in aside.find_all("a"))
    dated = [s.published_at for s in demo_stories if s.published_at and s.status in ("approved", "published")]
    years = Counter(d.year for d in dated)
    months = Counter((d.year, d.month) for d in dated)
    expected = {f"archive/{y:04d}.html" for y in years} | {f"archive/{y:04d}-{m:02d}.html" for y, m in months}
    assert set(hrefs) == expected
    for link in aside.find_all("a"):
        assert (demo_bundle / (link.get("href") or "")).is_file()
    # The counts beside the links match the data.
    text = aside.clean_text()
    for year, count in years.items():
        assert f"{year} ({count})" in text
    # Years newest first.
    year_links = [a.get("href") for a in aside.find_all("a") if len(a.clean_text()) == 4]
    assert year_links == [f"archive/{y:04d}.html" for y in sorted(years, reverse=True)]


def test_archive_pages_list_the_right_stories(demo_bundle: Path, parse_html, demo_stories: list) -> None:
    dated = [s for s in demo_stories if s.published_at and s.status in ("approved", "published")]
    for year in {s.published_at.year for s in dated}:
        document = parse_html(demo_bundle / "archive" / f"{year:04d}.html")
        listed = {
            PurePosixPath(a.get("href") or "").stem
            for a in document.find("section", cls="archive-list").find_all("a")
        }
        assert listed == {s.slug for s in dated if s.published_at.year == year}
    for year, month in {(s.published_at.year, s.published_at.month) for s in dated}:
        document = parse_html(demo_bundle / "archive" / f"{year:04d}-{month:02d}.html")
        items = document.find("ul", cls="story-list").find_all("li")
        expected = sorted(
            (s for s in dated if (s.published_at.year, s.published_at.month) == (year, month)),
            key=lambda s: s.published_at,
            reverse=True,
        )
        assert [PurePosixPath(li.find("a").get("href") or "").stem for li in items] == [
            s.slug for s in expected
        ]


# -------------------------------------------------------------------------------------- story pages


def _listed_and_counted(document) -> tuple[int, int]:
    heading = document.find("h1", id="archive-heading")
    count = int(heading.find("span").clean_text().split()[1])
    listed = len(document.find("section", cls="archive-list").find_all("li"))
    return count, listed


def test_archive_counts_match_their_lists(demo_bundle: Path, parse_html) -> None:
    pages = sorted((demo_bundle / "archive").glob("*.html"))
    assert pages
    for page in pages:
        count, listed = _listed_and_counted(parse_html(page))
        assert count == listed, page.name


def test_slotted_unapproved_dated_stories_keep_the_archive_consistent(
    services: Services, tmp_path: Path, parse_html
) -> None:
    """A slotted story gets a page even when not approved; its breadcrumb must find its month page."""
    section_id = services.section_id()
    lonely = services.stories.create(
        StoryFields(
            title="Lonely draft", status=StoryStatus.DRAFT, published_at=datetime(2021, 2, 3, tzinfo=UTC)
        )
    )
    crowded = services.stories.create(
        StoryFields(
            title="Crowded draft", status=StoryStatus.READY, published_at=datetime(2023, 6, 15, tzinfo=UTC)
        )
    )
    hidden = services.stories.create(
        StoryFields(
            title="Unslotted draft", status=StoryStatus.DRAFT, published_at=datetime(2020, 1, 1, tzinfo=UTC)
        )
    )
    layout_steps.assign(services, section_id, lonely.id, position=1)
    layout_steps.assign(services, section_id, crowded.id, position=2)
    out = tmp_path / "out"
    # Slotted drafts get pages only when asked for; they push the demo's last two out of the block.
    services.exports.export(section_id, out, release=Release(include_unapproved=True))

    assert (out / "stories" / "lonely-draft.html").is_file()
    assert not (out / "stories" / f"{hidden.slug}.html").exists()  # not slotted, not approved: no page
    assert not (out / "archive" / "2020.html").exists()
    for page in html_files(out):
        document = parse_html(page)
        for node in document.iter():
            for attribute in ("href", "src"):
                url = node.get(attribute)
                if url and not is_remote(url):
                    target = local_target(page, out, url)
                    assert target is None or target.is_file(), (
                        f"{url!r} on {page.relative_to(out)} is missing"
                    )
    for page in sorted((out / "archive").glob("*.html")):
        count, listed = _listed_and_counted(parse_html(page))
        assert count == listed, page.name
    month = parse_html(out / "archive" / "2021-02.html")
    assert [a.clean_text() for a in month.find("ul", cls="story-list").find_all("a")] == ["Lonely draft"]


def test_story_page_shows_human_and_machine_dates(
    demo_bundle: Path, parse_html, demo_stories: list, human_date: Callable[[datetime], str]
) -> None:
    for story in demo_stories:
        assert story.published_at is not None
        document = parse_html(demo_bundle / "stories" / f"{story.slug}.html")
        assert document.find("h1").clean_text() == " ".join(story.title.split())
        time = document.find("header", cls="story-header").find("time")
        assert time.get("datetime") == story.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert time.clean_text() == human_date(story.published_at)
        img = document.find("figure").find("img")
        assert img.get("alt") == story.image_alt
        assert (demo_bundle / "stories" / (img.get("src") or "")).resolve().is_file()
        month = document.find("nav", cls="breadcrumbs").find_all("a")[-1]
        assert month.get("href") == f"../archive/{story.published_at:%Y-%m}.html"


def test_the_20_may_2024_story(demo_bundle: Path, parse_html, demo_stories: list) -> None:
    story = next(
        s for s in demo_stories if s.published_at and s.published_at.date().isoformat() == "2024-05-20"
    )
    document = parse_html(demo_bundle / "stories" / f"{story.slug}.html")
    time = document.find("article").find("time")
    assert time.clean_text() == "20 May 2024"
    assert time.get("datetime") == story.raw["published_at"]


# ----------------------------------------------------------------------------- the bundle is closed


def test_every_local_reference_resolves_inside_the_bundle(demo_bundle: Path, parse_html) -> None:
    checked = 0
    for page in html_files(demo_bundle):
        document = parse_html(page)
        ids = {node.get("id") for node in document.iter() if node.get("id")}
        for node in document.iter():
            for attribute in URL_ATTRIBUTES:
                value = node.get(attribute)
                if value is None:
                    continue
                assert value.strip(), f"empty {attribute} on <{node.tag}> in {page}"
                # A srcset is a list of "URL WIDTHw" candidates.
                urls = [c.split()[0] for c in value.split(",")] if attribute == "srcset" else [value]
                for url in urls:
                    if is_remote(url):
                        continue  # judged by the next test
                    target = local_target(page, demo_bundle, url)
                    if target is None:
                        assert urlsplit(url).fragment in ids, f"{url!r} on {page} names no element"
                    else:
                        assert target.is_file(), f"{url!r} on {page.relative_to(demo_bundle)} is missing"
                        checked += 1
    assert checked > 50


def test_nothing_remote_and_no_script_anywhere(demo_bundle: Path, parse_html) -> None:
    for page in html_files(demo_bundle):
        document = parse_html(page)
        assert not document.find_all("script"), page
        for tag in ("iframe", "object", "embed", "frame", "base", "form"):
            assert not document.find_all(tag), (page, tag)
        for node in document.iter():
            for name, value in node.attrs.items():
                assert not name.startswith("on"), (page, node.tag, name)
                if name in URL_ATTRIBUTES and value and is_remote(value):
                    assert node.tag == "a" and name == "href" and node.inside("div", "story-body"), (
                        f"remote {name}={value!r} on <{node.tag}> in {page}"
                    )
        for meta in document.find_all("meta"):
            assert (meta.get("http-equiv") or "").lower() != "refresh"
    css = (demo_bundle / "style.css").read_text(encoding="utf-8").lower()
    assert "@import" not in css
    assert "url(http" not in css
    assert "url(//" not in css


def test_every_page_has_lang_csp_and_one_h1(demo_bundle: Path, parse_html) -> None:
    for page in html_files(demo_bundle):
        document = parse_html(page)
        assert document.find("html").get("lang") == "en", page
        metas = document.find_all("meta")
        assert any((m.get("http-equiv") or "").lower() == "content-security-policy" for m in metas), page
        assert len(document.find_all("h1")) == 1, page
        ids = [node.get("id") for node in document.iter() if node.get("id")]
        assert len(ids) == len(set(ids)), f"duplicate ids in {page}: {ids}"
        for img in document.find_all("img"):
            assert img.get("alt") is not None, page


def test_bundle_holds_exactly_the_expected_files(demo_bundle: Path, demo_stories: list) -> None:
    published = [s for s in demo_stories if s.status in ("approved", "published")]
    files = {p.relative_to(demo_bundle).as_posix() for p in demo_bundle.rglob("*") if p.is_file()}
    stories = {f"stories/{s.slug}.html" for s in published}
    years = {f"archive/{s.published_at.year:04d}.html" for s in published if s.published_at}
    months = {f"archive/{s.published_at:%Y-%m}.html" for s in published if s.published_at}
    images = {f for f in files if f.startswith("images/")}
    assert files == {"index.html", "style.css", "manifest.json"} | stories | years | months | images
    demo_images = {
        hashlib.sha256(
            (Path(__file__).resolve().parents[2] / "resources" / "demo" / s.image).read_bytes()
        ).hexdigest()
        for s in published
        if s.image
    }
    # Derivatives only, named by the original's hash, the crop and the width; never the originals.
    assert {PurePosixPath(f).stem[:12] for f in images} == {h[:12] for h in demo_images}
    for name in images:
        assert re.fullmatch(r"images/[0-9a-f]{12}-[0-9a-f]{10}-\d+w\.(webp|png|jpg)", name), name


# ----------------------------------------------------------------------------------------- manifest


def test_manifest_lists_every_file_with_its_hash(demo_bundle: Path, demo_section: dict) -> None:
    manifest = json.loads((demo_bundle / "manifest.json").read_text(encoding="utf-8"))
    on_disk = {
        p.relative_to(demo_bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in demo_bundle.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert manifest["files"] == on_disk
    assert "manifest.json" not in manifest["files"]
    assert manifest["format"] == "ca-editor-bundle"
    assert manifest["section"] == demo_section["slug"]
    assert manifest["generator"].startswith("ca-editor ")
    assert manifest["exported_at"] == datetime.fromtimestamp(EPOCH, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [entry["story"] for entry in manifest["editors_choice"]] == demo_section["editors_choice"]
    assert [entry["position"] for entry in manifest["editors_choice"]] == list(
        range(1, len(demo_section["editors_choice"]) + 1)
    )
    for entry in manifest["editors_choice"]:
        assert entry["page"] in on_disk
        assert entry["overrides"] == []
    assert manifest["problems"] == []


def test_manifest_exported_at_follows_source_date_epoch(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    manifest = services.exports.export(services.section_id(), tmp_path / "a")
    assert manifest.exported_at == datetime(1970, 1, 2, tzinfo=UTC)
    assert json.loads((tmp_path / "a" / "manifest.json").read_text())["exported_at"] == "1970-01-02T00:00:00Z"

    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).replace(microsecond=0)
    services.exports.export(services.section_id(), tmp_path / "b")
    stamp = datetime.strptime(
        json.loads((tmp_path / "b" / "manifest.json").read_text())["exported_at"], "%Y-%m-%dT%H:%M:%SZ"
    ).replace(tzinfo=UTC)
    assert before <= stamp <= datetime.now(UTC)


def test_manifest_reports_overrides_and_unapproved_stories(
    services: Services, tmp_path: Path, demo_section: dict
) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    layout_steps.set_overrides(
        services, section_id, layout.slots[0].id, SlotOverrides(headline="Front headline")
    )
    draft = services.stories.create(StoryFields(title="Still a draft", status=StoryStatus.DRAFT))
    layout_steps.remove(services, section_id, layout.slots[-1].id)
    layout_steps.assign(services, section_id, draft.id)
    # Undated: an error, overridden; unapproved: included on request.
    release = Release(override_reason="the draft is a placeholder", include_unapproved=True)
    manifest = services.exports.export(section_id, tmp_path / "out", release=release)
    document = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert document["editors_choice"][0]["overrides"] == ["headline"]
    assert document["editors_choice"][0]["headline"] == "Front headline"
    assert document["editors_choice"][-1]["story"] == draft.slug
    assert any("Still a draft" in problem and "draft" in problem for problem in document["problems"])
    assert list(manifest.problems) == document["problems"]
    # The draft is in a slot, so it gets its page; it is not in the archive (not approved).
    assert (tmp_path / "out" / "stories" / f"{draft.slug}.html").is_file()


# ---------------------------------------------------------------------------------------- overrides


def test_overrides_show_on_the_section_page_only(
    services: Services, tmp_path: Path, parse_html, demo_stories: list
) -> None:
    section_id = services.section_id()
    slot = services.sections.layout(section_id).slots[2]
    story_title = slot.story.title
    layout_steps.set_overrides(
        services,
        section_id,
        slot.id,
        SlotOverrides(headline="Override <b>headline</b> & more", summary="Override summary"),
    )
    out = tmp_path / "out"
    services.exports.export(section_id, out)

    card = card_nodes(parse_html(out / "index.html"))[2]
    assert card.find("h3").clean_text() == "Override <b>headline</b> & more"  # escaped text, not markup
    assert not card.find("h3").find_all("b")
    assert card.find("p", cls="card-summary").clean_text() == "Override summary"
    assert story_title not in card.clean_text()

    story_page = parse_html(out / "stories" / f"{slot.story.slug}.html")
    assert story_page.find("h1").clean_text() == " ".join(story_title.split())
    assert "Override" not in story_page.root.clean_text()
    # Archive pages show the story's own title too.
    assert slot.story.published_at is not None
    month = parse_html(out / "archive" / f"{slot.story.published_at:%Y-%m}.html")
    assert " ".join(story_title.split()) in month.root.clean_text()
    assert "Override" not in month.root.clean_text()


def test_image_override_is_exported_and_used_on_the_card(
    services: Services, tmp_path: Path, parse_html
) -> None:
    from ca_editor.domain.model import StoryImage

    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    donor = layout.slots[5].story.image
    assert donor is not None
    layout_steps.set_overrides(
        services, section_id, layout.slots[0].id, SlotOverrides(image=StoryImage(donor.asset, "Override alt"))
    )
    out = tmp_path / "out"
    services.exports.export(section_id, out)
    img = card_nodes(parse_html(out / "index.html"))[0].find("img")
    assert img.get("alt") == "Override alt"
    assert img.get("src").startswith(f"images/{donor.asset.sha256[:12]}-")
    own = layout.slots[0].story.image
    assert own is not None
    story_img = parse_html(out / "stories" / f"{layout.slots[0].story.slug}.html").find("figure").find("img")
    assert story_img.get("src").startswith(f"../images/{own.asset.sha256[:12]}-")


# ---------------------------------------------------------------------------------- hostile content

HOSTILE_BODY = """\
Intro paragraph with a [good link](https://example.org/ok "fine").

<script>alert("script-1")</script>

<img src="x.png" onerror="alert('img-2')">

[js link](javascript:alert('js-3'))

<a href="JaVaScRiPt:alert('js-4')">mixed case</a> and <a href="&#106;avascript:alert('js-5')">entity</a>
and <a href=" javascript:alert('js-6')">spaced</a> and <a href="data:text/html,evil-7">data</a>

A paragraph with attributes
{: onclick="alert('attr-8')" style="background:url(https://evil.example/bg.png)" }

## Heading {: onmouseover="alert('attr-9')" id="main" }

<iframe src="https://evil.example/frame"></iframe>

![remote picture](https://evil.example/pixel.png)

<img src="//evil.example/protocol-relative.png" alt="pr">

<meta http-equiv="refresh" content="0;url=https://evil.example/">

<form action="https://evil.example/post"><input name="q"></form>

<svg><script>alert('svg-10')</script></svg>

<a href="../../../etc/passwd">relative escape</a> [anchor](#footnote)

<div onclick="alert('div-11')" style="position:fixed">styled</div>

<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/y.swf">

<link rel="stylesheet" href="https://evil.example/s.css"><style>body{background:url(https://evil.example/z)}</style>
"""


def test_hostile_body_comes_out_inert(services: Services, tmp_path: Path, parse_html) -> None:
    story = services.stories.create(
        StoryFields(
            title='<script>alert("title")</script> Hostile & "quoted"',
            slug="hostile-story",
            summary="<img src=x onerror=alert(1)>",
            body=HOSTILE_BODY,
            status=StoryStatus.PUBLISHED,
            published_at=datetime(2024, 9, 1, tzinfo=UTC),
            tags=("<b>tag</b>",),
        )
    )
    section_id = services.section_id()
    layout_steps.assign(services, section_id, story.id, position=1)
    out = tmp_path / "out"
    services.exports.export(section_id, out)

    page_path = out / "stories" / "hostile-story.html"
    raw = page_path.read_text(encoding="utf-8")
    page = parse_html(page_path)
    body = page.find("div", cls="story-body")

    for tag in ("script", "iframe", "img", "svg", "form", "input", "object", "embed", "style", "link"):
        assert not body.find_all(tag), tag
    assert not page.find_all("script")
    assert [m.get("http-equiv") for m in page.find_all("meta") if m.get("http-equiv")] == [
        "Content-Security-Policy"
    ]
    for node in page.iter():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name, value)
            assert name != "style", (node.tag, value)
            if name in URL_ATTRIBUTES and value:
                lowered = value.strip().lower()
                assert not lowered.startswith(("javascript:", "data:", "vbscript:")), value
                assert "evil.example" not in lowered, (node.tag, name, value)
    # Raw HTML in a body is shown as escaped text, never parsed: whatever it says, it is only words.
    assert "<script" not in raw.lower() and "<iframe" not in raw.lower()
    attribute_values = " ".join(v or "" for node in page.iter() for v in node.attrs.values()).lower()
    assert "evil.example" not in attribute_values
    assert "javascript:" not in attribute_values
    # Handlers and URLs never reach an attribute. ('js-3' may survive as a harmless title: Markdown reads
    # "(javascript:alert('js-3'))" as URL + title.)
    for marker in ("script-1", "img-2", "js-4", "js-5", "js-6", "attr-8", "attr-9", "svg-10", "div-11"):
        assert marker not in attribute_values, marker
    for node in page.iter():
        for name, value in node.attrs.items():
            assert name == "title" or "alert(" not in (value or ""), (node.tag, name, value)

    links = {a.clean_text(): a for a in body.find_all("a")}
    good = links["good link"]
    assert good.get("href") == "https://example.org/ok"
    assert good.get("rel") is None  # no rel: anchors that lost their href must stay valid HTML
    for text in ("js link", "mixed case", "entity", "spaced", "data", "relative escape"):
        if text not in links:  # written as raw HTML: shown as text, which is all it is
            assert text in body.clean_text(), text
            continue
        href = links[text].get("href")
        assert href is None or href.startswith(("http://", "https://", "mailto:", "#")), (text, href)
    assert links["anchor"].get("href") == "#footnote"
    ids = [node.get("id") for node in page.iter() if node.get("id")]
    assert ids.count("main") == 1  # the body cannot steal the page's own landmark id

    # The title, summary and tags are text, never markup.
    assert page.find("h1").clean_text() == '<script>alert("title")</script> Hostile & "quoted"'
    assert page.find("p", cls="standfirst").clean_text() == "<img src=x onerror=alert(1)>"
    assert page.find("ul", cls="tags").find("li").clean_text() == "<b>tag</b>"

    index = parse_html(out / "index.html")
    assert not index.find_all("script")
    first = card_nodes(index)[0]
    assert first.find("h3").clean_text() == '<script>alert("title")</script> Hostile & "quoted"'
    assert first.find("p", cls="card-summary").clean_text() == "<img src=x onerror=alert(1)>"
    for node in index.iter():
        assert not any(name.startswith("on") for name in node.attrs), node.tag


# ------------------------------------------------------------------------------------ atomic export


def _siblings(folder: Path) -> set[str]:
    """What sits beside the bundle, minus the database files the fixtures keep in the same folder."""
    return {p.name for p in folder.parent.iterdir() if not p.name.startswith("desk.sqlite3")}


def _fail_reading_after(calls: int, exc: BaseException) -> Callable[[ExportService, str], bytes]:
    original = ExportService._read_asset
    count = {"n": 0}

    def failing(self: ExportService, sha256: str) -> bytes:
        count["n"] += 1
        if count["n"] > calls:
            raise exc
        return original(self, sha256)

    return failing


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (RuntimeError("database vanished"), RuntimeError),
        (OSError(errno.ENOSPC, "No space left on device"), ExportFailedError),
    ],
    ids=["unexpected-error", "disk-full"],
)
def test_failed_export_leaves_the_previous_bundle_untouched(
    services: Services,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tree_hashes,
    exc: BaseException,
    expected: type[BaseException],
) -> None:
    out = tmp_path / "site" / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    before = tree_hashes(out)
    siblings = _siblings(out)
    assert len(before) > 10

    # Change what would be exported, so a partial write would show.
    slot = services.sections.layout(section_id).slots[0]
    layout_steps.set_overrides(services, section_id, slot.id, SlotOverrides(headline="New headline"))
    monkeypatch.setattr(ExportService, "_read_asset", _fail_reading_after(3, exc))
    services.exports.derivatives = DerivativeCache(None)  # nothing cached: every original is read

    with pytest.raises(expected) as caught:  # full: an incremental export would link the images instead
        services.exports.export(section_id, out, full=True)
    if expected is ExportFailedError:
        assert "untouched" in str(caught.value)

    assert tree_hashes(out) == before
    assert _siblings(out) == siblings == {"out"}
    assert not [p for p in out.parent.iterdir() if p.name.startswith((".out.new-", ".out.old-"))]


def test_failed_template_render_leaves_the_previous_bundle_untouched(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tree_hashes
) -> None:
    from jinja2 import Template

    out = tmp_path / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    before = tree_hashes(out)

    original_render = Template.render
    rendered: list[str] = []

    def render(self: Template, *args: object, **kwargs: object) -> str:
        rendered.append(self.name or "")
        if self.name == "archive_month.html":
            raise ValueError("template blew up")
        return original_render(self, *args, **kwargs)

    monkeypatch.setattr(Template, "render", render)
    with pytest.raises(ValueError, match="template blew up"):  # full: nothing changed, nothing to render
        services.exports.export(section_id, out, full=True)
    assert "story.html" in rendered  # it really failed half-way, after other pages were written
    assert tree_hashes(out) == before
    assert _siblings(out) == {"out"}


def test_cancelled_export_leaves_the_previous_bundle_untouched(
    services: Services, tmp_path: Path, tree_hashes
) -> None:
    out = tmp_path / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    before = tree_hashes(out)
    calls = {"n": 0}

    def cancel_after_five() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    progress: list[tuple[int, int]] = []
    with pytest.raises(ExportCancelledError):
        services.exports.export(  # full: a re-export of unchanged data in place asks only a few times
            section_id,
            out,
            full=True,
            cancelled=cancel_after_five,
            progress=lambda d, t: progress.append((d, t)),
        )
    assert progress  # some work was done before the cancel
    assert tree_hashes(out) == before
    assert _siblings(out) == {"out"}


def test_first_export_that_fails_leaves_no_folder(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ExportService, "_read_asset", _fail_reading_after(0, RuntimeError("boom")))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError):
        services.exports.export(services.section_id(), out)
    assert not out.exists()
    assert _siblings(out) == set()


def test_successful_re_export_replaces_the_bundle_whole(
    services: Services, tmp_path: Path, tree_hashes, parse_html
) -> None:
    out = tmp_path / "out"
    section_id = services.section_id()
    services.exports.export(section_id, out)
    dropped = services.stories.list()[-1]
    services.stories.delete(dropped.id)  # a slotted story: its slot is empty now
    layout = services.sections.layout(section_id)
    layout_steps.set_overrides(
        services, section_id, layout.slots[0].id, SlotOverrides(headline="Re-exported")
    )
    progress: list[tuple[int, int]] = []
    manifest = services.exports.export(
        section_id,
        out,
        progress=lambda d, t: progress.append((d, t)),
        release=Release(override_reason="one slot short today"),
    )
    assert not (out / "stories" / f"{dropped.slug}.html").exists()
    assert card_nodes(parse_html(out / "index.html"))[0].find("h3").clean_text() == "Re-exported"
    assert set(tree_hashes(out)) == {*manifest.files, "manifest.json"}
    assert _siblings(out) == {"out"}
    assert progress[-1][0] == progress[-1][1]
    assert [d for d, _ in progress] == sorted(d for d, _ in progress)


def test_a_bundle_someone_added_files_to_is_not_replaced(
    services: Services, tmp_path: Path, tree_hashes
) -> None:
    out = tmp_path / "out"
    services.exports.export(services.section_id(), out)
    (out / "notes.txt").write_text("the web team's notes")
    (out / "images" / "logo.png").write_bytes(b"their logo")
    before = tree_hashes(out)

    with pytest.raises(ExportFailedError, match="did not write") as caught:
        services.exports.export(services.section_id(), out)

    assert "notes.txt" in str(caught.value)
    assert tree_hashes(out) == before


def test_a_folder_with_someone_elses_manifest_is_not_replaced(
    services: Services, tmp_path: Path, tree_hashes
) -> None:
    out = tmp_path / "pwa"
    out.mkdir()
    (out / "manifest.json").write_text('{"name": "My web app"}')
    (out / "app.js").write_text("precious")
    before = tree_hashes(out)

    with pytest.raises(ExportFailedError, match="not a ca-editor bundle"):
        services.exports.export(services.section_id(), out)

    assert tree_hashes(out) == before


def test_export_into_a_foreign_folder_is_refused(services: Services, tmp_path: Path, tree_hashes) -> None:
    out = tmp_path / "my-documents"
    (out / "sub").mkdir(parents=True)
    (out / "thesis.txt").write_text("years of work")
    (out / "sub" / "index.html").write_text("<p>my own page</p>")
    before = tree_hashes(out)
    with pytest.raises(ExportFailedError) as caught:
        services.exports.export(services.section_id(), out)
    assert "manifest.json" in str(caught.value)
    assert tree_hashes(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".my-documents.")]


def test_export_onto_a_file_is_refused(services: Services, tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("a file, not a folder")
    with pytest.raises(ExportFailedError):
        services.exports.export(services.section_id(), target)
    assert target.read_text() == "a file, not a folder"


def test_export_into_an_empty_existing_folder_works(services: Services, tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    services.exports.export(services.section_id(), out)
    assert (out / "index.html").is_file()
    assert (out / "manifest.json").is_file()


def test_two_exports_with_source_date_epoch_are_byte_identical(
    services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = tmp_path / "first", tmp_path / "second"
    services.exports.export(services.section_id(), first)
    services.exports.export(services.section_id(), second)

    def contents(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    one, two = contents(first), contents(second)
    assert set(one) == set(two)
    for name in one:
        assert one[name] == two[name], name
    # Re-exporting over the first bundle gives the same bytes again.
    services.exports.export(services.section_id(), first)
    assert contents(first) == two


def test_export_of_a_section_without_slots_or_dated_stories(
    empty_services: Services, tmp_path: Path, parse_html
) -> None:
    from ca_editor.persistence.models import SectionRow

    with pytest.raises(Exception, match="no section"):
        empty_services.section_id()
    with empty_services.db.write() as session:
        session.add(
            SectionRow(slug="empty-desk", title="Empty desk", description="Nothing yet.", slot_count=4)
        )
    empty_services.stories.create(StoryFields(title="Undated but approved", status=StoryStatus.APPROVED))

    out = tmp_path / "out"
    manifest = empty_services.exports.export(
        empty_services.section_id("empty-desk"), out, release=Release(override_reason="a new section")
    )
    index = parse_html(out / "index.html")
    assert index.find("h1").clean_text() == "Empty desk"
    assert not index.find_all("ol")
    assert "No stories have been chosen yet." in index.root.clean_text()
    assert "No dated stories yet." in index.find("aside").clean_text()
    assert not (out / "archive").exists()
    assert (out / "stories" / "undated-but-approved.html").is_file()
    assert manifest.editors_choice == ()
    assert manifest.problems == ("4 editor's-choice slot(s) are empty",)
    story = parse_html(out / "stories" / "undated-but-approved.html")
    assert not story.find_all("time")


# ------------------------------------------------------------------------------------- command line


def test_cli_export(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    parse_html,
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    out = tmp_path / "cli-out"
    assert cli.main(["--db", db_url, "export", str(out)]) == 0
    stdout = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert f"exported {len(manifest['files'])} files" in stdout
    assert (out / "index.html").is_file()
    assert parse_html(out / "index.html").find("h1").clean_text() == "Central Asia"
    assert cli.main(["--db", db_url, "export", str(out), "--section", "central-asia"]) == 0


def test_cli_export_failures_exit_1(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    assert cli.main(["--db", db_url, "export", str(foreign)]) == 1
    assert "not a ca-editor bundle" in capsys.readouterr().err
    assert (foreign / "keep.txt").read_text() == "mine"
    assert sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]

    assert cli.main(["--db", db_url, "export", str(tmp_path / "x"), "--section", "nope"]) == 1
    assert "no section 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
