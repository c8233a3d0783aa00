"""A deterministic synthetic corpus: stories of 300–1,500 words of varied markdown over ten years.

The same seed and count always give the same stories, so every engine in the benchmark builds exactly the
same content and runs can be compared across machines.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = [
    "steppe",
    "river",
    "market",
    "border",
    "water",
    "cotton",
    "grain",
    "railway",
    "election",
    "parliament",
    "minister",
    "village",
    "herders",
    "glacier",
    "valley",
    "mountain",
    "customs",
    "trade",
    "bazaar",
    "caravan",
    "oil",
    "pipeline",
    "pasture",
    "drought",
    "harvest",
    "school",
    "teacher",
    "hospital",
    "court",
    "journalist",
    "reform",
    "budget",
    "currency",
    "migrant",
    "season",
    "winter",
    "summer",
    "road",
    "bridge",
    "factory",
    "energy",
    "dam",
    "reservoir",
    "mayor",
    "province",
    "capital",
    "festival",
    "museum",
    "language",
    "archive",
    "library",
    "weather",
    "lake",
    "desert",
    "oasis",
    "camel",
    "horse",
    "tea",
    "bread",
    "wool",
    "carpet",
    "silk",
    "dialect",
    "census",
    "airport",
    "freight",
]
NAMES = ("Almaty", "Bishkek", "Dushanbe", "Tashkent", "Ashgabat", "Astana", "Osh", "Samarkand", "Khujand")
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int(timedelta(days=3652).total_seconds())  # ten years


@dataclass(frozen=True, slots=True)
class BenchStory:
    slug: str
    title: str
    summary: str
    body: str
    byline: str
    published_at: datetime
    tags: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "slug": self.slug,
                "title": self.title,
                "summary": self.summary,
                "body": self.body,
                "byline": self.byline,
                "published_at": self.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "tags": list(self.tags),
                "status": "published",
            },
            ensure_ascii=False,
        )


def stories(count: int, seed: int = 20261127, bodies: list[str] | None = None) -> Iterator[BenchStory]:
    """``count`` stories; with ``bodies``, story n takes ``bodies[n % len(bodies)]`` (fast: scale runs)."""
    rng = random.Random(seed)
    for number in range(count):
        title = _sentence(rng, 4, 9).rstrip(".")
        yield BenchStory(
            slug=f"story-{number:06d}",
            title=title,
            summary=_sentence(rng, 12, 30),
            body=bodies[number % len(bodies)] if bodies else _body(rng, rng.randint(300, 1500)),
            byline=f"By {rng.choice(NAMES)} correspondent",
            published_at=START + timedelta(seconds=rng.randrange(SPAN_SECONDS)),
            tags=tuple(sorted(set(rng.sample(NAMES, rng.randint(0, 3))))),
        )


def write_jsonl(path: Path, count: int, seed: int = 20261127) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for story in stories(count, seed):
            out.write(story.to_json() + "\n")
    return path


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(low, high))
    if rng.random() < 0.3:
        words[rng.randrange(len(words))] = rng.choice(NAMES)
    return " ".join(words).capitalize() + "."


def _inline(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(words))
        kind = rng.random()
        if kind < 0.3:
            words[i] = f"**{words[i]}**"
        elif kind < 0.6:
            words[i] = f"*{words[i]}*"
        elif kind < 0.8:
            words[i] = f"[{words[i]}](https://example.org/{words[i].strip('.').lower()})"
        else:
            words[i] = f"`{words[i]}`"
    return " ".join(words)


def _body(rng: random.Random, target_words: int) -> str:
    blocks: list[str] = []
    words = 0
    footnotes = 0
    while words < target_words:
        kind = rng.random()
        if kind < 0.08:
            blocks.append("## " + _sentence(rng, 3, 7).rstrip("."))
            words += 5
        elif kind < 0.16:
            items = [_inline(rng, _sentence(rng, 4, 12)) for _ in range(rng.randint(2, 6))]
            marker = "-" if rng.random() < 0.5 else "1."
            blocks.append("\n".join(f"{marker} {item}" for item in items))
            words += 8 * len(items)
        elif kind < 0.21:
            blocks.append("> " + _inline(rng, " ".join(_sentence(rng, 8, 20) for _ in range(2))))
            words += 28
        elif kind < 0.24:
            rows = [" | ".join(rng.choices(WORDS, k=3)) for _ in range(rng.randint(2, 5))]
            blocks.append("Region | Figure | Note\n--- | --- | ---\n" + "\n".join(rows))
            words += 3 * len(rows)
        elif kind < 0.26:
            code = "\n".join("    " + " ".join(rng.choices(WORDS, k=5)) for _ in range(rng.randint(2, 5)))
            blocks.append(code)
            words += 15
        else:
            sentences = [_sentence(rng, 8, 24) for _ in range(rng.randint(2, 6))]
            paragraph = _inline(rng, " ".join(sentences))
            if rng.random() < 0.05:
                footnotes += 1
                paragraph += f"[^{footnotes}]"
            blocks.append(paragraph)
            words += len(paragraph.split())
    for number in range(1, footnotes + 1):
        blocks.append(f"[^{number}]: " + _sentence(rng, 6, 14))
    return "\n\n".join(blocks) + "\n"


# ------------------------------------------------------------------------- short stories, the desk at scale

DESK_STATUSES = ("draft", "ready", "approved", "published")
DESK_START = datetime(2016, 1, 1)  # naive UTC, as the database stores it


def desk_rows(count: int, seed: int = 1) -> Iterator[tuple[object, ...]]:
    """``count`` short story rows for ``bench/ui_scale.py``, in ``engines.STORY_COLUMNS`` order.

    Every status, a few undated stories, one month without any story; timestamps are naive UTC datetimes
    (each engine's loader stores them its way), so the same seed gives the same stories on every engine.
    """
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    for number in range(count):
        title = " ".join(rng.choices(WORDS, k=rng.randint(4, 9))).capitalize()
        if rng.random() < 0.3:
            title += f" in {rng.choice(NAMES)}"
        summary = " ".join(rng.choices(WORDS, k=rng.randint(10, 20))).capitalize() + "."
        body = summary + " " + " ".join(rng.choices(WORDS, k=30)) + "."
        published = None  # a few stories stay undated, as drafts often are
        if rng.random() > 0.002:
            # A gap in the archive: no story at all in the third month of the fourth year.
            published = DESK_START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
            if (published.year, published.month) == (DESK_START.year + 3, 3):
                published += timedelta(days=31)
        status = DESK_STATUSES[min(3, int(rng.random() * 5))]
        slug = f"bench-{number:07d}"
        yield (slug, title, summary, body, "By the desk", published, status, "[]", "", "", "", 1, now, now)
