"""What each page shows, as plain values for the templates. No I/O here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from ca_editor.domain.dates import DateRange, YearBucket
from ca_editor.domain.model import Slot, Story, StoryImage
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.export import site
from ca_editor.export.sanitize import render_markdown


@dataclass(frozen=True, slots=True)
class ImageView:
    src: str
    alt: str
    width: int
    height: int
    caption: str = ""
    credit: str = ""


@dataclass(frozen=True, slots=True)
class Card:
    position: int
    headline: str
    summary: str
    href: str
    image: ImageView | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoryLink:
    title: str
    summary: str
    href: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    context: dict[str, object]


def image_view(image: StoryImage | None, root: str) -> ImageView | None:
    if image is None:
        return None
    return ImageView(
        root + site.image_path(image.asset),
        image.alt,
        image.asset.width,
        image.asset.height,
        image.caption,
        image.credit,
    )


def section_page(snapshot: SiteSnapshot) -> Page:
    cards = [_card(slot) for slot in snapshot.slots]
    return Page(site.INDEX, "section.html", _common(snapshot, site.INDEX) | {"cards": cards})


def story_pages(snapshot: SiteSnapshot) -> Iterator[Page]:
    for story in snapshot.stories:
        path = site.story_path(story.slug)
        root = site.root_prefix(path)
        month_href = None
        if story.published_at is not None:
            month_href = root + site.month_path(story.published_at.year, story.published_at.month)
        yield Page(
            path,
            "story.html",
            _common(snapshot, path)
            | {
                "story": story,
                "body_html": Markup(render_markdown(story.body)),  # noqa: S704 - nh3 cleaned it
                "image": image_view(story.image, root),
                "month_href": month_href,
            },
        )


def archive_pages(snapshot: SiteSnapshot) -> Iterator[Page]:
    for year in snapshot.archive:
        path = site.year_path(year.year)
        root = site.root_prefix(path)
        groups = [
            (month, _links(snapshot.stories, DateRange.month(month.year, month.month), root))
            for month in year.months
        ]
        yield Page(path, "archive_year.html", _common(snapshot, path) | {"year": year, "groups": groups})
        for month, links in groups:
            month_page = site.month_path(month.year, month.month)
            yield Page(
                month_page,
                "archive_month.html",
                _common(snapshot, month_page)
                | {
                    "year": year,
                    "year_href": root + site.year_path(year.year),
                    "month": month,
                    "stories": links,
                },
            )


def _card(slot: Slot) -> Card:
    return Card(
        slot.position,
        slot.headline,
        slot.summary,
        site.story_path(slot.story.slug),
        image_view(slot.image, ""),
        slot.story.published_at,
    )


def _links(stories: tuple[Story, ...], dates: DateRange, root: str) -> list[StoryLink]:
    chosen = [s for s in stories if s.published_at is not None and dates.contains(s.published_at)]
    chosen.sort(key=lambda s: (s.published_at, s.id), reverse=True)
    return [StoryLink(s.title, s.summary, root + site.story_path(s.slug), s.published_at) for s in chosen]


def _common(snapshot: SiteSnapshot, path: str) -> dict[str, object]:
    root = site.root_prefix(path)
    return {
        "root": root,
        "section": snapshot.section,
        "archive": _archive_nav(snapshot.archive, root),
        "lang": "en",
    }


def _archive_nav(archive: tuple[YearBucket, ...], root: str) -> list[dict[str, object]]:
    return [
        {
            "year": year.year,
            "count": year.count,
            "href": root + site.year_path(year.year),
            "months": [
                {"label": m.label, "count": m.count, "href": root + site.month_path(m.year, m.month)}
                for m in year.months
            ],
        }
        for year in archive
    ]
