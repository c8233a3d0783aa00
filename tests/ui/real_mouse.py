"""The real X pointer for tests under Xvfb: ``xdotool`` moves and clicks it (XTest) from a background
process while Qt's event loop keeps turning, so a modal dialog's own loop can take the clicks too."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot


def need_real_x() -> None:
    if not os.environ.get("DISPLAY") or QGuiApplication.platformName() != "xcb":
        pytest.skip("needs a real X server: the pointer is moved by xdotool")
    if shutil.which("xdotool") is None:
        pytest.skip("needs xdotool to move the real pointer (scripts/install-system-deps test)")


def click_script(point: QPoint, *then: str) -> list[str]:
    return ["mousemove", str(point.x()), str(point.y()), "sleep", "0.2", "click", "1", "sleep", "0.2", *then]


def start(script: list[str]) -> subprocess.Popen[bytes]:
    """Run ``xdotool`` with ``script`` without waiting (the caller's loop must keep turning)."""
    return subprocess.Popen(["xdotool", *script])


def real_click(qtbot: QtBot, point: QPoint, *then: str) -> None:
    """Click at ``point`` (global), then the rest of the script; returns once xdotool is done."""
    process = start(click_script(point, *then))
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=10_000)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0


def settle(qtbot: QtBot, widget: QWidget) -> None:
    """Wait until ``widget`` stops moving and resizing (a new window's docks take their sizes after the
    first show): a point computed before then may land elsewhere."""
    seen = None
    for _ in range(20):
        now = (widget.mapToGlobal(widget.rect().topLeft()), widget.size())
        if now == seen:
            return
        seen = now
        qtbot.wait(250)


def real_drag(qtbot: QtBot, begin: QPoint, end: QPoint) -> None:
    """Press at ``begin``, move in steps to ``end``, release (as ``test_slots_dnd.py`` drags)."""
    steps = []
    for i in range(1, 11):
        x = begin.x() + (end.x() - begin.x()) * i // 10
        y = begin.y() + (end.y() - begin.y()) * i // 10
        steps += ["mousemove", str(x), str(y), "sleep", "0.03"]
    script = [
        "mousemove", str(begin.x()), str(begin.y()), "sleep", "0.15",
        "mousedown", "1", "sleep", "0.15",
        "mousemove", str(begin.x()), str(begin.y() + 12), "sleep", "0.15",  # past the drag distance
        *steps,
        "sleep", "0.3",  # let the drop target see the pointer settle
        "mouseup", "1",
    ]  # fmt: skip
    process = start(script)
    try:
        qtbot.waitUntil(lambda: process.poll() is not None, timeout=15_000)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
