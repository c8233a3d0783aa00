"""Markdown to safe HTML: render with Python-Markdown, then clean the *rendered* HTML with nh3.

Python-Markdown passes raw HTML, ``javascript:`` links and ``attr_list`` attributes straight through, so
nothing it produces is trusted until nh3 has seen it. Raw HTML in a body is shown as text rather than
parsed: stray ``<li>`` or ``<td>`` tags would make the page invalid, and the wire HTML that needs converting
arrives through import. Body headings start at ``h2`` (the page's ``h1`` is the title). Images are dropped
from bodies: a bundle must not request anything from outside itself, and body images have no local asset to
point at yet.
"""

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

import markdown
import nh3
from markdown.extensions.abbr import AbbrExtension
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.def_list import DefListExtension
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.md_in_html import MarkdownInHtmlExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension

# Part of every render-cache key: a new Markdown or nh3, or any change to this module (the allow-lists, the
# extensions, the filters), gives a new version, and every cached body is rendered again. The whole file,
# not a hand-kept number: an edit to the rules cannot be forgotten (an edit to a comment costs one re-render).
_NH3_VERSION: str = getattr(nh3, "__version__", "")  # not importlib.metadata: that searches every package
_SOURCE_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
RENDERER_VERSION = f"md{markdown.__version__}-nh3{_NH3_VERSION}-{_SOURCE_HASH}"

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "sub", "sup", "mark", "small", "blockquote", "q", "cite", "code", "pre", "kbd", "ul", "ol", "li", "dl",
    "dt", "dd", "a", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "abbr", "span", "div",
    "figure", "figcaption",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    **{tag: {"id"} for tag in ("li", "sup")},
}
# Footnotes need their classes and ids; nothing else keeps a class. (A tag listed here must not list
# "class" in _ATTRIBUTES too: nh3 panics with a BaseException on that.)
_CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}, "sup": set()}
# Only footnote ids survive ("fn:1", "fnref:1", "fnref2:1" for a second reference): ids an editor sets with
# attr_list could repeat one another or the page's own and make the page invalid.
_FOOTNOTE_ID = re.compile(r"^fn(?:ref\d*)?:[A-Za-z0-9_-]{1,40}$")
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#)", re.IGNORECASE)
# A link to another story's page, as a body (shown only on story pages, in stories/) writes it:
# 'other-slug.html' or '../stories/other-slug.html', with an optional in-page anchor. Nothing else relative.
STORY_LINK = re.compile(
    r"^(?:\.\./stories/|\./)?(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.html(?P<anchor>#[A-Za-z0-9_:.-]+)?$"
)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id":
        return value if _FOOTNOTE_ID.match(value) else None
    if tag == "a" and name == "href":
        # Absolute web links, in-page anchors and links to story pages only: any other relative link would
        # point into the bundle's folders or the reader's disk, and nh3 keeps those. A story link that
        # leads nowhere is the pre-export checklist's to report.
        target = value.strip()
        if _SAFE_HREF.match(target):
            return value
        story = STORY_LINK.match(target)
        if story is None:
            return None
        # One spelling in every page, so the checklist finds story links with one cheap text search.
        return f"../stories/{story.group('slug')}.html{story.group('anchor') or ''}"
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    allowed_classes=_CLASSES,
    attribute_filter=_filter_attribute,
    url_schemes={"http", "https", "mailto"},
    # No rel: nh3 would add it to anchors whose href it removed, which HTML forbids; the pages send no
    # referrer anyway and nothing opens a new window.
    link_rel=None,
    strip_comments=True,
)

_local = threading.local()


def _markdown() -> markdown.Markdown:
    # One instance per thread (it is not thread-safe), reset before each document (it keeps footnotes).
    instance: markdown.Markdown | None = getattr(_local, "md", None)
    if instance is None:
        instance = markdown.Markdown(extensions=_extensions(), output_format="html")
        instance.preprocessors.deregister("html_block")  # raw HTML blocks become text
        instance.inlinePatterns.deregister("html")  # and so do inline tags
        _local.md = instance
    return instance.reset()


def _extensions() -> list[markdown.Extension]:
    """ "extra" (its seven, in its order), "sane_lists" and "toc", as objects: given by name, each is first
    looked up among every installed package's entry points, a scan of the environment (30-100 ms) that
    each rendering process paid once."""
    return [
        FencedCodeExtension(),
        FootnoteExtension(),
        AttrListExtension(),
        DefListExtension(),
        TableExtension(),
        AbbrExtension(),
        MarkdownInHtmlExtension(),
        SaneListExtension(),
        TocExtension(baselevel=2),
    ]


def sanitize_html(html: str) -> str:
    return str(_CLEANER.clean(html))


def render_markdown(text: str) -> str:
    """Safe HTML for a story body written in Markdown."""
    return sanitize_html(_markdown().convert(text))


def render_many(texts: list[str]) -> list[str]:
    """``render_markdown`` over a batch: the unit of work a render worker process is handed."""
    return [render_markdown(text) for text in texts]
