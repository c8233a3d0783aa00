"""Shared fixtures: a fresh database file per test, with or without the demo section."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    monkeypatch.delenv("CA_EDITOR_DB", raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "desk.sqlite3"


@pytest.fixture
def services(db_path: Path) -> Iterator[Services]:
    """A migrated database seeded with the demo Central Asia section."""
    opened = open_services(str(db_path))
    yield opened
    opened.db.dispose()


@pytest.fixture
def empty_services(db_path: Path) -> Iterator[Services]:
    """A migrated database with no section and no stories."""
    opened = open_services(str(db_path), seed_demo=False)
    yield opened
    opened.db.dispose()
