"""The printable review sheet: the section's layout, its checklist and its sign-off on A4 pages, as a PDF.

``gather`` reads what the sheet shows (``content``), ``render_pdf`` draws it (``render``), ``save_pdf``
writes the file atomically: a failure at any point leaves no file, or the previous one untouched.
``write_review_sheet`` does all three; the window (``flow``) and ``ca-editor review-sheet`` both call it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ca_editor.domain.checklist import CheckReport
from ca_editor.durable import replace_atomically
from ca_editor.services.container import Services
from ca_editor.ui.sheet.content import ReviewSheet, default_file_name, gather
from ca_editor.ui.sheet.render import ReviewSheetError, render_pdf

__all__ = [
    "ReviewSheet",
    "ReviewSheetError",
    "default_file_name",
    "ensure_gui_application",
    "gather",
    "render_pdf",
    "save_pdf",
    "write_review_sheet",
]

_app: object = None  # the application ``ensure_gui_application`` made; kept alive for the process


def write_review_sheet(
    services: Services,
    section_id: int,
    path: Path,
    report: CheckReport | None = None,
    variant_id: int | None = None,
) -> Path:
    """Gather, draw and save the sheet of ``section_id`` (its main layout, or ``variant_id``'s) to ``path``;
    return the absolute path written."""
    target = _target(path)
    data = render_pdf(gather(services, section_id, report, variant_id=variant_id))
    save_pdf(data, target)
    return target


def save_pdf(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, fsynced, then renamed over it."""
    target = _target(path)
    try:
        replace_atomically(target, data)  # a replaced PDF keeps its permissions
    except OSError as exc:
        raise ReviewSheetError(f"cannot write the review sheet to {target}: {_reason(exc)}") from None


def _target(path: Path) -> Path:
    """The absolute path to write, or a clear refusal before anything is drawn."""
    try:
        target = Path(os.path.abspath(Path(path).expanduser()))  # noqa: PTH100 (no symlink resolution)
    except (OSError, ValueError) as exc:
        raise ReviewSheetError(f"'{path}' is not a usable file name: {exc}") from None
    if target.is_dir():
        raise ReviewSheetError(
            f"{target} is a folder; name the PDF file to write, e.g. {target / 'review.pdf'}"
        )
    if not target.parent.is_dir():
        raise ReviewSheetError(
            f"cannot write the review sheet to {target}: the folder {target.parent} does not exist"
        )
    return target


def _reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)


def ensure_gui_application() -> None:
    """Make sure a Qt GUI application exists (fonts and painting need one); headless on a machine without a
    display, so ``ca-editor review-sheet`` works over ssh and in cron."""
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform not in ("darwin", "win32"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    global _app  # one application per process, on purpose
    _app = QGuiApplication([sys.argv[0] if sys.argv else "ca-editor"])
