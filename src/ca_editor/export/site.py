"""The bundle's file layout. Every name is derived from a validated slug, a number or a content hash.

``index.html``, ``stories/<slug>.html``, ``archive/<yyyy>.html``, ``archive/<yyyy>-<mm>.html``,
``sections/<slug>/index.html`` (the other live sections' fronts in an ``export --all`` bundle; story
and archive pages are shared), ``variants/<slug>.html`` and ``schedule.json`` (a section's scheduled
layouts, ``export.schedule``; in an ``--all`` bundle beside each front, so ``sections/<slug>/variants/…``
for the other sections), ``style.css``,
``images/<sha256[:12]>-<key[:10]>-<width>w.<webp|jpg|png>`` (``export.renditions``) and
``manifest.json`` (``export.manifest``: every file's sha256, every page's input fingerprint, the release).
"""

from __future__ import annotations

from ca_editor.domain.slugs import is_valid_slug

INDEX = "index.html"
STYLESHEET = "style.css"
MANIFEST = "manifest.json"
SCHEDULE = "schedule.json"


def story_path(slug: str) -> str:
    if not is_valid_slug(slug):  # slugs are validated on save; this guards the file system regardless
        raise ValueError(f"refusing to write a page for the unsafe slug {slug!r}")
    return f"stories/{slug}.html"


def section_path(slug: str) -> str:
    """A further section's front in an ``export --all`` bundle (the first live section is ``index.html``).
    Its own folder under ``sections/``: a slug can never meet ``stories/``, ``archive/`` or ``images/``."""
    return section_folder(slug) + INDEX


def section_folder(slug: str) -> str:
    """The folder of a further section's front (``sections/<slug>/``): its ``variants/`` and
    ``schedule.json`` go there too."""
    if not is_valid_slug(slug):
        raise ValueError(f"refusing to write a page for the unsafe slug {slug!r}")
    return f"sections/{slug}/"


def variant_path(slug: str) -> str:
    """A scheduled layout's page (``variants/main.html``: the main layout's, written beside them)."""
    if not is_valid_slug(slug):
        raise ValueError(f"refusing to write a page for the unsafe slug {slug!r}")
    return f"variants/{slug}.html"


def year_path(year: int) -> str:
    return f"archive/{year:04d}.html"


def month_path(year: int, month: int) -> str:
    return f"archive/{year:04d}-{month:02d}.html"


def root_prefix(page_path: str) -> str:
    """The relative way back to the bundle root from ``page_path`` ('' or '../')."""
    return "../" * page_path.count("/")
