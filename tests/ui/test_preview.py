"""The preview pane: the export's pages in a real, hardened QtWebEngine view, following edits live."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QUrl
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineScript, QWebEngineSettings

from ca_editor.domain.model import SlotOverrides, Story
from ca_editor.services.container import Services
from ca_editor.ui.preview import PreviewMode, PreviewPane, WidthPreset
from ca_editor.ui.preview.engine import PreviewPage, preview_interceptor, preview_root

# pytest-xvfb starts Xvfb with 16-bit colour, where Chromium's GPU process finds no EGL config and the
# renderer crashes (measured: segfault at 16 bit, fine at 24 bit or with the GPU off). Set before the first
# QtWebEngine use, which happens after collection.
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")

# What Chromium's start-up says on a machine without a GPU or Vulkan; nothing the preview can act on.
pytestmark = pytest.mark.qt_log_ignore(
    "Failed to load vulkan",
    "No Vulkan library available",
    "Failed to create platform Vulkan instance",
    "Unable to detect GPU vendor",
    "GLX: No DRI3",
    "GPUInfo not initialized",
)

WAIT_MS = 15_000


# --- helpers -----------------------------------------------------------------------------------------------


def _call(qtbot, start: Callable[[Callable[[object], None]], None]) -> object:
    """Run an asynchronous QtWebEngine call and wait for its callback's value."""
    box: list[object] = []
    start(box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=WAIT_MS)
    return box[0]


def page_text(qtbot, page: QWebEnginePage) -> str:
    return str(_call(qtbot, page.toPlainText))


def inspect(qtbot, page: QWebEnginePage, script: str) -> object:
    """Read the DOM from Qt's isolated ApplicationWorld: it runs even with the page's JavaScript off."""
    return _call(
        qtbot, lambda done: page.runJavaScript(script, QWebEngineScript.ScriptWorldId.ApplicationWorld, done)
    )


def long_story(services: Services, paragraphs: int = 300) -> Story:
    story = services.sections.layout(services.section_id()).slots[0].story
    body = "\n\n".join(f"Paragraph {i}: " + "steppe river market " * 12 for i in range(paragraphs))
    return replace(story, body=body)


@pytest.fixture
def pane(qtbot, services: Services) -> Iterator[PreviewPane]:
    widget = PreviewPane(services, services.section_id())
    widget.resize(1100, 800)
    with qtbot.waitSignal(widget.loaded, timeout=WAIT_MS):
        widget.show()
    yield widget
    # Delete now, not with deleteLater: a page still alive when the application's profile goes makes
    # QtWebEngine warn at exit ("Release of profile requested but WebEnginePage still not deleted").
    widget.close()
    folder = widget.folder
    shiboken6.delete(widget)
    assert not folder.exists()


