"""The preview renders exactly what the export writes, from values that may carry unsaved edits."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markupsafe import escape
from tests import layout_steps

from ca_editor.domain.errors import NotFoundError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.domain.release import Release
from ca_editor.export.sanitize import render_markdown
from ca_editor.services.container import Services


@pytest.fixture
def exported(services: Services, tmp_path: Path) -> Path:
    out = tmp_path / "bundle"
    services.exports.export(services.section_id(), out)
    return out


def test_section_page_is_the_exported_index(services: Services, exported: Path) -> None:
    page = services.previews.section_page(services.section_id())
    assert page.path == "index.html"
    assert page.html == (exported / "index.html").read_text(encoding="utf-8")
    layout = services.sections.layout(services.section_id())
    shown = {s.image.asset.sha256 for s in layout.slots if s.image}
    assert {a.sha256 for a in page.assets} == shown
    assert {p.sha256 for p in page.pictures} == shown
    for picture in page.pictures:  # the derivatives the page names are the bundle's, never the originals
        for file in services.previews.picture_files(picture):
            assert (exported / file.rendition.path).is_file()
    assert not any((exported / "images" / a.file_name).exists() for a in page.assets)


def test_story_page_is_the_exported_story_page(services: Services, exported: Path) -> None:
    story = services.sections.layout(services.section_id()).slots[0].story
    page = services.previews.story_page(services.section_id(), story)
    assert page.path == f"stories/{story.slug}.html"
    assert page.html == (exported / page.path).read_text(encoding="utf-8")
    assert [a.sha256 for a in page.assets] == ([story.image.asset.sha256] if story.image else [])


def test_unsaved_edits_show_on_both_pages(services: Services) -> None:
    section_id = services.section_id()
    story = services.sections.layout(section_id).slots[2].story
    edited = replace(
        story, title="An unsaved <b>headline</b>", slug="Not A Slug Yet", body="## New part\n\nText"
    )

    story_html = services.previews.story_page(section_id, edited).html
    assert "An unsaved &lt;b&gt;headline&lt;/b&gt;" in story_html
    assert render_markdown("## New part\n\nText") in story_html

    front = services.previews.section_page(section_id, edited=edited).html
    assert "An unsaved &lt;b&gt;headline&lt;/b&gt;" in front
    assert services.stories.get(story.id).title == story.title  # nothing was saved


def test_a_layout_value_is_rendered_as_given(services: Services) -> None:
    section_id = services.section_id()
    layout = services.sections.layout(section_id)
    reordered = replace(layout, slots=tuple(reversed(layout.slots)))
    html = services.previews.section_page(section_id, reordered).html
    titles = [s.headline for s in reordered.slots]
    positions = [html.index(f">{escape(t)}</a>") for t in titles]
    assert positions == sorted(positions)


def test_archive_counts_match_the_export_and_follow_forget_counts(services: Services, exported: Path) -> None:
    section_id = services.section_id()
    nav = _archive_nav(services.previews.section_page(section_id).html)
    assert nav == _archive_nav((exported / "index.html").read_text(encoding="utf-8"))

    services.stories.create(
        StoryFields(
            title="Counted later",
            slug="counted-later",
            status=StoryStatus.PUBLISHED,
            published_at=datetime(2011, 3, 4, tzinfo=UTC),
        )
    )
    assert "2011" not in _archive_nav(services.previews.section_page(section_id).html)  # kept counts
    services.previews.forget_counts()
    assert '2011</a> <span class="count">(1)' in _archive_nav(services.previews.section_page(section_id).html)


def test_draft_placed_in_a_slot_is_counted_like_the_export(services: Services, tmp_path: Path) -> None:
    section_id = services.section_id()
    draft = services.stories.create(
        StoryFields(title="Draft", slug="draft-x", published_at=datetime(2012, 5, 6, tzinfo=UTC))
    )
    layout_steps.assign(services, section_id, draft.id, 1)
    for release in (
        Release(override_reason="test"),
        Release(override_reason="test", include_unapproved=True),
    ):
        services.exports.export(section_id, tmp_path / "b", full=True, release=release)
        exported = _archive_nav((tmp_path / "b" / "index.html").read_text(encoding="utf-8"))
        if not release.include_unapproved:  # the default export, which the preview shows
            page = services.previews.section_page(section_id).html
            assert _archive_nav(page) == exported
            assert "Draft" not in page  # left off the front page, as in the bundle
    assert "2012" in exported  # the control: included, it is counted


def test_message_page_and_missing_section(services: Services) -> None:
    html = services.previews.message_page("Nothing <here>", "Select a story & see")
    assert "Nothing &lt;here&gt;" in html and "Select a story &amp; see" in html
    assert "Content-Security-Policy" in html
    with pytest.raises(NotFoundError):
        services.previews.section_page(999)


def _archive_nav(html: str) -> str:
    return html[html.index('<aside class="archive-filter"') : html.index("</aside>")]
