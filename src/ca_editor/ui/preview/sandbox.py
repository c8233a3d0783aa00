"""The preview's Chromium sandbox, and the one case where it is turned off: the app runs as root.

QtWebEngine refuses to start a sandboxed renderer in a root process ("Running as root without --no-sandbox
is not supported") and the app died with a segmentation fault right after its window appeared. Containers
and fresh VMs often run as root, so there the sandbox is switched off (``QTWEBENGINE_DISABLE_SANDBOX``,
read when QtWebEngine starts, i.e. when the preview makes its first profile, so this runs before the window
is built) and the person is told once, on stderr and in the status bar. The preview's other fences stay
as they are (no JavaScript, local files of its own folder only, no navigation: ``engine.py``).
"""

from __future__ import annotations

import os

from PySide6.QtWidgets import QLabel, QStatusBar

SANDBOX_OFF = (
    "the preview's Chromium sandbox is off because ca-editor runs as root (QtWebEngine cannot sandbox "
    "a root process); run it as an ordinary user to keep the sandbox on"
)
#: What the status bar says for a while at the start; the permanent mark's tooltip has ``SANDBOX_OFF``.
SANDBOX_OFF_BRIEFLY = "Preview sandbox off: ca-editor runs as root. Run it as an ordinary user to keep it on."


def running_as_root() -> bool:
    geteuid = getattr(os, "geteuid", None)  # absent on Windows, where there is no root to refuse
    return geteuid is not None and geteuid() == 0


def allow_preview_as_root() -> str | None:
    """As root, turn the preview's sandbox off and return the sentence that says so; else ``None``.

    Call before the first QtWebEngine profile or page exists (importing QtWebEngine earlier is fine).
    """
    if not running_as_root():
        return None
    os.environ["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return SANDBOX_OFF


def show_sandbox_note(status_bar: QStatusBar, note: str) -> QLabel:
    """A short permanent mark in the status bar, its tooltip the whole sentence; a short message first."""
    status_bar.showMessage(SANDBOX_OFF_BRIEFLY, 30_000)
    label = QLabel("Preview sandbox off (root)")
    label.setObjectName("sandbox-note")
    label.setToolTip(note[0].upper() + note[1:] + ".")
    label.setAccessibleName("Preview sandbox off")
    label.setAccessibleDescription(note)
    status_bar.addPermanentWidget(label)
    return label