def _hostile_html(port: int, outside_image: Path) -> str:
    remote = f"http://127.0.0.1:{port}"
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>untouched</title>
<link rel="stylesheet" href="{remote}/link.css">
<link rel="icon" href="{remote}/favicon.ico">
<style>@import url("{remote}/import.css"); body {{ background: url("{remote}/bg.png"); }}</style>
<meta http-equiv="refresh" content="0; url={remote}/refresh">
</head><body>
<p>hostile page</p>
<img id="remote" src="{remote}/img.png" alt="">
<img id="outside" src="{QUrl.fromLocalFile(str(outside_image)).toString()}" alt="">
<img id="inside" src="inside.png" alt="">
<img src="missing.png" onerror="document.title = 'onerror ran'" alt="">
<script>document.title = 'script ran'; fetch('{remote}/fetch');</script>
<iframe src="{remote}/frame"></iframe>
<form action="{remote}/form" method="post"><button id="send">send</button></form>
</body></html>"""


def _png() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


# --- rendering ---------------------------------------------------------------------------------------------


def test_section_page_renders_by_default(qtbot, pane: PreviewPane, services: Services) -> None:
    assert pane.mode is PreviewMode.SECTION
    assert pane.width_preset is WidthPreset.FIT
    text = page_text(qtbot, pane.single_view.page())
    layout = services.sections.layout(services.section_id())
    assert layout.section.title in text
    assert all(slot.headline in text for slot in layout.slots)
    assert pane.single_view.url().toLocalFile().endswith("/index.html")
    assert (pane.folder / "style.css").read_bytes() == services.previews.stylesheet()
    for slot in layout.slots:  # images are in place, named as the export names them, and displayed
        if slot.image is not None:
            assert list((pane.folder / "images").glob(f"{slot.image.asset.sha256[:12]}-*w.webp"))
    widths = inspect(
        qtbot, pane.single_view.page(), "JSON.stringify(Array.from(document.images, i => i.naturalWidth))"
    )
    assert json.loads(str(widths)) and all(w > 0 for w in json.loads(str(widths)))


def test_story_page_renders_the_given_value(qtbot, pane: PreviewPane, services: Services) -> None:
    story = services.sections.layout(services.section_id()).slots[1].story
    edited = replace(story, title="Unsaved headline for the preview", slug="Half typed SLUG")
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.set_mode(PreviewMode.STORY)
    assert "Select a story" in page_text(qtbot, pane.single_view.page())
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS) as loaded:
        pane.show_story(edited)
    assert loaded.args == [True]
    text = page_text(qtbot, pane.single_view.page())
    assert "Unsaved headline for the preview" in text
    assert story.summary in text
    assert services.stories.get(story.id).title == story.title


def test_section_page_follows_an_edited_story_and_a_layout(
    qtbot, pane: PreviewPane, services: Services
) -> None:
    layout = services.sections.layout(services.section_id())
    story = layout.slots[3].story
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(replace(story, title="Card headline being typed"))  # a card shows unsaved edits too
    assert "Card headline being typed" in page_text(qtbot, pane.single_view.page())
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(None)
        pane.show_section(replace(layout, slots=layout.slots[:1]))
    text = page_text(qtbot, pane.single_view.page())
    assert layout.slots[0].headline in text
    assert layout.slots[1].headline not in text


def test_edits_in_quick_succession_give_one_render(qtbot, pane: PreviewPane, services: Services) -> None:
    story = services.sections.layout(services.section_id()).slots[0].story
    pane.set_mode(PreviewMode.STORY)
    starts: list[bool] = []
    pane.single_view.loadStarted.connect(lambda: starts.append(True))
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        for n in range(10):
            pane.show_story(replace(story, title=f"Typing {n}"))
    assert "Typing 9" in page_text(qtbot, pane.single_view.page())
    assert len(starts) == 1


def test_a_three_megabyte_page_displays(qtbot, pane: PreviewPane, services: Services) -> None:
    story = services.sections.layout(services.section_id()).slots[0].story
    body = "\n\n".join(f"Paragraph {i} " + "lorem ipsum dolor sit amet " * 20 for i in range(5600))
    huge = replace(story, title="The huge story", body=body + "\n\nThe very last paragraph.")
    pane.set_mode(PreviewMode.STORY)
    started = time.perf_counter()
    with qtbot.waitSignal(pane.loaded, timeout=60_000) as loaded:
        pane.show_story(huge)
    elapsed = time.perf_counter() - started
    file = Path(pane.single_view.url().toLocalFile())
    assert file.stat().st_size > 3_000_000  # above the ~2 MB where setHtml fails silently
    assert loaded.args == [True]
    text = page_text(qtbot, pane.single_view.page())
    assert "The huge story" in text and "The very last paragraph." in text
    print(f"3 MB story page: {file.stat().st_size / 1e6:.1f} MB rendered and loaded in {elapsed:.2f} s")


# --- widths ------------------------------------------------------------------------------------------------


def test_width_presets_set_the_css_width(qtbot, pane: PreviewPane) -> None:
    page = pane.single_view.page()
    for preset in (WidthPreset.PHONE, WidthPreset.TABLET):
        pane.set_width_preset(preset)
        assert pane.width_preset is preset
        assert pane.single_view.width() == preset.width
        qtbot.waitUntil(
            lambda p=preset: inspect(qtbot, page, "window.innerWidth") == p.width, timeout=WAIT_MS
        )
    pane.set_width_preset(WidthPreset.DESKTOP)  # wider than the pane: the pane scrolls sideways
    assert pane.single_view.width() == 1280
    qtbot.waitUntil(lambda: pane._single_area.horizontalScrollBar().maximum() > 0, timeout=WAIT_MS)
    pane.set_width_preset(WidthPreset.FIT)
    qtbot.waitUntil(lambda: pane.single_view.width() == pane._single_area.viewport().width(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: pane._single_area.horizontalScrollBar().maximum() == 0, timeout=WAIT_MS)


def test_side_by_side_shows_three_widths(qtbot, pane: PreviewPane, services: Services) -> None:
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.side_by_side_action.trigger()
    assert pane.side_by_side
    assert len(pane.views) == 3 and all(v.isVisible() for v in pane.views)
    assert not pane.single_view.isVisible()
    title = services.sections.layout(services.section_id()).section.title
    for view, preset in zip(
        pane.views, (WidthPreset.PHONE, WidthPreset.TABLET, WidthPreset.DESKTOP), strict=True
    ):
        assert title in page_text(qtbot, view.page())
        assert view.zoomFactor() < 1.0  # 2,408 CSS pixels do not fit 1,100: all three are scaled alike
        css_width = inspect(qtbot, view.page(), "window.innerWidth")
        assert abs(float(css_width) - preset.width) <= 4, (preset, css_width)
    right = max(v.mapTo(pane, v.rect().topRight()).x() for v in pane.views)
    assert right <= pane.width()
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.set_side_by_side(False)
    assert pane.views == [pane.single_view] and pane.single_view.isVisible()


# --- live updates keep the place ---------------------------------------------------------------------------


def test_live_update_keeps_the_scroll_position(qtbot, pane: PreviewPane, services: Services) -> None:
    story = long_story(services)
    pane.set_mode(PreviewMode.STORY)
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(story)
    page = pane.single_view.page()
    inspect(qtbot, page, "window.scrollTo(0, 3000); window.scrollY")
    qtbot.waitUntil(lambda: abs(page.scrollPosition().y() - 3000) < 1, timeout=WAIT_MS)

    edited = replace(story, body=story.body + "\n\nA paragraph the editor is adding at the end.")
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(edited)
    assert "A paragraph the editor is adding" in page_text(qtbot, page)
    assert abs(page.scrollPosition().y() - 3000) <= 8, page.scrollPosition()

    other = replace(long_story(services), id=story.id + 1000, title="Another story")
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(other)  # another page starts at the top
    assert "Another story" in page_text(qtbot, page)
    qtbot.waitUntil(lambda: page.scrollPosition().y() == 0, timeout=WAIT_MS)


def test_old_content_stays_visible_while_the_update_loads(
    qtbot, pane: PreviewPane, services: Services
) -> None:
    story = long_story(services)
    pane.set_mode(PreviewMode.STORY)
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(story)
    view = pane.single_view
    blank = _blank_fraction(view.grab().toImage())
    assert blank < 0.97
    done: list[bool] = []
    pane.loaded.connect(done.append)
    pane.show_story(replace(story, body=story.body + "\n\nOne more paragraph."))
    pane.refresh()  # render now rather than after the pause
    worst = 0.0
    while not done:
        worst = max(worst, _blank_fraction(view.grab().toImage()))
        qtbot.wait(5)
    # A blank (all-white) frame would read ~1.0; the text shifting a little as it re-rasters does not.
    assert worst < 0.97, f"a blank frame was shown while the new content loaded ({worst:.2f})"


def _blank_fraction(image) -> float:
    white = total = 0
    for x in range(0, image.width(), 17):
        for y in range(0, image.height(), 17):
            colour = image.pixelColor(x, y)
            total += 1
            white += colour.red() > 245 and colour.green() > 245 and colour.blue() > 245
    return white / total


# --- hardening ---------------------------------------------------------------------------------------------


def test_profile_is_off_the_record_and_hardened(pane: PreviewPane) -> None:
    profile = pane.single_view.page().profile()
    assert profile.isOffTheRecord()
    assert profile.parent() is not None and profile.parent().inherits("QCoreApplication")
    assert all(v.page().profile() is profile for v in [pane.single_view, *(f.view for f in pane.frames)])
    settings = profile.settings()
    attribute = QWebEngineSettings.WebAttribute
    for name in (
        "JavascriptEnabled",
        "LocalContentCanAccessRemoteUrls",
        "PluginsEnabled",
        "FullScreenSupportEnabled",
        "ScreenCaptureEnabled",
        "AutoLoadIconsForPage",
        "JavascriptCanOpenWindows",
        "LocalStorageEnabled",
        "NavigateOnDropEnabled",
        "FocusOnNavigationEnabled",
    ):
        assert not settings.testAttribute(getattr(attribute, name)), name
    assert pane.folder.is_relative_to(preview_root())
    assert oct(preview_root().stat().st_mode & 0o777) == "0o700"


def test_hostile_page_runs_no_script_and_fetches_nothing(
    qtbot, pane: PreviewPane, spy_server, tmp_path
) -> None:
    port, received = spy_server
    outside = tmp_path / "outside.png"  # a real image, but outside the preview folder
    outside.write_bytes(_png())
    folder = pane.folder / "hostile"
    folder.mkdir()
    (folder / "inside.png").write_bytes(_png())
    file = folder / "page.html"
    file.write_text(_hostile_html(port, outside), encoding="utf-8")

    page = PreviewPage(pane)  # the same page class and profile the pane uses
    url = QUrl.fromLocalFile(str(file))
    with qtbot.waitSignal(page.loadFinished, timeout=WAIT_MS):
        page.open_file(url)
    qtbot.wait(500)  # give any stray request (meta refresh, lazy image, fetch) time to arrive
    assert received == []
    assert page.title() == "untouched"
    assert page.url() == url  # the meta refresh was refused
    assert inspect(qtbot, page, "document.getElementById('inside').naturalWidth") == 8  # the control
    assert inspect(qtbot, page, "document.getElementById('outside').naturalWidth") == 0
    assert inspect(qtbot, page, "document.getElementById('remote').naturalWidth") == 0
    assert QUrl.fromLocalFile(str(outside)).toString() in preview_interceptor().blocked
    shiboken6.delete(page)


class _QuietPage(QWebEnginePage):
    def javaScriptConsoleMessage(self, *args: object) -> None:  # the page's CORS complaints are expected
        return


def test_the_spy_server_would_see_an_unhardened_page(qtbot, spy_server, tmp_path) -> None:
    """The control for the test above: with script and remote loads allowed, the page reaches the spy."""
    from PySide6.QtWebEngineCore import QWebEngineProfile

    port, received = spy_server
    file = tmp_path / "page.html"
    file.write_text(_hostile_html(port, tmp_path / "none.png"), encoding="utf-8")
    profile = QWebEngineProfile()
    profile.settings().setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
    page = _QuietPage(profile)
    with qtbot.waitSignal(page.loadFinished, timeout=WAIT_MS):
        page.load(QUrl.fromLocalFile(str(file)))
    try:
        qtbot.waitUntil(lambda: len(received) > 0, timeout=WAIT_MS)
    finally:
        shiboken6.delete(page)
        shiboken6.delete(profile)


def test_navigations_are_refused_and_story_links_reported(
    qtbot, pane: PreviewPane, services: Services, spy_server
) -> None:
    port, received = spy_server
    page = pane.single_view.page()
    shown = page.url()
    page.load(QUrl(f"http://127.0.0.1:{port}/elsewhere"))  # not asked for by the pane: refused
    qtbot.wait(300)
    assert page.url() == shown and received == []

    slug = services.sections.layout(services.section_id()).slots[0].story.slug
    with qtbot.waitSignal(pane.story_link_clicked, timeout=WAIT_MS) as clicked:
        inspect(qtbot, page, "document.querySelector('.card-title a').click(); true")
    assert clicked.args == [slug]
    qtbot.wait(200)
    assert page.url() == shown
    assert "Central Asia" in page_text(qtbot, page)
    assert page.createWindow(QWebEnginePage.WebWindowType.WebBrowserTab) is None


def test_screenshots(qtbot, pane: PreviewPane, tmp_path) -> None:
    folder = Path(os.environ.get("CA_EDITOR_SCREENSHOT_DIR", tmp_path))

    def painted() -> bool:  # loadFinished comes before the first paint and before lazy images arrive
        loaded = "Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)"
        return all(
            _blank_fraction(v.grab().toImage()) < 0.9 and inspect(qtbot, v.page(), loaded) for v in pane.views
        )

    qtbot.waitUntil(painted, timeout=WAIT_MS)
    assert pane.grab().save(str(folder / "preview-section.png"))
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.set_side_by_side(True)
    qtbot.waitUntil(painted, timeout=WAIT_MS)
    assert pane.grab().save(str(folder / "preview-side-by-side.png"))
    assert (folder / "preview-side-by-side.png").stat().st_size > 10_000


def test_the_hostile_corpus_runs_nothing_and_fetches_nothing_in_the_preview(
    qtbot, pane: PreviewPane, services: Services, spy_server, xss_vectors
) -> None:
    """Every vector of tests/data/xss-vectors.txt in a story's fields and in the block's overrides, shown in
    the story and the section preview: nothing reaches the spy server and the corpus's marker is never set."""
    port, received = spy_server
    vectors = xss_vectors(port)
    layout = services.sections.layout(services.section_id())
    story = replace(
        layout.slots[0].story,
        title=vectors[0],
        summary=" ".join(vectors[:10]),
        byline=vectors[1][:200],
        body="\n\n".join(f"Vector {n}:\n\n{v}" for n, v in enumerate(vectors)),
    )
    pane.set_mode(PreviewMode.STORY)
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(story)
    qtbot.wait(500)  # time for any stray request to land
    page = pane.single_view.page()
    assert f"Vector {len(vectors) - 1}:" in page_text(qtbot, page)  # the whole body rendered
    assert inspect(qtbot, page, "document.documentElement.id") == ""
    assert (
        inspect(qtbot, page, "document.querySelectorAll('script,iframe,object,embed,svg,form').length") == 0
    )
    slots = tuple(
        replace(slot, overrides=SlotOverrides(vectors[n], vectors[-n - 1]))
        for n, slot in enumerate(layout.slots)
    )
    with qtbot.waitSignal(pane.loaded, timeout=WAIT_MS):
        pane.show_story(None)
        pane.show_section(replace(layout, slots=slots))
    qtbot.wait(500)
    assert inspect(qtbot, page, "document.documentElement.id") == ""
    assert received == []
