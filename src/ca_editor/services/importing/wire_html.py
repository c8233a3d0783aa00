"""Wire HTML (feed descriptions and content) to the Markdown the desk edits, and to plain text.

Why Markdown and not sanitised HTML: bodies are Markdown everywhere else, and the export shows raw HTML in a
body as text, so kept HTML would reach readers as tags. The HTML is first cleaned by nh3 with an import
allow-list (scripts, styles and their content, event handlers, frames and forms go; links keep only
http/https/mailto), then converted by markdownify (MIT, html.parser, no lxml). Images are dropped and
counted: a bundle takes nothing from outside itself and the importer fetches nothing. Text that only looks
like Markdown ("1. ", "# ", "[x](y)") is escaped so it reads as it did in the feed.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3
from markdownify import MarkdownConverter

from ca_editor.domain.text import collapse_spaces

_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "s", "del", "sub",
    "sup", "blockquote", "q", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "table",
    "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "figure", "figcaption", "div", "span",
}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags={"script", "style"},
    attributes={"a": {"href", "title"}, "img": {"src", "alt"}, "ol": {"start"}},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=True,
)
_TEXT_ONLY = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style"}, strip_comments=True)
_SPECIAL = re.compile(r"([\\`*_\[\]])")
_LINE_START = re.compile(r"^(\s*)(#{1,6}|[-+>])(?=\s|$)")
_NUMBERED = re.compile(r"^(\s*\d{1,9})([.)])(?=\s|$)")
_BLANK_LINES = re.compile(r"\n{3,}")


class _Converter(MarkdownConverter):
    def __init__(self) -> None:
        super().__init__(heading_style="ATX", bullets="-", strong_em_symbol="*", escape_misc=False)
        self.dropped_images = 0

    def escape(self, text: str, parent_tags: Any) -> str:  # noqa: ARG002 - markdownify's signature
        # Inline specials always; block markers only where a text node starts (a paragraph's first words).
        if not text:
            return ""
        text = _SPECIAL.sub(r"\\\1", text)
        return _NUMBERED.sub(r"\1\\\2", _LINE_START.sub(r"\1\\\2", text))

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:  # noqa: ARG002
        self.dropped_images += 1
        return ""


def html_to_markdown(fragment: str) -> tuple[str, int]:
    """Markdown for ``fragment`` and how many images were left out."""
    converter = _Converter()
    text = converter.convert(str(_CLEANER.clean(fragment)))
    return _BLANK_LINES.sub("\n\n", text).strip(), converter.dropped_images


def text_to_markdown(text: str) -> str:
    """Plain text (``type="text"`` content) as Markdown paragraphs that read exactly as the text."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return html_to_markdown("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))[0]


def html_to_text(fragment: str) -> str:
    """One line of plain text: tags removed, entities decoded, white space collapsed."""
    return collapse_spaces(html.unescape(str(_TEXT_ONLY.clean(fragment))))
