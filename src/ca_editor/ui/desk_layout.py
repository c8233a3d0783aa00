"""The desk window's default arrangement and its size on the first start.

Left, the whole height of the window: editor's choice, so a desk sees its block at a glance (issue 19: at
1440 × 900 the old arrangement, with the archive filter under it, showed three of eight slots while the
story list beside it stood half empty). Middle: the story list, with the archive filter that narrows it
right below it. Right, the whole height: the story editor, preview and histories as tabs.

On the first start the window takes the screen's available area; a saved geometry and dock state win over
all of this on later starts (``MainWindow._restore_window``), and View › Reset the pane layout comes back
here. ``focus_pane`` is where Alt+1… lands inside a pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QScrollArea, QWidget

if TYPE_CHECKING:
    from ca_editor.ui.main_window import MainWindow

_LEFT, _RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
_BOTTOM = Qt.DockWidgetArea.BottomDockWidgetArea
STORY_LIST_MIN_WIDTH = 320


def arrange_default(window: MainWindow) -> None:
    # The side columns own the bottom corners: the bottom area lies under the story list only.
    window.setCorner(Qt.Corner.BottomLeftCorner, _LEFT)
    window.setCorner(Qt.Corner.BottomRightCorner, _RIGHT)
    # When the window shrinks, Qt takes the width from the middle first: keep the list (and the archive
    # filter under it) usable, so the side columns give way instead.
    window.stories.setMinimumWidth(STORY_LIST_MIN_WIDTH)
    window.addDockWidget(_LEFT, window.choice_dock)
    window.addDockWidget(_BOTTOM, window.archive_dock)
    window.addDockWidget(_RIGHT, window.editor_dock)
    window.tabifyDockWidget(window.editor_dock, window.preview_dock)
    window.tabifyDockWidget(window.preview_dock, window.history_dock)
    window.tabifyDockWidget(window.history_dock, window.checklist_dock)
    window.tabifyDockWidget(window.history_dock, window.layout_history_dock)
    window.editor_dock.raise_()
    window.choice.splitter.reset()  # inside editor's choice too: the whole block first
    size_docks(window)


def dock_widths(window_width: int) -> tuple[int, int]:
    """Editor's choice and story editor widths for a window this wide; the story list takes the rest."""
    choice = max(340, min(500, round(window_width * 0.27)))
    editor = max(480, min(760, round(window_width * 0.37)))
    return choice, editor


def size_docks(window: MainWindow) -> None:
    # Dock sizes only stick once the window has its real size: applied again after the first show.
    choice, editor = dock_widths(window.width())
    window.resizeDocks([window.choice_dock, window.editor_dock], [choice, editor], Qt.Orientation.Horizontal)
    # The archive filter is a tool beside the list, not its rival: about a quarter of the height.
    dock = window.archive_dock
    archive = max(
        dock.minimumSizeHint().height(), min(dock.sizeHint().height(), round(window.height() * 0.26))
    )
    window.resizeDocks([dock], [archive], Qt.Orientation.Vertical)


def fit_to_screen(window: MainWindow) -> None:
    """First start: the window fills the available area of its screen (panels and docks excluded)."""
    available = window.screen().availableGeometry()
    window.setGeometry(available)
    # A window manager's frame comes on top of the geometry: once it is known, keep the frame on screen.
    QTimer.singleShot(0, window, lambda: _keep_frame_inside(window, available))


def _keep_frame_inside(window: MainWindow, available: QRect) -> None:
    frame, inner = window.frameGeometry(), window.geometry()
    if frame == inner:
        return
    window.setGeometry(
        available.adjusted(
            inner.left() - frame.left(),
            inner.top() - frame.top(),
            inner.right() - frame.right(),
            inner.bottom() - frame.bottom(),
        )
    )


def focus_pane(target: QWidget) -> None:
    """Alt+1…: show and raise a dock and put the keyboard in it (or focus ``target`` itself)."""
    if not isinstance(target, QDockWidget):
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return
    target.show()
    target.raise_()
    inner = target.widget()
    # The pane itself takes no keys (a plain container): land on the control used last in it, else on its
    # first control that takes focus, so Alt+2 then Alt+Down moves a slot straight away.
    last = inner.focusWidget()
    usable = last is not None and last is not inner and last.isVisible() and last.isEnabled()
    first = getattr(inner, "first_control", None)  # a pane may name its own first control
    fallback = first() if callable(first) else _first_focusable(inner)
    (last if usable else fallback).setFocus(Qt.FocusReason.ShortcutFocusReason)


def _first_focusable(pane: QWidget) -> QWidget:
    """The first visible, enabled control inside ``pane`` in Tab order (``pane`` itself if there is none)."""
    widget = pane.nextInFocusChain()
    while widget is not pane and widget is not None:  # the chain is the window's, and a ring
        if (
            pane.isAncestorOf(widget)
            and not isinstance(widget, QScrollArea)  # a container: its contents are the controls
            and widget.isVisible()
            and widget.isEnabled()
            and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            return widget
        widget = widget.nextInFocusChain()
    return pane
