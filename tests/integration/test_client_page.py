"""The demo section reads like the client's page: every card's text is the client's, word for word.

The client's page is ``resources/demo/central-asia-section.txt`` (a copy of the seed the desk was given,
``../shared/seed/central-asia-section.txt`` beside the repository, checked equal when that file is there).
Nothing of it is typed in here: the cards are read from that file and compared with the exported page.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ca_editor.services.container import Services

REPO_ROOT = Path(__file__).resolve().parents[2]
CLIENT_PAGE = REPO_ROOT / "resources" / "demo" / "central-asia-section.txt"
SEED = REPO_ROOT.parent / "shared" / "seed" / "central-asia-section.txt"
CARD_LABEL = "Editor's choice"  # the label above every card on the client's page, and on ours


@dataclass(frozen=True)
class ClientPage:
    heading: str
    description: str
    cards: list[tuple[str, str]]  # (headline, teaser) in page order


def read_client_page(path: Path) -> ClientPage:
    """The page as text: heading, description, then per card the label, the headline (twice: the
    picture's link and the heading) and the teaser on one line. Anything else (the archive filter) is
    the page's furniture."""
    lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines: nothing but \n ends a line here
    filled = [line for line in lines if line.strip()]
    cards = []
    for at, line in enumerate(lines):
        if line != CARD_LABEL:
            continue
        following = [text for text in lines[at + 1 :] if text.strip()]
        headline, repeated, teaser = following[:3]
        assert repeated == headline, f"the card after line {at + 1} does not repeat its headline"
        cards.append((headline, teaser))
    return ClientPage(filled[0], filled[1], cards)


def visible(text: str) -> str:
    """Text as a browser shows it: runs of HTML white space (not U+00A0) as one space, none at the ends."""
    return re.sub(r"[ \t\n\r\f]+", " ", text).strip(" \t\n\r\f")


@pytest.fixture(scope="module")
def client() -> ClientPage:
    page = read_client_page(CLIENT_PAGE)
    assert len(page.cards) == 8
    return page


def test_the_shipped_page_is_the_clients_seed_file() -> None:
    """The seed sits beside the checkout on the desk's machines; a clone elsewhere has the shipped copy
    alone, which the card tests then read (never a skip: the copy is what the app seeds from)."""
    if SEED.is_file():
        assert CLIENT_PAGE.read_bytes() == SEED.read_bytes()
    else:
        assert read_client_page(CLIENT_PAGE).cards, f"{CLIENT_PAGE} holds no editor's-choice cards"


def test_every_card_shows_the_clients_headline_and_teaser_verbatim(
    client: ClientPage, demo_bundle: Path, parse_html: Callable[[Path], Any]
) -> None:
    page = parse_html(demo_bundle / "index.html")
    assert visible(page.find("h1").text()) == visible(client.heading)
    assert visible(page.find("p", cls="section-description").text()) == visible(client.description)
    cards = page.find("ol", cls="cards").find_all("li", cls="card")
    shown = [
        (
            visible(card.find("p", cls="kicker").text()),
            visible(card.find("h3", cls="card-title").text()),
            visible(card.find("p", cls="card-summary").text()),
        )
        for card in cards
    ]
    wanted = [(CARD_LABEL, visible(headline), visible(teaser)) for headline, teaser in client.cards]
    assert shown == wanted
    # Nothing else in a card's text but its date (which the client's page leaves out).
    for card in cards:
        text = card.find("div", cls="card-text")
        blocks = [node for node in text.children if not isinstance(node, str) or node.strip()]
        assert [(node.tag, node.get("class")) for node in blocks] == [
            ("p", "kicker"),
            ("h3", "card-title"),
            ("p", "card-summary"),
            ("p", "card-meta"),
        ]
        assert all(not isinstance(node, str) or not node.strip() for node in card.find("article").children)


def test_story_pages_print_the_teaser_once(
    client: ClientPage, demo_bundle: Path, parse_html: Callable[[Path], Any]
) -> None:
    """The client's teasers are the articles' openings: the story page does not repeat one as a standfirst
    above the body that begins with it."""
    index = parse_html(demo_bundle / "index.html")
    links = [card.find("a").get("href") for card in index.find_all("li", cls="card")]
    for href, (_, teaser) in zip(links, client.cards, strict=True):
        story = parse_html(demo_bundle / href)
        assert story.find_all("p", cls="standfirst") == []
        body = "".join(story.find("div", cls="story-body").text().split())
        assert body.startswith("".join(teaser.split()))


def test_the_checklist_leaves_the_clients_teasers_alone(services: Services, client: ClientPage) -> None:
    """The demo section gives no teaser advice: a 400-character advice would flag every card of the
    client's own page (their shortest teaser is longer)."""
    assert min(len(teaser) for _, teaser in client.cards) > 400
    section = services.section_settings.by_slug("central-asia")
    assert section.teaser_limit is None
    codes = [f.code for f in services.checks.run(section.id).findings]
    assert "summary_too_long" not in codes


PROBE = Path(__file__).parent / "card_text_probe.mjs"


def _tool(name: str, found: str | None) -> str:
    if found:
        return found
    if os.environ.get("CA_EDITOR_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{name} is missing; `make test` installs it")
    pytest.skip(f"{name} is not installed")


def test_a_reader_sees_every_teaser_whole_on_a_phone_and_a_desktop(
    client: ClientPage, demo_bundle: Path, tmp_path: Path
) -> None:
    """In Chromium: each card's headline and summary as rendered (innerText), and none of them cut by
    the layout (the demo section has no teaser limit, so no line clamp)."""
    chromium = _tool("chromium", shutil.which("chromium") or shutil.which("chromium-browser"))
    node = _tool("node", shutil.which("node"))
    default = REPO_ROOT / ".tools" / "node_modules" / "playwright-core"
    playwright = Path(os.environ.get("PLAYWRIGHT_CORE", default))
    _tool("playwright-core (npm)", str(playwright) if playwright.is_dir() else None)
    request = tmp_path / "request.json"
    request.write_text(
        json.dumps(
            {
                "playwright": str(playwright.resolve()),
                "chromium": chromium,
                "page": str(demo_bundle / "index.html"),
                "widths": [390, 1280],
            }
        )
    )
    done = subprocess.run([node, str(PROBE), str(request)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    wanted = [{"headline": visible(h), "summary": visible(t), "cut": False} for h, t in client.cards]
    for width, cards in json.loads(done.stdout).items():
        seen = [
            {**card, "headline": visible(card["headline"]), "summary": visible(card["summary"])}
            for card in cards
        ]
        assert seen == wanted, width
