"""The printable review sheet: what the PDF says (read back with QtPdf), how it grows, how it fails."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QColor, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from tests import layout_steps

from ca_editor.domain.checklist import CheckReport, Finding, Severity
from ca_editor.domain.model import SlotOverrides
from ca_editor.domain.snapshots import SnapshotKind
from ca_editor.services.container import Services
from ca_editor.ui import sheet as sheet_module
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings
from ca_editor.ui.sheet import (
    ReviewSheetError,
    default_file_name,
    gather,
    render_pdf,
    save_pdf,
    write_review_sheet,
)
from ca_editor.ui.sheet.flow import ReviewSheetFlow
from ca_editor.ui.sheet.paper import MARGIN_MM

CYRILLIC_HEADLINE = "Токаев ратифицировал договор о союзнических отношениях с Узбекистаном"
FINDINGS = (
    Finding(
        "unapproved", Severity.ERROR, "the story is a draft; approve it or take it out", slot=2, story_id=1
    ),
    Finding("missing_alt", Severity.WARNING, "the image has no alt text for screen readers", slot=5),
    Finding("undated", Severity.WARNING, "an archive story has no publication date", story_id=9),
)


class Pdf:
    """A PDF read back the way a person's viewer would: page count, text per page, a rendered page."""

    def __init__(self, path: Path) -> None:
        self.document = QPdfDocument()
        self.document.load(str(path))
        assert self.document.status() == QPdfDocument.Status.Ready, self.document.error()
        self.pages = [self.document.getAllText(i).text() for i in range(self.document.pageCount())]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def contains(self, words: str) -> bool:
        """Whether ``words`` appear, wherever the sheet broke its lines."""
        return "".join(words.split()) in "".join(self.text.split())

    def count(self, words: str) -> int:
        return "".join(self.text.split()).count("".join(words.split()))

    def render(self, page: int, width: int = 620) -> QImage:
        size = self.document.pagePointSize(page)
        return self.document.render(page, QSize(width, round(width * size.height() / size.width())))


def read(path: Path) -> Pdf:
    return Pdf(path)


@pytest.fixture
def sid(services: Services) -> int:
    return services.section_id()


def test_the_sheet_shows_slots_overrides_findings_and_the_sign_off(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    services.identity.set("Dana Desk")
    services.snapshots.take(sid, SnapshotKind.SIGN_OFF, "Fine by me; Xi on top tomorrow.")
    layout = services.sections.layout(sid)
    layout_steps.set_overrides(services, sid, layout.slots[1].id, SlotOverrides(headline=CYRILLIC_HEADLINE))
    layout_steps.remove(services, sid, layout.slots[-1].id)  # slot 8 is empty now
    layout = services.sections.layout(sid)

    out = write_review_sheet(services, sid, tmp_path / "sheet.pdf", CheckReport(FINDINGS))

    assert out == tmp_path / "sheet.pdf"
    pdf = read(out)
    assert pdf.contains("Central Asia")
    assert pdf.contains("Review sheet")
    assert pdf.contains("Printed by Dana Desk")
    assert pdf.contains(str(services.db.display_name))
    for slot in layout.slots:
        assert pdf.contains(slot.headline), slot.headline
        assert pdf.contains(slot.story.slug)
    assert pdf.contains(CYRILLIC_HEADLINE)  # Cyrillic comes out as text, not as boxes
    assert pdf.contains("✎ Headline edited for this page")
    assert pdf.count("edited for this page") == 1  # only the slot that has an override
    assert pdf.contains(f"Story's own headline: {layout.slots[1].story.title}")
    assert pdf.contains("8 Empty — nothing is placed in this slot")
    # The checklist: counts, each finding with its slot, archive findings under their own heading.
    assert pdf.contains("1 error and 2 warnings")
    assert pdf.contains("ERROR Slot 2 The story is a draft; approve it or take it out")
    assert pdf.contains("WARNING Slot 5 The image has no alt text for screen readers")
    assert pdf.contains("Other stories in the export (1)")
    assert pdf.contains("WARNING Archive An archive story has no publication date")
    assert pdf.contains("⚠ 1 error in the checklist below")  # on slot 2's row
    # The sign-off: who, the note, that the layout changed since, and a line to sign.
    assert pdf.contains("Signed off by Dana Desk at")
    assert pdf.contains("“Fine by me; Xi on top tomorrow.”")
    assert pdf.contains("The layout changed since that sign-off")
    assert pdf.contains("Approved by")
    assert pdf.contains("Date")
    assert pdf.contains("Signature")
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages, start=1):
        assert f"Page {number} of {total}" in page
    assert pdf.document.metaData(QPdfDocument.MetaDataField.Title) == "Central Asia — review sheet"


