"""The app started as root (containers, fresh VMs, this project's CI) comes up with a working preview.

QtWebEngine refuses a sandboxed renderer in a root process and the app used to die with a segmentation
fault right after its window appeared. The real app runs here as a child process on the test's Xvfb
display, without ``QTWEBENGINE_DISABLE_SANDBOX`` (``tests/conftest.py`` sets it for the tests' own process),
and must be alive five seconds later with the demo section rendered in its preview.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QStatusBar
from pytestqt.qtbot import QtBot

from ca_editor.ui.preview import sandbox

DRIVER = Path(__file__).with_name("preview_probe_driver.py")


def _events(log: Path) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").split("\n")[:-1]  # the last one may be half-written
    return [json.loads(line) for line in lines]


def _output(stderr: Path) -> str:
    return stderr.read_text(encoding="utf-8", errors="replace")[-4000:]


@pytest.mark.xvfb
def test_started_as_root_the_window_lives_with_its_preview_and_says_the_sandbox_is_off(
    tmp_path: Path,
) -> None:
    if not sandbox.running_as_root():
        pytest.skip("needs root (CI runs as root): as an ordinary user the sandbox stays on")
    if not os.environ.get("DISPLAY"):
        missing = "needs an X display (pytest-xvfb starts one when Xvfb is installed; make test installs it)"
        if os.environ.get("CA_EDITOR_REQUIRE_TOOLS") == "1":
            pytest.fail(missing)
        pytest.skip(missing)
    env = dict(os.environ)
    env.pop("QTWEBENGINE_DISABLE_SANDBOX", None)  # set by tests/conftest.py for this process only
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "").split()
    env["QTWEBENGINE_CHROMIUM_FLAGS"] = " ".join(f for f in flags if f != "--no-sandbox")
    env.pop("QT_QPA_PLATFORM", None)  # the real xcb window on the test's display
    log, stderr_path = tmp_path / "probe.jsonl", tmp_path / "stderr.txt"
    args = [str(DRIVER), str(log), "--db", str(tmp_path / "desk.sqlite3"), "--user", "Root Tester"]
    started = time.monotonic()
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, *args], env=env, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
        )
    try:
        deadline = started + 120
        while not any(e["event"] == "preview-text" for e in _events(log)):
            if process.poll() is not None:
                ended = f"the app ended ({process.returncode}) before its preview showed the section"
                pytest.fail(f"{ended}:\n{_output(stderr_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"no rendered preview within 120 s:\n{_output(stderr_path)}")
            time.sleep(0.1)
        time.sleep(max(0.0, started + 5 - time.monotonic()))
        assert process.poll() is None, f"the app ended ({process.returncode}):\n{_output(stderr_path)}"
        events = _events(log)
        assert not [e for e in events if e["event"] == "renderer-terminated"], events
        shown = next(e for e in events if e["event"] == "shown")
        preview = next(e for e in events if e["event"] == "preview-text")
        assert shown["expected"] in preview["text"]
        assert f"ca-editor: {sandbox.SANDBOX_OFF}" in _output(stderr_path)
        assert "Running as root without --no-sandbox" not in _output(stderr_path)

        process.send_signal(signal.SIGTERM)  # the driver closes the window the ordinary way
        assert process.wait(30) == 0, _output(stderr_path)
        assert {"event": "exit", "code": 0} in _events(log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_as_root_the_sandbox_goes_off_and_the_app_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert sandbox.allow_preview_as_root() == sandbox.SANDBOX_OFF
    assert os.environ["QTWEBENGINE_DISABLE_SANDBOX"] == "1"


def test_as_an_ordinary_user_the_sandbox_stays_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QTWEBENGINE_DISABLE_SANDBOX", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert sandbox.allow_preview_as_root() is None
    assert "QTWEBENGINE_DISABLE_SANDBOX" not in os.environ


def test_the_status_bar_names_the_sandbox_note(qtbot: QtBot) -> None:
    bar = QStatusBar()
    qtbot.addWidget(bar)
    label = sandbox.show_sandbox_note(bar, sandbox.SANDBOX_OFF)
    assert label.text() == "Preview sandbox off (root)"
    assert "runs as root" in label.toolTip()
    assert bar.currentMessage() == sandbox.SANDBOX_OFF_BRIEFLY
