"""The one Jinja2 environment: a missing variable is an error; every value is escaped in every template."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import jinja2
import pytest
from markupsafe import Markup

from ca_editor.domain.dates import group_buckets
from ca_editor.domain.model import ImageAsset, Section, Slot, Story, StoryImage, StoryStatus
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.export.pages import archive_pages, section_page, story_pages
from ca_editor.export.renditions import picture_as_stored
from ca_editor.export.templating import CONTENT_SECURITY_POLICY, environment
from ca_editor.locations import templates_dir

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
WHEN = datetime(2024, 5, 20, 9, 30, tzinfo=UTC)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


def _section(title: str = "Central Asia", description: str = "News from the region") -> Section:
    return Section(id=1, slug="central-asia", title=title, description=description, slot_count=3)


def _section_context() -> dict[str, object]:
    return {
        "root": "",
        "home": "index.html",
        "section": _section(),
        "archive": [],
        "lang": "en",
        "cards": [],
        "sections": [],  # the sections' navigation of an ``export --all`` bundle; none here
    }


# --- StrictUndefined ------------------------------------------------------------------------------------


def test_section_page_renders_with_its_full_context() -> None:
    html = environment().get_template("section.html").render(**_section_context())
    assert "Central Asia" in html
    assert "No stories have been chosen yet." in html


@pytest.mark.parametrize("missing", sorted(_section_context()))
def test_a_missing_variable_in_section_html_raises(missing: str) -> None:
    context = _section_context()
    del context[missing]
    with pytest.raises(jinja2.UndefinedError, match=missing):
        environment().get_template("section.html").render(**context)


def test_a_missing_attribute_raises() -> None:
    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ section.no_such_field }}").render(section=_section())


def test_the_environment_uses_strict_undefined() -> None:
    assert environment().undefined is jinja2.StrictUndefined


def test_the_environment_is_built_once() -> None:
    assert environment() is environment()


# --- autoescape -----------------------------------------------------------------------------------------


def test_a_template_from_a_string_escapes_values() -> None:
    assert environment().from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_a_template_from_a_string_escapes_quotes_inside_attributes() -> None:
    html = environment().from_string('<a title="{{ x }}">t</a>').render(x='" onmouseover="alert(1)')
    assert _elements(html) == [("a", {"title": '" onmouseover="alert(1)'})]


@pytest.mark.parametrize("name", ["page.html", "feed.xml", "notes.txt", "partial.j2", "no_extension"])
def test_autoescape_does_not_depend_on_the_template_name(name: str) -> None:
    env = environment().overlay(loader=jinja2.DictLoader({name: "{{ x }}"}))
    assert env.get_template(name).render(x="<b>&") == "&lt;b&gt;&amp;"


def test_markup_is_inserted_unescaped() -> None:
    # How the cleaned story body gets in: only values wrapped in Markup on purpose.
    assert environment().from_string("{{ x }}").render(x=Markup("<p>ok</p>")) == "<p>ok</p>"


def test_the_filters_and_globals_are_registered() -> None:
    env = environment()
    rendered = env.from_string(
        "{{ d | human_date }}|{{ d | machine_date }}|{{ month_label(2024, 2) }}|{{ csp }}"
    )
    assert rendered.render(d=WHEN) == (
        f"20 May 2024|2024-05-20T09:30:00Z|February 2024|{CONTENT_SECURITY_POLICY.replace("'", '&#39;')}"
    )


def test_the_csp_blocks_scripts_and_remote_loads() -> None:
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives  # falls back to default-src 'none'
    assert "http" not in CONTENT_SECURITY_POLICY


def _hostile_snapshot() -> SiteSnapshot:
    asset = ImageAsset(sha256="ab" * 32, media_type="image/png", width=640, height=480, byte_size=1234)
    story = Story(
        id=7,
        slug="hostile-story",
        title=HOSTILE,
        summary=HOSTILE,
        body="Body with <script>alert(1)</script> and [x](javascript:alert(1))",
        byline=HOSTILE,
        published_at=WHEN,
        status=StoryStatus.PUBLISHED,
        tags=(HOSTILE,),
        image=StoryImage(asset=asset, alt=HOSTILE, caption=HOSTILE, credit=HOSTILE),
        version=1,
        created_at=WHEN,
        updated_at=WHEN,
    )
    return SiteSnapshot(
        section=_section(title=HOSTILE, description=HOSTILE),
        slots=(Slot(id=1, position=1, story=story),),
        stories=(story,),
        archive=group_buckets([(2024, 5, 1)]),
        generated_at=WHEN,
    )


def _all_pages() -> list[tuple[str, str]]:
    snapshot = _hostile_snapshot()
    pages = [
        section_page(snapshot, picture_as_stored),
        *story_pages(snapshot, picture_as_stored),
        *archive_pages(snapshot),
    ]
    env = environment()
    return [(page.template, env.get_template(page.template).render(**page.context)) for page in pages]


def test_every_shipped_page_template_is_exercised() -> None:
    rendered = {template for template, _ in _all_pages()}
    shipped = {p.name for p in templates_dir().glob("*.html") if not p.name.startswith("_")} - {"base.html"}
    assert rendered == shipped


@pytest.mark.parametrize(("template", "html"), _all_pages(), ids=[t for t, _ in _all_pages()])
def test_user_text_is_escaped_in_every_page_template(template: str, html: str) -> None:
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html  # the hostile title really was rendered, escaped
    for tag, attrs in _elements(html):
        assert tag not in {"script", "iframe", "object", "embed"}
        assert not any(name.startswith("on") for name in attrs), f"{tag} {attrs} in {template}"
        if tag in {"img", "source"}:  # named by content hash and crop, never by anything a user typed
            for url in [attrs.get("src") or "", *(attrs.get("srcset") or "").split(", ")]:
                if url:
                    assert re.fullmatch(
                        r"(\.\./)?images/abababababab-[0-9a-f]{10}-\d+w\.(png|webp)( \d+w)?", url
                    )
