"""Starts the real app (``ca_editor.cli.main``, the same start as ``ca-editor``) and reports what its preview
shows, for ``tests/ui/test_root_start.py``.

    python preview_probe_driver.py LOG [ca-editor arguments…]

Nothing here changes the app: ``MainWindow.show`` is wrapped to open the Preview tab once the window is on
screen (as a person clicking it would), then to ask the preview's page every quarter second for the text
Chromium rendered, and to watch for a dead render process. Each observation is one flushed JSON line in LOG.
SIGTERM closes the window the ordinary way (settings saved, exit status 0).
"""

from __future__ import annotations

import json
import signal
import sys
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWebEngineCore import QWebEnginePage

from ca_editor import cli
from ca_editor.ui import main_window

_log_file: Any = None
_keep: list[Any] = []


def log(event: str, **data: Any) -> None:
    _log_file.write(json.dumps({"event": event, **data}) + "\n")
    _log_file.flush()


def watch(window: main_window.MainWindow) -> None:
    expected = window.desk.layout.slots[0].headline
    log("shown", expected=expected)
    for view in window.preview.views:
        view.page().renderProcessTerminated.connect(
            lambda status, code: log("renderer-terminated", status=str(status), code=code)
        )
    window.preview_section()
    window.preview.refresh()

    seen = False

    def report(text: str) -> None:
        nonlocal seen
        if expected in text and not seen:
            seen = True
            log("preview-text", text=text[:2000])

    def ask() -> None:
        for view in window.preview.views:
            if view.isVisible():
                page: QWebEnginePage = view.page()
                page.toPlainText(report)

    timer = QTimer(window, interval=250)
    timer.timeout.connect(ask)
    timer.start()
    _keep.append(timer)


def main() -> int:
    global _log_file
    log_path, *args = sys.argv[1:]
    _log_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run
    original_show = main_window.MainWindow.show

    def show_then_watch(self: main_window.MainWindow) -> None:
        original_show(self)
        QTimer.singleShot(0, lambda: watch(self))
        # Python runs a signal handler only between bytecodes: a timer lets it in while Qt's loop waits.
        ticker = QTimer(self, interval=100)
        ticker.timeout.connect(lambda: None)
        ticker.start()
        _keep.append(ticker)
        signal.signal(signal.SIGTERM, lambda *_: self.close())

    main_window.MainWindow.show = show_then_watch  # type: ignore[method-assign]
    code = cli.main(args)
    log("exit", code=code)
    return code


if __name__ == "__main__":
    sys.exit(main())
