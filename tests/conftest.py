"""Shared fixtures: a fresh database file per test, with or without the demo section."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.services.container import Services

# QtWebEngine refuses to start its sandbox as root; harmless elsewhere.
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
# Xvfb has no GPU: Chromium's GPU process found no EGL config at 16-bit depth and the renderer crashed.
# Software rendering is what a test machine has anyway; set before any test starts QtWebEngine.
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # pytest-xvfb has set DISPLAY by now when Xvfb exists; without a display Qt still runs, offscreen.
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests away from the real user-data folder and settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))  # the image derivatives' cache
    monkeypatch.delenv("CA_EDITOR_CACHE", raising=False)
    monkeypatch.delenv("CA_EDITOR_DB", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite3"


# ------------------------------------------------------------------------------ the two engines
#
# ``engine`` names the database a test runs on. Under tests/integration every test that uses it (through
# ``db_url``, ``services`` or ``empty_services``) runs twice, on SQLite and on a real PostgreSQL server
# (``pytest_generate_tests`` there); elsewhere it is SQLite. ``@pytest.mark.sqlite_only`` and
# ``@pytest.mark.postgresql_only`` narrow a test to one engine: it is then collected once, never skipped.


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (about a second to start), with two template databases."""
    server = PostgresServer.start(tmp_path_factory.mktemp("postgres"))
    try:
        for template, seed in ((SEEDED_TEMPLATE, True), (EMPTY_TEMPLATE, False)):
            server.admin(f'CREATE DATABASE "{template}"')
            open_services(server.url(template), seed_demo=seed).db.dispose()
        yield server
    finally:
        server.stop("immediate")


SEEDED_TEMPLATE, EMPTY_TEMPLATE = "ca_template_demo", "ca_template_empty"


@pytest.fixture
def db_url(engine: str, db_path: Path, request: pytest.FixtureRequest) -> str:
    """Where the test's database lives: an SQLite file, or a new database on the test server (empty)."""
    if engine == "sqlite":
        return str(db_path)
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database()


def _fresh_database(engine: str, db_path: Path, request: pytest.FixtureRequest, template: str) -> str:
    if engine == "sqlite":
        return str(db_path)
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database(template=template)


@pytest.fixture
def services(engine: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[Services]:
    """A migrated database seeded with the demo Central Asia section."""
    opened = open_services(_fresh_database(engine, db_path, request, SEEDED_TEMPLATE))
    yield opened
    opened.db.dispose()


@pytest.fixture
def empty_services(engine: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[Services]:
    """A migrated database with no section and no stories."""
    opened = open_services(_fresh_database(engine, db_path, request, EMPTY_TEMPLATE), seed_demo=False)
    yield opened
    opened.db.dispose()


@pytest.fixture
def spy_server() -> Iterator[tuple[int, list[bytes]]]:
    """A local TCP server that records every connection: any request the preview lets out lands here."""
    received: list[bytes] = []
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(4096))
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    received.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(2)
    server.close()


XSS_CORPUS = Path(__file__).parent / "data" / "xss-vectors.txt"
PWNED_SCRIPT = "void(document.documentElement.id=/pwned/.source)"  # marks the page if it ever runs


@pytest.fixture(scope="session")
def xss_vectors() -> Callable[[int], list[str]]:
    """The hostile corpus (tests/data/xss-vectors.txt) aimed at a spy server on ``port``."""

    def vectors(port: int) -> list[str]:
        lines = XSS_CORPUS.read_text(encoding="utf-8").splitlines()
        return [
            line.replace("\\n", "\n")
            .replace("{JS}", PWNED_SCRIPT)
            .replace("{URL}", f"http://127.0.0.1:{port}")
            for line in lines
            if line.strip() and not line.startswith("# ")
        ]

    return vectors
