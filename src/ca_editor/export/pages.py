"""What each page shows, as plain values for the templates. No I/O here."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from ca_editor.domain.dates import DateRange, MonthBucket, YearBucket
from ca_editor.domain.model import Section, Slot, Story, StoryImage
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.export import site
from ca_editor.export.card_images import LEAD_SIZES, OTHER_SIZES, STORY_SIZES
from ca_editor.export.renditions import Picture, srcset

#: The derivatives of an image cut around its focal point (``renditions.plan_picture`` with the original's
#: facts, which the caller has read): pages never point at an original.
PictureOf = Callable[[StoryImage], Picture]


@dataclass(frozen=True, slots=True)
class ImageView:
    src: str  # the widest fallback (JPEG or PNG); ``width`` and ``height`` are its size
    alt: str
    width: int  # with ``height``: the box the browser keeps while loading, so nothing shifts
    height: int
    caption: str = ""
    credit: str = ""
    srcset: str = ""  # the fallback in every width
    webp_srcset: str = ""
    sizes: str = ""


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


def image_view(image: StoryImage | None, root: str, picture: Picture | None, sizes: str) -> ImageView | None:
    if image is None:
        return None
    if picture is None or picture.sha256 != image.asset.sha256:
        raise ValueError(f"no derivatives planned for image {image.asset.sha256[:12]}")
    fallback = picture.fallback
    largest = picture.largest  # for a browser without srcset; the others choose from the sets
    return ImageView(
        root + largest.path,
        image.alt,
        largest.width,
        largest.height,
        image.caption,
        image.credit,
        srcset(fallback, root),
        srcset(picture.webp, root),
        sizes,
    )


class Frame:
    """What every page of one bundle shares: the section and the archive navigation.

    The navigation is built once per way back to the root ('' or '../'), not once per page: a bundle of
    ten thousand stories would otherwise build a million small dicts for the same two lists.
    """

    def __init__(self, section: Section, archive: tuple[YearBucket, ...]) -> None:
        self.section = section
        self.archive = archive
        self._navs: dict[str, list[dict[str, object]]] = {}

    def common(self, path: str) -> dict[str, object]:
        root = site.root_prefix(path)
        nav = self._navs.get(root)
        if nav is None:
            nav = self._navs[root] = _archive_nav(self.archive, root)
        return {
            "root": root,
            "home": root + site.INDEX,
            "section": self.section,
            "archive": nav,
            "lang": "en",
        }


def section_page(snapshot: SiteSnapshot, picture_of: PictureOf) -> Page:
    return front_page(Frame(snapshot.section, snapshot.archive), snapshot.slots, picture_of)


@dataclass(frozen=True, slots=True)
class SectionLink:
    """One entry of the sections' navigation of an ``export --all`` bundle's front pages."""

    title: str
    href: str  # relative to the page that shows it
    current: bool


def front_page(
    frame: Frame,
    slots: Iterable[Slot],
    picture_of: PictureOf,
    *,
    path: str = site.INDEX,
    sections: Iterable[tuple[str, str]] = (),
) -> Page:
    """A section's front page at ``path``; ``sections``: (title, bundle path) of every front of the bundle,
    for its navigation (none in a one-section bundle). Its header link leads to the page itself."""
    root = site.root_prefix(path)
    cards = [_card(slot, picture_of, root) for slot in slots]
    links = [SectionLink(title, root + target, target == path) for title, target in sections]
    home = path.rsplit("/", 1)[-1]
    return Page(path, "section.html", frame.common(path) | {"cards": cards, "sections": links, "home": home})


def story_pages(snapshot: SiteSnapshot, picture_of: PictureOf) -> Iterator[Page]:
    # Imported here: the page workers (``export.workers``) get bodies already rendered, and Markdown and
    # nh3 would add to every worker's start.
    from ca_editor.export.sanitize import render_markdown

    frame = Frame(snapshot.section, snapshot.archive)
    for story in snapshot.stories:
        picture = picture_of(story.image) if story.image is not None else None
        yield story_page(frame, story, render_markdown(story.body), picture)


def story_page(frame: Frame, story: Story, body_html: str, picture: Picture | None = None) -> Page:
    """The page of ``story``; ``body_html`` must be the sanitiser's output for its body, ``picture`` the
    derivatives of its image (required when it has one)."""
    path = site.story_path(story.slug)
    root = site.root_prefix(path)
    month_href = None
    if story.published_at is not None:
        month_href = root + site.month_path(story.published_at.year, story.published_at.month)
    return Page(
        path,
        "story.html",
        frame.common(path)
        | {
            "story": story,
            "standfirst": standfirst(story.summary, body_html),
            "body_html": Markup(body_html),  # noqa: S704 - nh3 cleaned it
            "image": image_view(story.image, root, picture, STORY_SIZES),
            "month_href": month_href,
        },
    )


def standfirst(summary: str, body_html: str) -> str:
    """The summary the story page prints above its picture, or ``""`` when the body opens with it.

    A teaser taken from the article (the client's are: their site cut its opening words, sometimes
    mid-sentence) would otherwise be read twice in a row. Compared as letters a reader sees: the body's
    text without tags or entities, white space of any kind (paragraph breaks, no-break spaces) left out, so
    a teaser that joins the opening paragraphs, or stops mid-word, still counts as the body's opening.
    Only as much of the body is read as could hold the summary.
    """
    wanted = _letters(summary)
    if not wanted:
        return ""
    head = body_html[: 4 * len(summary) + 512]  # room for tags and entities; a partial tag only at the end
    return "" if _letters(html.unescape(_TAG.sub("", head))).startswith(wanted) else summary


_TAG = re.compile(r"<[^>]*>")


def _letters(text: str) -> str:
    return "".join(text.split())  # str.split: every Unicode space, U+00A0 included


def archive_pages(snapshot: SiteSnapshot) -> Iterator[Page]:
    frame = Frame(snapshot.section, snapshot.archive)
    for year in snapshot.archive:
        months = [
            (month, [s for s in snapshot.stories if _in_month(s, month.year, month.month)])
            for month in year.months
        ]
        yield from year_pages(frame, year, months)


def year_pages(frame: Frame, year: YearBucket, months: list[tuple[MonthBucket, list[Story]]]) -> list[Page]:
    """The year page and its month pages; each month's stories in any order (they are sorted here)."""
    lists = [(month, story_list(stories, ARCHIVE_ROOT)) for month, stories in months]
    return [year_page(frame, year, lists), *(month_page(frame, year, month, html) for month, html in lists)]


