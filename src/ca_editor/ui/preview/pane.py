"""The preview pane: the selected story's page or the section page, as the export will write them.

Content is rendered by ``services.previews`` with the export's templates and CSS, written as files into a
private temporary folder (page, ``style.css``, images named as the export names them) and ``load()``-ed
from ``file://``: ``setHtml`` fails silently above about 2 MB.

Live updates are debounced, and each render (the database reads, above all the archive counts the pages'
links show, about 0.3 s over a million stories; the HTML; the files) runs on a background lane
(``ui/background.py``): only the load into the web view happens on the UI thread. An update of the page
already shown overwrites its file (atomically) and reloads it: Chromium keeps painting the old document
until the new one is ready and restores the scroll position of a reload itself, so no JavaScript is needed
in the page. A different page (another story, the other mode) is loaded under its own file name and starts
at the top.

``PreviewPane(start=False)`` (the desk window) renders nothing until ``start()``, which the window calls
after its first paint. Its one web view is made at once all the same: a QtWebEngine view added to a window
already on screen makes Qt re-create the native window (for its GPU surface), which loses the window's
activation and focus. The three side-by-side views are made the first time side by side is turned on.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from enum import Enum, StrEnum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QResizeEvent
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ca_editor.domain.errors import CaEditorError
from ca_editor.domain.model import SectionLayout, Story
from ca_editor.durable import replace_atomically
from ca_editor.services.container import Services
from ca_editor.ui.background import Lane
from ca_editor.ui.icons import icon
from ca_editor.ui.preview.engine import PreviewPage, preview_root

if TYPE_CHECKING:  # the preview service (the export's templates, jinja2) loads when the first preview renders
    from ca_editor.services.previewing import RenderedPage

DEBOUNCE_MS = 200
_MAX_WIDGET_WIDTH = 16_777_215  # QWIDGETSIZE_MAX
_MIN_ZOOM = 0.25


class PreviewMode(StrEnum):
    STORY = "story"
    SECTION = "section"


class WidthPreset(Enum):
    PHONE = ("Phone", 360, "phone")
    TABLET = ("Tablet", 768, "tablet")
    DESKTOP = ("Desktop", 1280, "desktop")
    FIT = ("Fit", 0, "fit_width")

    def __init__(self, label: str, width: int, icon_name: str) -> None:
        self.label = label
        self.width = width  # CSS pixels; 0 follows the pane
        self.icon_name = icon_name


SIDE_BY_SIDE = (WidthPreset.PHONE, WidthPreset.TABLET, WidthPreset.DESKTOP)


class PreviewView(QWebEngineView):
    """One web view on a hardened page; remembers which content it shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview_page = PreviewPage(self)
        self.setPage(self.preview_page)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.setAcceptDrops(False)
        self.shown_key: tuple[object, ...] | None = None

    def show_file(self, url: QUrl, key: tuple[object, ...]) -> None:
        if key == self.shown_key and self.preview_page.url() == url:
            self.preview_page.reload_file()
        else:
            self.shown_key = key
            self.preview_page.open_file(url)

    def sizeHint(self) -> QSize:
        return QSize(360, 480)


class _Frame(QWidget):
    """A caption above a view, for the side-by-side mode."""

    def __init__(self, preset: WidthPreset, parent: QWidget | None = None, *, view: PreviewView) -> None:
        super().__init__(parent)
        self.preset = preset
        self.caption = QLabel(f"{preset.label} · {preset.width} px", self)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.view = view
        view.setParent(self)
        self.view.setAccessibleName(f"{preset.label} preview")
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(2)
        box.addWidget(self.caption)
        box.addWidget(self.view, 1)


