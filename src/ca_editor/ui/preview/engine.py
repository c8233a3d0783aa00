"""The hardened QtWebEngine pieces of the preview: one off-the-record profile, its request filter, its page.

By default a QtWebEngine page runs JavaScript and fetches remote CSS, images and ``fetch()`` calls, and
switching JavaScript off alone still lets remote CSS and images through (docs/pitfalls). So, in layers:

* the profile is off the record (nothing on disk), with JavaScript, plugins, full screen, screen capture,
  local storage, WebGL, DNS prefetch, icon loading and navigate-on-drop off, and local content barred from
  remote URLs;
* a request interceptor lets through only ``file://`` URLs inside the preview's own temporary folder, so
  even an ``<img>`` or ``@import`` pointing elsewhere on the disk or the network is never requested;
* the page accepts a navigation only when the preview itself asked for exactly that URL; clicked links,
  meta refreshes and form posts are refused (a clicked link is reported, for the pane to act on), and it
  never opens a window.

Only this package imports QtWebEngine.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections import deque
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineDownloadRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)

_PROFILE_NAME = "ca_editor_preview_profile"
_Attr = QWebEngineSettings.WebAttribute
_SETTINGS = {
    _Attr.JavascriptEnabled: False,
    _Attr.JavascriptCanOpenWindows: False,
    _Attr.JavascriptCanAccessClipboard: False,
    _Attr.JavascriptCanPaste: False,
    _Attr.AllowWindowActivationFromJavaScript: False,
    _Attr.LocalContentCanAccessRemoteUrls: False,
    _Attr.LocalContentCanAccessFileUrls: True,  # the page's own CSS and images; the interceptor fences them
    _Attr.AllowRunningInsecureContent: False,
    _Attr.AllowGeolocationOnInsecureOrigins: False,
    _Attr.PluginsEnabled: False,
    _Attr.PdfViewerEnabled: False,
    _Attr.FullScreenSupportEnabled: False,
    _Attr.ScreenCaptureEnabled: False,
    _Attr.LocalStorageEnabled: False,
    _Attr.WebGLEnabled: False,
    _Attr.Accelerated2dCanvasEnabled: False,
    _Attr.ReadingFromCanvasEnabled: False,
    _Attr.DnsPrefetchEnabled: False,
    _Attr.HyperlinkAuditingEnabled: False,
    _Attr.AutoLoadIconsForPage: False,
    _Attr.TouchIconsEnabled: False,
    _Attr.NavigateOnDropEnabled: False,  # a file dropped on the view must not replace the preview
    _Attr.FocusOnNavigationEnabled: False,  # a live update must not take the focus from the editor
    _Attr.ErrorPageEnabled: False,
    _Attr.AutoLoadImages: True,
    _Attr.ShowScrollBars: True,
}
_root: Path | None = None
# Python keeps its own reference: the profile does not own its interceptor, and a collected Python subclass
# would stop filtering.
_interceptors: dict[int, LocalOnlyInterceptor] = {}


def preview_root() -> Path:
    """This process's private temporary folder for preview files (mode 0700), removed at exit."""
    global _root
    if _root is None or not _root.is_dir():
        _root = Path(tempfile.mkdtemp(prefix="ca-editor-preview-")).resolve()
        atexit.register(shutil.rmtree, _root, ignore_errors=True)
    return _root


def is_inside(url: QUrl, root: Path) -> bool:
    """True for a ``file://`` URL naming something inside ``root`` (no ``..`` escape, no other scheme)."""
    if url.scheme() != "file" or url.host() not in ("", "localhost"):
        return False
    local = url.toLocalFile()
    if not local or "\x00" in local:
        return False
    return Path(os.path.normpath(local)).is_relative_to(root)


class LocalOnlyInterceptor(QWebEngineUrlRequestInterceptor):
    """Blocks every request but ``file://`` URLs inside the preview folder; remembers what it blocked."""

    def __init__(self, root: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.root = root
        self.blocked: deque[str] = deque(maxlen=200)

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        url = info.requestUrl()
        if not is_inside(url, self.root):
            info.block(True)
            self.blocked.append(url.toString())


def preview_profile() -> QWebEngineProfile:
    """The application's one preview profile: off the record, hardened, parented to the application.

    Parented to the application so it outlives every page made from it (QtWebEngine warns otherwise).
    """
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("the preview needs a QApplication")
    found = app.findChild(QWebEngineProfile, _PROFILE_NAME)
    if isinstance(found, QWebEngineProfile):
        return found
    profile = QWebEngineProfile(app)  # no storage name: off the record, nothing written to disk
    profile.setObjectName(_PROFILE_NAME)
    profile.setHttpCacheType(QWebEngineProfile.HttpCacheType.NoCache)
    profile.setPersistentCookiesPolicy(QWebEngineProfile.PersistentCookiesPolicy.NoPersistentCookies)
    profile.setPersistentPermissionsPolicy(QWebEngineProfile.PersistentPermissionsPolicy.AskEveryTime)
    profile.setSpellCheckEnabled(False)
    profile.setPushServiceEnabled(False)
    settings = profile.settings()
    for attribute, on in _SETTINGS.items():
        settings.setAttribute(attribute, on)
    interceptor = LocalOnlyInterceptor(preview_root(), profile)
    _interceptors[id(profile)] = interceptor
    profile.setUrlRequestInterceptor(interceptor)
    profile.downloadRequested.connect(_refuse_download)
    return profile


def preview_interceptor() -> LocalOnlyInterceptor:
    return _interceptors[id(preview_profile())]


def _refuse_download(download: QWebEngineDownloadRequest) -> None:
    download.cancel()


class PreviewPage(QWebEnginePage):
    """A page that only goes where the preview sends it."""

    link_clicked = Signal(QUrl)  # a link the reader clicked; the page itself stays where it is

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(preview_profile(), parent)
        self._expected: QUrl | None = None
        self.refused: deque[str] = deque(maxlen=50)
        self.permissionRequested.connect(_deny)

    def open_file(self, url: QUrl) -> None:
        """Load ``url`` (a file inside the preview folder), scrolled to the top."""
        self._expected = url
        self.load(url)

    def reload_file(self) -> None:
        """Read the current file again; Chromium restores the scroll position of a reload."""
        self._expected = self.url()
        self.triggerAction(QWebEnginePage.WebAction.Reload)

    def acceptNavigationRequest(
        self, url: QUrl | str, type: QWebEnginePage.NavigationType, isMainFrame: bool
    ) -> bool:
        target = QUrl(url)
        expected, self._expected = self._expected, None
        if isMainFrame and expected is not None and target == expected:
            return True
        if type == QWebEnginePage.NavigationType.NavigationTypeLinkClicked:
            self.link_clicked.emit(target)
        self.refused.append(target.toString())
        return False

    def createWindow(self, _type: QWebEnginePage.WebWindowType) -> QWebEnginePage | None:
        return None  # no popups, whatever asks

    def javaScriptConsoleMessage(
        self, _level: QWebEnginePage.JavaScriptConsoleMessageLevel, _message: str, _line: int, _source: str
    ) -> None:
        return  # the preview has no console to show, and page messages are not the app's warnings


def _deny(permission: QWebEnginePermission) -> None:
    permission.deny()