ARCHIVE_ROOT = site.root_prefix(site.year_path(2000))  # every archive page sits in the same folder


def year_page(frame: Frame, year: YearBucket, lists: Iterable[tuple[MonthBucket, Markup]]) -> Page:
    """The year page, from its months' lists (``story_list``) newest first, which may be read lazily."""
    path = site.year_path(year.year)
    return Page(path, "archive_year.html", frame.common(path) | {"year": year, "groups": _YearGroups(lists)})


class _YearGroups:
    """The year page's months with their lists, made as the template reads them (lists read lazily stay
    lazy: a worker reads each month's list back from disk only as the year page is written)."""

    def __init__(self, lists: Iterable[tuple[MonthBucket, Markup]]) -> None:
        self._lists = lists

    def __iter__(self) -> Iterator[tuple[MonthBucket, Markup]]:
        return ((month, in_year_page(html)) for month, html in self._lists)


def month_page(frame: Frame, year: YearBucket, month: MonthBucket, month_list: Markup) -> Page:
    path = site.month_path(month.year, month.month)
    context = {
        "year": year,
        "year_href": ARCHIVE_ROOT + site.year_path(year.year),
        "month": month,
        "story_list": month_list,
    }
    return Page(path, "archive_month.html", frame.common(path) | context)


def story_list(stories: list[Story], root: str) -> Markup:
    """A month's list of stories as its month page shows it (``_story_list.html``, headings h2).

    Rendered once for the two pages that show it: a year page lists every story of its year again, and
    rendering each list twice was a third of a full export's rendering.
    """
    # Imported here: ``templating`` needs Jinja, which a page context alone does not.
    from ca_editor.export.templating import environment

    html = environment().get_template("_story_list.html").render(stories=_links(stories, root))
    return Markup(html.removesuffix("\n"))  # noqa: S704 - rendered with autoescape; the page adds the newline


def in_year_page(month_list: Markup) -> Markup:
    """A month's list as its year page shows it: under the month's h2, each story's heading is an h3.

    Every title and summary in the list is escaped, so these two tags can only be the list's own.
    """
    # ``str.replace``: Markup's own would escape the tags it is given.
    html = str.replace(month_list, '<h2 class="story-title">', '<h3 class="story-title">')
    return Markup(str.replace(html, "</h2>", "</h3>"))  # noqa: S704 - only our own tags changed


def _in_month(story: Story, year: int, month: int) -> bool:
    return story.published_at is not None and DateRange.month(year, month).contains(story.published_at)


def _card(slot: Slot, picture_of: PictureOf, root: str) -> Card:
    picture = picture_of(slot.image) if slot.image is not None else None
    sizes = LEAD_SIZES if slot.position == 1 else OTHER_SIZES
    return Card(
        slot.position,
        slot.headline,
        slot.summary,
        root + site.story_path(slot.story.slug),
        image_view(slot.image, root, picture, sizes),
        slot.story.published_at,
    )


def _links(stories: list[Story], root: str) -> list[StoryLink]:
    chosen = sorted(stories, key=lambda s: (s.published_at, s.id), reverse=True)
    return [StoryLink(s.title, s.summary, root + site.story_path(s.slug), s.published_at) for s in chosen]


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