class PreviewPane(QWidget):
    """Shows what the bundle will look like, following edits live.

    ``show_story`` and ``show_section`` hand over what to show in each mode; the mode is the user's choice
    (``set_mode`` or the toolbar). ``loaded`` is emitted once every visible view has finished loading a
    render (with ``True`` when all loads succeeded).
    """

    loaded = Signal(bool)
    mode_changed = Signal(str)  # PreviewMode value
    story_link_clicked = Signal(str)  # slug of a story page link clicked in the preview

    def __init__(
        self, services: Services, section_id: int, parent: QWidget | None = None, *, start: bool = True
    ) -> None:
        super().__init__(parent)
        self.setObjectName("previewPane")
        self._services = services
        self._section_id = section_id
        self._story: Story | None = None
        self._layout: SectionLayout | None = None
        self._mode = PreviewMode.SECTION
        self._preset = WidthPreset.FIT
        self._side_by_side = False
        self._pending: set[PreviewView] = set()
        self._pending_ok = True
        self._css_written = False
        self.folder = Path(tempfile.mkdtemp(prefix="pane-", dir=preview_root()))
        self.destroyed.connect(partial(shutil.rmtree, self.folder, ignore_errors=True))

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._render)
        self._lane = Lane(self, "preview", latest_only=True)  # a newer render makes an older one stale
        self._renders = 0  # renders asked for: only the newest one's page is loaded

        self.toolbar = self._build_toolbar()
        self._frames: list[_Frame] | None = None
        self._single_area, self._single_row = self._scroll_area("Page preview area")
        self._single = self._new_view()
        self._single.setAccessibleName("Page preview")
        self._single_row.addWidget(self._single)
        self._side_area, self._side_row = self._scroll_area("Side-by-side preview area")
        self._side_row.setSpacing(12)
        self._side_area.viewport().installEventFilter(self)

        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._single_area)
        self._stack.addWidget(self._side_area)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.toolbar)
        box.addWidget(self._stack, 1)
        self._apply_widths()
        self._started = False
        if start:
            self.start()

    def start(self) -> None:
        """Render what is to be shown, and follow changes from now on (once; the desk window calls it after
        its first paint: the render and the page's load need not hold the window back)."""
        if self._started:
            return
        self._started = True
        self.schedule()

    @property
    def started(self) -> bool:
        return self._started

    @property
    def single_view(self) -> PreviewView:
        """The one web view of the single-width mode."""
        return self._single

    @property
    def frames(self) -> list[_Frame]:
        """The phone, tablet and desktop views of the side-by-side mode, made on first use."""
        if self._frames is None:
            self._frames = [_Frame(preset, view=self._new_view()) for preset in SIDE_BY_SIDE]
            for frame in self._frames:
                self._side_row.addWidget(frame)
            self._fit_side_by_side()
        return self._frames

    def _new_view(self) -> PreviewView:
        view = PreviewView()
        view.loadFinished.connect(partial(self._view_loaded, view))
        view.preview_page.link_clicked.connect(self._link_clicked)
        return view

    # --- public API ----------------------------------------------------------------------------------------

    @property
    def mode(self) -> PreviewMode:
        return self._mode

    @property
    def width_preset(self) -> WidthPreset:
        return self._preset

    @property
    def side_by_side(self) -> bool:
        return self._side_by_side

    @property
    def views(self) -> list[PreviewView]:
        """The web views on screen: one, or phone, tablet and desktop side by side."""
        return [f.view for f in self.frames] if self._side_by_side else [self.single_view]

    def show_story(self, story: Story | None) -> None:
        """The story page shows ``story``, unsaved edits included (``None``: nothing selected)."""
        self._story = story
        if self._mode is PreviewMode.STORY or self._layout_has(story):
            self.schedule()

    def show_section(self, layout: SectionLayout | None = None) -> None:
        """The section page shows ``layout`` (``None``: the saved layout, read at each render)."""
        self._layout = layout
        if self._mode is PreviewMode.SECTION:
            self.schedule()

    def refresh(self) -> None:
        """Read everything again (archive counts, stylesheet, images) and render now."""
        self._services.previews.forget_counts()
        self._css_written = False
        self._timer.stop()
        self._render()

    def set_mode(self, mode: PreviewMode) -> None:
        mode = PreviewMode(mode)
        self._mode_actions[mode].setChecked(True)
        if mode is not self._mode:
            self._mode = mode
            self.mode_changed.emit(mode.value)
            self.schedule()

    def set_width_preset(self, preset: WidthPreset) -> None:
        self._preset_actions[preset].setChecked(True)
        self._preset = preset
        self._apply_widths()

    def set_side_by_side(self, on: bool) -> None:
        self.side_by_side_action.setChecked(on)
        if on == self._side_by_side:
            return
        if on:
            self.frames  # noqa: B018 - made now, before the stack shows them
        self._side_by_side = on
        for action in self._preset_actions.values():
            action.setEnabled(not on)
        self._stack.setCurrentWidget(self._side_area if on else self._single_area)
        self._apply_widths()
        self.schedule()  # the views now on screen may show something older

    def schedule(self) -> None:
        """Render after a short pause; calls in quick succession give one render (none before ``start``)."""
        if self._started:
            self._timer.start()

    # --- building ------------------------------------------------------------------------------------------

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar("Preview", self)
        bar.setObjectName("previewToolbar")
        bar.setAccessibleName("Preview toolbar")
        bar.setIconSize(QSize(16, 16))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)

        modes = QActionGroup(self)
        self._mode_actions: dict[PreviewMode, QAction] = {}
        for mode, name, text, tip in (
            (PreviewMode.STORY, "story", "Story page", "Preview the selected story's page"),
            (PreviewMode.SECTION, "section_page", "Section page", "Preview the section front"),
        ):
            action = self._action(bar, name, text, tip)
            action.setCheckable(True)
            action.setChecked(mode is self._mode)
            action.triggered.connect(partial(self.set_mode, mode))
            modes.addAction(action)
            self._mode_actions[mode] = action
        bar.addSeparator()

        widths = QActionGroup(self)
        self._preset_actions: dict[WidthPreset, QAction] = {}
        for preset in WidthPreset:
            tip = (
                f"Show the page {preset.width} pixels wide, as on a {preset.label.lower()}"
                if preset.width
                else "Show the page as wide as the pane"
            )
            action = self._action(bar, preset.icon_name, f"{preset.label} width", tip)
            action.setCheckable(True)
            action.setChecked(preset is self._preset)
            action.triggered.connect(partial(self.set_width_preset, preset))
            widths.addAction(action)
            self._preset_actions[preset] = action
        self.side_by_side_action = self._action(
            bar, "side_by_side", "Side by side", "Show phone, tablet and desktop widths at once"
        )
        self.side_by_side_action.setCheckable(True)
        self.side_by_side_action.toggled.connect(self.set_side_by_side)
        bar.addSeparator()
        self.refresh_action = self._action(bar, "refresh", "Refresh preview", "Read everything again")
        self.refresh_action.triggered.connect(self.refresh)
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setAccessibleName(action.text())
                button.setAccessibleDescription(action.toolTip())
        for action in self._mode_actions.values():  # the mode is read at a glance: icon and words
            button = bar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return bar

    def _action(self, bar: QToolBar, icon_name: str, text: str, tip: str) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        bar.addAction(action)
        return action

    def _scroll_area(self, name: str) -> tuple[QScrollArea, QHBoxLayout]:
        area = QScrollArea(self)
        area.setAccessibleName(name)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setBackgroundRole(self.backgroundRole())
        inner = QWidget(area)
        row = QHBoxLayout(inner)
        row.setContentsMargins(0, 0, 0, 0)
        row.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        area.setWidget(inner)
        return area, row

    # --- widths --------------------------------------------------------------------------------------------

    def _apply_widths(self) -> None:
        view = self._single
        if self._preset.width:
            view.setFixedWidth(self._preset.width)
            view.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Expanding)
        else:
            view.setMinimumWidth(0)
            view.setMaximumWidth(_MAX_WIDGET_WIDTH)
            view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        view.setZoomFactor(1.0)
        self._fit_side_by_side()

    def _fit_side_by_side(self) -> None:
        """Scale the three views down together (zoomFactor) so phone, tablet and desktop fit the pane."""
        frames = self._frames or []
        spacing = 12 * (len(SIDE_BY_SIDE) - 1)
        natural = sum(preset.width for preset in SIDE_BY_SIDE)
        available = max(1, self._side_area.viewport().width() - spacing)
        scale = max(_MIN_ZOOM, min(1.0, available / natural))
        for frame in frames:
            frame.setFixedWidth(max(1, int(frame.preset.width * scale)))
            frame.view.setZoomFactor(scale)
            frame.caption.setText(
                f"{frame.preset.label} · {frame.preset.width} px"
                + ("" if scale == 1.0 else f" · {round(scale * 100)} %")
            )

    def eventFilter(self, watched: object, event: object) -> bool:
        if watched is self._side_area.viewport() and isinstance(event, QResizeEvent):
            self._fit_side_by_side()
        return super().eventFilter(watched, event)  # type: ignore[arg-type]

    # --- rendering -----------------------------------------------------------------------------------------

    def _layout_has(self, story: Story | None) -> bool:
        if story is None or self._mode is not PreviewMode.SECTION:
            return False
        layout = self._layout or self._services.sections.layout(self._section_id)
        return story.id in layout.story_ids()

    def _render(self) -> None:
        """Render on the lane what is to be shown now; the newest render's page is then loaded."""
        if not self._started:
            return
        self._renders += 1
        number, mode, story, layout = self._renders, self._mode, self._story, self._layout
        self._lane.submit(
            lambda _task: self._write_safely(mode, story, layout), done=partial(self._written, number)
        )

    def _write_safely(
        self, mode: PreviewMode, story: Story | None, layout: SectionLayout | None
    ) -> tuple[tuple[object, ...], QUrl]:  # on the lane's thread
        try:
            return self._write_current(mode, story, layout)
        except (CaEditorError, OSError, ValueError) as exc:
            return ("error", str(exc)), self._write_message("Preview unavailable", _sentence(exc))

    def _written(self, number: int, written: tuple[tuple[object, ...], QUrl]) -> None:
        if number != self._renders:
            return  # a newer render is on its way
        key, url = written
        self._pending = set(self.views)
        self._pending_ok = True
        for view in self.views:
            view.show_file(url, key)

    def _write_current(
        self, mode: PreviewMode, story: Story | None, layout: SectionLayout | None
    ) -> tuple[tuple[object, ...], QUrl]:
        previews = self._services.previews
        if mode is PreviewMode.STORY:
            if story is None:
                return ("empty",), self._write_message("Story page", "Select a story to preview its page.")
            page = previews.story_page(self._section_id, story)
            # Same folder depth as the bundle's page (so ../style.css resolves), named by id: stable while
            # the slug is being edited, and another story gets another URL (and starts at the top).
            name = str(Path(page.path).parent / f"preview-{story.id}.html")
            return ("story", story.id), self._write_page(page, name)
        page = previews.section_page(self._section_id, layout, edited=story)
        return ("section",), self._write_page(page, page.path)

    def _write_page(self, page: RenderedPage, name: str) -> QUrl:
        self._write_support()
        for picture in page.pictures:
            # Named by the crop: a new focal point is new files, so the preview shows the new crop at once.
            if all((self.folder / r.path).exists() for r in picture.renditions):
                continue
            try:
                files = self._services.previews.picture_files(picture)
            except CaEditorError:
                continue  # the page still shows, with its alt text in place of the image
            for file in files:
                target = self.folder / file.rendition.path
                if not target.exists():
                    data = file.data if file.data is not None else Path(file.cached or "").read_bytes()
                    replace_atomically(target, data, sync=False)  # a preview: never half a page
        return self._write_file(name, page.html.encode("utf-8"))

    def _write_message(self, title: str, message: str) -> QUrl:
        self._write_support()
        return self._write_file("message.html", self._services.previews.message_page(title, message).encode())

    def _write_support(self) -> None:
        if not self._css_written:
            replace_atomically(self.folder / "style.css", self._services.previews.stylesheet(), sync=False)
            self._css_written = True

    def _write_file(self, name: str, data: bytes) -> QUrl:
        target = (self.folder / name).resolve()
        if not target.is_relative_to(self.folder.resolve()):
            raise ValueError(f"refusing to write a preview file outside its folder: {name!r}")
        replace_atomically(target, data, sync=False)  # a preview: never half a page
        return QUrl.fromLocalFile(str(target))

    def _view_loaded(self, view: PreviewView, ok: bool) -> None:
        if view not in self._pending:
            return
        self._pending.discard(view)
        self._pending_ok = self._pending_ok and ok
        if not self._pending:
            self.loaded.emit(self._pending_ok)

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() != "file":
            return
        path = Path(os.path.normpath(url.toLocalFile()))
        if path.parent == self.folder / "stories" and path.suffix == ".html":
            self.story_link_clicked.emit(path.stem)


def _sentence(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"The preview could not be rendered: {text[:1].upper()}{text[1:]}."
