"""Fixtures for the integration tests: the demo data as written on disk, an HTML tree parser, bundles.

Expectations are computed from ``resources/demo`` (the files the app itself seeds from), never typed in by
hand, so a change to the demo data changes what the tests expect rather than breaking them silently.
"""

from __future__ import annotations

import calendar
import hashlib
import importlib.util
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.postgres_server import ENGINES

from ca_editor.services.container import Services

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = REPO_ROOT / "resources" / "demo"

MONTHS = tuple(calendar.month_name[m] for m in range(1, 13))  # read at collection, in pytest's C locale
VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


# ------------------------------------------------------------------------------------ both engines


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every integration test that touches the database runs on SQLite and on PostgreSQL (``engine``)."""
    if "engine" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("sqlite_only"):
        engines: tuple[str, ...] = ("sqlite",)
    elif metafunc.definition.get_closest_marker("postgresql_only"):
        engines = ("postgresql",)
    else:
        engines = ENGINES
    metafunc.parametrize("engine", engines, indirect=True)


# ---------------------------------------------------------------------------------------- demo data


@dataclass(frozen=True)
class DemoStory:
    slug: str
    title: str
    summary: str
    published_at: datetime | None
    status: str
    image: str | None
    image_alt: str
    raw: dict[str, Any]


def _parse_when(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


@pytest.fixture(scope="session")
def demo_stories() -> list[DemoStory]:
    stories = []
    for line in (DEMO_DIR / "stories.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        raw = json.loads(line)
        stories.append(
            DemoStory(
                slug=raw["slug"],
                title=raw["title"].strip(),
                summary=raw.get("summary", ""),
                published_at=_parse_when(raw.get("published_at")),
                status=raw.get("status", "draft"),
                image=raw.get("image"),
                image_alt=raw.get("image_alt", ""),
                raw=raw,
            )
        )
    assert stories, "the demo data holds no stories"
    return stories


@pytest.fixture(scope="session")
def demo_section() -> dict[str, Any]:
    return json.loads((DEMO_DIR / "section.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def human_date() -> Callable[[datetime], str]:
    """'20 May 2024', computed independently of the app's own formatter and of the machine locale."""

    def render(value: datetime) -> str:
        return f"{value.day} {MONTHS[value.month - 1]} {value.year}"

    return render


# --------------------------------------------------------------------------------------- HTML trees


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None
    line: int = 0

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def text(self) -> str:
        parts: list[str] = []
        for child in self.children:
            parts.append(child if isinstance(child, str) else child.text())
        return "".join(parts)

    def clean_text(self) -> str:
        return " ".join(self.text().split())

    def iter(self, tag: str | None = None) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[Node]:
        found = []
        for node in self.iter(tag):
            if cls is not None and cls not in node.classes:
                continue
            if all(node.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                found.append(node)
        return found

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls=cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls!r} {attrs} in <{self.tag}>"
        return found[0]

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def inside(self, tag: str, cls: str | None = None) -> bool:
        return any(a.tag == tag and (cls is None or cls in a.classes) for a in self.ancestors())


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.current = self.root
        self.doctype: str | None = None
        self.comments: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, dict(attrs), parent=self.current, line=self.getpos()[0])
        self.current.children.append(node)
        if tag not in VOID_ELEMENTS:
            self.current = node

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.current.children.append(Node(tag, dict(attrs), parent=self.current, line=self.getpos()[0]))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        node: Node | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"stray </{tag}> at line {self.getpos()[0]}"
        assert node is self.current, (
            f"</{tag}> at line {self.getpos()[0]} closes <{self.current.tag}> "
            f"opened at line {self.current.line}"
        )
        self.current = node.parent or self.root

    def handle_data(self, data: str) -> None:
        self.current.children.append(data)


@dataclass
class Document:
    root: Node
    doctype: str | None
    comments: list[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.root, name)


def parse_html_text(text: str) -> Document:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, (
        f"<{builder.current.tag}> (line {builder.current.line}) never closed"
    )
    return Document(builder.root, builder.doctype, builder.comments)


@pytest.fixture(scope="session")
def parse_html() -> Callable[[str | Path], Document]:
    """Parse a page (text or file) into a tree; asserts the tags nest and close properly."""

    def parse(source: str | Path) -> Document:
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        return parse_html_text(text)

    return parse


# ------------------------------------------------------------------------------------------ bundles


def hash_tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative POSIX path) -> sha256 of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="session")
def tree_hashes() -> Callable[[Path], dict[str, str]]:
    return hash_tree


@pytest.fixture
def demo_bundle(services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo section exported into ``tmp_path/bundle/out`` with a pinned export time."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1716200000")
    out = tmp_path / "bundle" / "out"
    services.exports.export(services.section_id(), out)
    return out


@pytest.fixture(scope="module")
def shared_demo_bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One demo bundle per module, for read-only checks over every page (validators are slow to start)."""
    from ca_editor.app import open_services

    folder = tmp_path_factory.mktemp("shared-bundle")
    opened = open_services(str(folder / "desk.sqlite3"))
    try:
        out = folder / "out"
        opened.exports.export(opened.section_id(), out)
        yield out
    finally:
        opened.db.dispose()


@pytest.fixture(scope="session")
def photos() -> ModuleType:
    """``bench/photos.py``: the camera-like JPEGs (12 MP, private EXIF, ICC, XMP) the picture bench makes."""
    spec = importlib.util.spec_from_file_location("bench_photos", REPO_ROOT / "bench" / "photos.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
