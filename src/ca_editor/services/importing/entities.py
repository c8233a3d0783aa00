"""HTML named entities in a feed (``&eacute;``, ``&nbsp;``, ``&hellip;``) as XML character references.

XML knows five named entities; CMSs write HTML's others into feeds all the same, and an XML parser then
refuses the whole file ("undefined entity"). Before parsing, each ``&name;`` that HTML5 names, and XML
does not, becomes its numeric reference (``&#233;``): a character reference expands to exactly its
character, so this adds no way to grow or fetch anything. Entity *declarations* are refused outright
(``declares_entities``): a feed has no use for them, and they are how billion-laughs and XXE files work.
CDATA sections are left as they are: there ``&eacute;`` is literal text (which the HTML cleaner decodes).
Only ASCII-compatible encodings are rewritten (UTF-8, Latin-1, Windows-125x…); a UTF-16 feed is parsed
as it came.
"""

from __future__ import annotations

import re
from html.entities import html5

_XML_OWN = frozenset({"amp", "lt", "gt", "quot", "apos"})
_REFERENCE_OR_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>|&([A-Za-z][A-Za-z0-9]{1,31});", re.DOTALL)
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")


def declares_entities(raw: bytes) -> bool:
    """Whether the prolog (what comes before the first element) holds an ``<!ENTITY`` declaration."""
    first = _FIRST_ELEMENT.search(raw)
    return _ENTITY_DECLARATION.search(raw, 0, first.start() if first else len(raw)) is not None


def html_entities_as_references(raw: bytes) -> bytes:
    """``raw`` with every HTML-only named entity reference outside CDATA replaced by ``&#N;`` references."""
    if b"&" not in raw:
        return raw
    return _REFERENCE_OR_CDATA.sub(_replace, raw)


def _replace(match: re.Match[bytes]) -> bytes:
    name = match.group(1)
    if name is None:  # a CDATA section
        return match.group(0)
    text = name.decode("ascii")
    characters = None if text in _XML_OWN else html5.get(text + ";")
    if characters is None:  # XML's own, or unknown: the parser decides (an unknown one stays an error)
        return match.group(0)
    return b"".join(b"&#%d;" % ord(character) for character in characters)
