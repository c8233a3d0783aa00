"""Single pages for the desk's preview, planned and rendered exactly as the export does. No I/O here.

The preview shows a story that may carry unsaved edits and a section whose block may not be saved yet, so it
takes values, not ids. It reuses the export's page planning (``pages``), its one Jinja2 environment and its
markdown cleaner; only the choice of what goes into the snapshot differs: one story, or the block's stories,
with archive counts the service has aggregated in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from markupsafe import escape

from ca_editor.domain.dates import YearBucket
from ca_editor.domain.model import ImageAsset, Section, Slot, Story, StoryImage
from ca_editor.domain.publication import SiteSnapshot
from ca_editor.domain.slugs import is_valid_slug
from ca_editor.export import pages, site
from ca_editor.export.pages import PictureOf
from ca_editor.export.renditions import Picture
from ca_editor.export.templating import CONTENT_SECURITY_POLICY, environment

#: A slug to put on a story whose unsaved slug is not valid yet; no page is named after it.
PLACEHOLDER_SLUG = "preview"


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One page of the bundle: where it would live, its HTML, the originals and the derivatives it shows."""

    path: str
    html: str
    assets: tuple[ImageAsset, ...]
    pictures: tuple[Picture, ...] = ()


def story_page(
    section: Section,
    story: Story,
    archive: tuple[YearBucket, ...],
    generated_at: datetime,
    picture_of: PictureOf,
) -> RenderedPage:
    """The story page of ``story`` as the export would write it."""
    shown = _with_safe_slug(story)
    snapshot = SiteSnapshot(section, (), (shown,), archive, generated_at)
    pictures = _Pictures(picture_of)
    page = next(iter(pages.story_pages(snapshot, pictures)))
    return RenderedPage(page.path, _render(page), _assets([shown.image]), pictures.used())


def section_page(
    section: Section,
    slots: Iterable[Slot],
    archive: tuple[YearBucket, ...],
    generated_at: datetime,
    picture_of: PictureOf,
) -> RenderedPage:
    """The section front with its editor's-choice cards as the export would write it."""
    shown = tuple(replace(slot, story=_with_safe_slug(slot.story)) for slot in slots)
    snapshot = SiteSnapshot(section, shown, (), archive, generated_at)
    pictures = _Pictures(picture_of)
    page = pages.section_page(snapshot, pictures)
    return RenderedPage(page.path, _render(page), _assets(s.image for s in shown), pictures.used())


class _Pictures:
    """``picture_of`` that remembers what the page asked for: the files the preview must show."""

    def __init__(self, picture_of: PictureOf) -> None:
        self._picture_of = picture_of
        self._used: dict[str, Picture] = {}

    def __call__(self, image: StoryImage) -> Picture:
        picture = self._picture_of(image)
        self._used.setdefault(picture.key, picture)
        return picture

    def used(self) -> tuple[Picture, ...]:
        return tuple(self._used[key] for key in sorted(self._used))


def message_page(title: str, message: str) -> str:
    """A plain page for when there is nothing to preview; same stylesheet, same CSP."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{site.STYLESHEET}">\n</head>\n'
        f'<body>\n<main id="main" class="wrap">\n<p class="muted">{escape(message)}</p>\n</main>\n'
        "</body>\n</html>\n"
    )


def with_edited_story(slots: Iterable[Slot], story: Story) -> tuple[Slot, ...]:
    """The block as it would look with ``story``'s unsaved edits: every slot holding it shows them."""
    return tuple(replace(s, story=story) if s.story.id == story.id else s for s in slots)


def _with_safe_slug(story: Story) -> Story:
    # An editor may be half-way through typing a slug; the page itself never shows it.
    return story if is_valid_slug(story.slug) else replace(story, slug=PLACEHOLDER_SLUG)


def _render(page: pages.Page) -> str:
    return environment().get_template(page.template).render(page.context)


def _assets(images: Iterable[StoryImage | None]) -> tuple[ImageAsset, ...]:
    found: dict[str, ImageAsset] = {}
    for image in images:
        if image is not None:
            found.setdefault(image.asset.sha256, image.asset)
    return tuple(found[key] for key in sorted(found))
