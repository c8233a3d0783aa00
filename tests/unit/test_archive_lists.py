"""A month's story list is rendered once and shown on two pages: its month page and its year page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from markupsafe import escape

from ca_editor.domain.dates import group_buckets
from ca_editor.domain.model import Section, Story, StoryStatus
from ca_editor.export import pages
from ca_editor.export.templating import environment

HOSTILE = '</h2><h2 class="story-title">Fake</h2> & <script>x</script>'


def story(story_id: int, title: str, day: int, summary: str = "") -> Story:
    when = datetime(2026, 3, day, 9, tzinfo=UTC)
    return Story(story_id, f"s-{story_id}", title, summary, "", "", when, StoryStatus.PUBLISHED, (), None,
                 1, when, when)  # fmt: skip


def rendered(page: pages.Page) -> str:
    return environment().get_template(page.template).render(page.context)


def list_of(html: str) -> str:
    return html[html.index('<ul class="story-list">') : html.index("</ul>", html.index("story-list")) + 5]


def test_year_page_lists_the_month_one_heading_level_down_with_titles_untouched() -> None:
    stories = [story(1, HOSTILE, 2, summary="</h2> in a summary"), story(2, "Plain", 5)]
    archive = group_buckets([(2026, 3, 2)])
    frame = pages.Frame(Section(1, "central-asia", "Central Asia", "", 6), archive)
    year_page, month_page = (
        rendered(p) for p in pages.year_pages(frame, archive[0], [(archive[0].months[0], stories)])
    )
    month_list, year_list = list_of(month_page), list_of(year_page)
    assert re.findall(r'<(h\d) class="story-title">', month_list) == ["h2", "h2"]
    assert re.findall(r'<(h\d) class="story-title">', year_list) == ["h3", "h3"]
    escaped = str(escape(HOSTILE))
    assert escaped in month_list and escaped in year_list  # the title's own text is not touched
    assert "&lt;/h2&gt; in a summary" in year_list
    assert year_list.replace("h3", "h2") == month_list.replace("h3", "h2")
    assert month_list.index("Plain") < month_list.index("Fake")  # newest first
    assert "\n\n" not in month_page.split('<ul class="story-list">')[0][-20:]  # laid out as before