def test_a_clean_checklist_and_no_sign_off_say_so(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    pdf = read(write_review_sheet(services, sid, tmp_path / "sheet.pdf", CheckReport()))
    assert pdf.contains("No problems found")
    assert "ERROR" not in pdf.text and "WARNING" not in pdf.text
    assert pdf.contains("Not signed off yet")
    assert "Signed off by" not in pdf.text
    assert "edited for this page" not in pdf.text


def test_an_unchanged_sign_off_is_reported_as_unchanged(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    services.snapshots.take(sid, SnapshotKind.SIGN_OFF, "")
    pdf = read(write_review_sheet(services, sid, tmp_path / "sheet.pdf", CheckReport()))
    assert pdf.contains("The layout is unchanged since")
    assert "changed since that sign-off" not in pdf.text


def test_without_a_report_the_sheet_runs_the_checklist(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    layout = services.sections.layout(sid)
    layout_steps.remove(services, sid, layout.slots[-1].id)
    expected = services.checks.run(sid)
    assert any(f.slot == 8 for f in expected.errors)  # the empty slot

    pdf = read(write_review_sheet(services, sid, tmp_path / "sheet.pdf"))

    for finding in expected.findings:
        if finding.slot is not None:
            assert pdf.contains(finding.message[1:]), finding  # (its first letter is capitalised)
    assert pdf.contains("ERROR Slot 8")


def test_long_content_adds_pages_and_every_page_is_numbered(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    short = read(write_review_sheet(services, sid, tmp_path / "short.pdf", CheckReport(FINDINGS)))
    many = tuple(
        Finding(
            "sanitised",
            Severity.WARNING,
            f"finding {i}: " + "the cleaner removes some text " * 12,
            slot=1 + i % 8,
        )
        for i in range(60)
    )
    long = read(write_review_sheet(services, sid, tmp_path / "long.pdf", CheckReport(many)))

    assert len(long.pages) > len(short.pages) + 2
    for number, page in enumerate(long.pages, start=1):
        assert f"Page {number} of {len(long.pages)}" in page
        assert "review sheet" in page  # the footer, on every page
    assert "Signature" in long.pages[-1]  # the sign-off comes last
    for i in range(60):
        assert long.contains(f"Finding {i}:")  # (capitalised on its own line)


def test_archive_warnings_are_listed_up_to_a_limit_and_counted(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    archive = tuple(
        Finding("undated", Severity.WARNING, f"story number {i} has no date", story_id=i) for i in range(40)
    )
    pdf = read(write_review_sheet(services, sid, tmp_path / "sheet.pdf", CheckReport(archive)))
    assert pdf.contains("Other stories in the export (40)")
    assert pdf.contains("Story number 11 has no date")
    assert not pdf.contains("Story number 12 has no date")
    assert pdf.contains("… and 28 more warnings about other stories")


def test_hostile_text_wraps_or_elides_and_never_leaves_the_text_column(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    layout = services.sections.layout(sid)
    zalgo = "Zalgơ̸̢̛̖̗̘̙̜̝̞̟̠ текст " * 90
    layout_steps.set_overrides(
        services, sid, layout.slots[0].id, SlotOverrides(headline="W" * 300, summary=zalgo[:2000])
    )
    layout_steps.set_overrides(
        services, sid, layout.slots[1].id, SlotOverrides(headline="\u202eReversed headline עברית " + "x" * 40)
    )
    hostile = Finding("x", Severity.ERROR, "Q" * 1500, slot=1)
    pdf = read(write_review_sheet(services, sid, tmp_path / "sheet.pdf", CheckReport((hostile,))))

    assert pdf.contains("W" * 60)  # the unbroken headline wrapped at any character...
    assert "W" * 300 not in "".join(pdf.text.split())  # ... and the rest was elided
    assert "…" in pdf.pages[0]
    for page in range(len(pdf.pages)):
        image = pdf.render(page)
        margin = round(image.width() * (MARGIN_MM - 1) / 210)
        for x in [*range(margin), *range(image.width() - margin, image.width())]:
            for y in range(0, image.height(), 3):
                assert image.pixelColor(x, y) == QColor("white"), (page, x, y)


def test_thumbnails_are_embedded_and_a_missing_image_is_said(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    sheet = gather(services, sid, CheckReport())
    distinct = {slot.image.asset.sha256 for slot in sheet.layout.slots if slot.image}
    assert distinct and set(sheet.images) == distinct

    data = render_pdf(sheet)
    assert data.count(b"/Subtype /Image") == len(distinct)
    assert len(data) < 2_000_000  # thumbnails are downscaled, not the originals

    (tmp_path / "missing.pdf").write_bytes(render_pdf(replace(sheet, images={})))
    pdf = read(tmp_path / "missing.pdf")
    assert pdf.count("image missing from the database") == len(sheet.layout.slots)


def test_the_thumbnail_is_drawn_on_the_page(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    with_images = read(write_review_sheet(services, sid, tmp_path / "a.pdf", CheckReport())).render(0)
    sheet = gather(services, sid, CheckReport())
    (tmp_path / "b.pdf").write_bytes(render_pdf(replace(sheet, images={})))
    without = read(tmp_path / "b.pdf").render(0)

    def coloured(image: QImage) -> int:
        return sum(
            1
            for x in range(0, image.width(), 4)
            for y in range(0, image.height(), 4)
            if image.pixelColor(x, y).hsvSaturation() > 80
        )

    assert coloured(with_images) > 20 * max(coloured(without), 1)


def test_an_unwritable_path_is_refused_clearly_and_writes_nothing(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    folder = tmp_path / "out"  # (the database lives in tmp_path)
    folder.mkdir()
    blocker = folder / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(ReviewSheetError, match="does not exist"):
        write_review_sheet(services, sid, blocker / "sheet.pdf", CheckReport())
    with pytest.raises(ReviewSheetError, match="is a folder"):
        write_review_sheet(services, sid, folder, CheckReport())
    assert sorted(p.name for p in folder.iterdir()) == ["not-a-folder"]


def test_a_failure_while_drawing_or_writing_leaves_the_previous_file(
    qapp: object, services: Services, sid: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "out"  # (the database lives in tmp_path)
    folder.mkdir()
    target = folder / "sheet.pdf"
    target.write_bytes(b"%PDF- the sheet printed yesterday")
    target.chmod(0o640)

    def broken_render(_sheet: object) -> bytes:
        raise ReviewSheetError("Qt could not start a PDF document")

    monkeypatch.setattr(sheet_module, "render_pdf", broken_render)
    with pytest.raises(ReviewSheetError):
        write_review_sheet(services, sid, target, CheckReport())
    monkeypatch.undo()

    def full_disk(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(ReviewSheetError, match="no space left on device"):
        write_review_sheet(services, sid, target, CheckReport())
    monkeypatch.undo()

    assert target.read_bytes() == b"%PDF- the sheet printed yesterday"
    assert [p.name for p in folder.iterdir()] == ["sheet.pdf"]  # no half-written temporary file

    new = write_review_sheet(services, sid, target, CheckReport())
    assert new.read_bytes().startswith(b"%PDF-1.")
    assert new.stat().st_mode & 0o777 == 0o640  # replacing a file keeps its permissions
    assert [p.name for p in folder.iterdir()] == ["sheet.pdf"]


def test_a_new_file_gets_ordinary_permissions(
    qapp: object, services: Services, sid: int, tmp_path: Path
) -> None:
    umask = os.umask(0o022)
    try:
        save_pdf(b"%PDF-1.4\n", tmp_path / "a.pdf")
    finally:
        os.umask(umask)
    assert (tmp_path / "a.pdf").stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600


def test_default_file_name() -> None:
    from ca_editor.domain.model import Section, SectionLayout

    layout = SectionLayout(Section(1, "central-asia", "Central Asia", "", 8), ())
    local_noon = datetime(2026, 11, 27, 12, 0).astimezone()
    assert default_file_name(layout, local_noon) == "central-asia-review-2026-11-27.pdf"


# --- from the window -------------------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, services: Services, tmp_path: Path) -> Iterator[MainWindow]:
    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(services, settings)
    window.editor.maybe_leave = lambda: True  # type: ignore[method-assign]
    qtbot.addWidget(window)
    yield window


def test_file_menu_prints_the_review_sheet(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def save_dialog(_flow: object, suggested: str) -> str:
        asked.append(suggested)
        return str(tmp_path / "for-the-chief")  # typed without ".pdf" (a dialog that added no suffix)

    shown: list[QMessageBox] = []
    monkeypatch.setattr(ReviewSheetFlow, "choose_path", save_dialog)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    file_menu = window.menuBar().actions()[0].menu()
    assert window.review_sheet_action in file_menu.actions()
    assert window.review_sheet_action.text() == "&Print review sheet…"

    window.review_sheet_action.trigger()

    assert Path(asked[0]).name.startswith("central-asia-review-")
    assert Path(asked[0]).suffix == ".pdf"
    written = tmp_path / "for-the-chief.pdf"
    assert read(written).contains("Central Asia")
    assert len(shown) == 1 and "for-the-chief.pdf" in shown[0].text()
    assert "Open folder" in [b.text() for b in shown[0].buttons()]


def test_a_failed_print_from_the_window_says_why(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "missing-folder" / "sheet.pdf"
    monkeypatch.setattr(ReviewSheetFlow, "choose_path", lambda _flow, _suggested: str(target))
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)

    flow = window.print_review_sheet()

    assert flow is not None and flow.outcome == "failed"
    assert "does not exist" in shown[0].text()
    assert "No file was written" in shown[0].informativeText()
    assert not target.parent.exists()


def test_cancelling_the_save_dialog_writes_nothing(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ReviewSheetFlow, "choose_path", lambda _flow, _suggested: "")
    flow = window.print_review_sheet()
    assert flow is not None and flow.outcome == "cancelled"
    assert not list(tmp_path.glob("*.pdf"))
