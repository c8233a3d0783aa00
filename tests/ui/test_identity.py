"""The user's name: asked on the first start, remembered in the settings, changed from the Edit menu."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ca_editor.services.container import Services
from ca_editor.services.identity import Identity
from ca_editor.ui import launch
from ca_editor.ui.identity import NameDialog, change_user_name, ensure_user_name
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture(autouse=True)
def _login_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CA_EDITOR_USER", "dkarimova")  # what the login name stands in as


class NameAnswerer:
    """Answer the next name dialog: type ``text`` and press 'Use this name' (None: cancel)."""

    def __init__(self) -> None:
        self.prefilled: list[str] = []
        self.titles: list[str] = []

    def answer(self, text: str | None) -> None:
        def press() -> None:
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, NameDialog):
                QTimer.singleShot(10, press)
                return
            self.prefilled.append(dialog.name_edit.text())
            self.titles.append(dialog.windowTitle())
            if text is None:
                dialog.reject()
                return
            dialog.name_edit.setText(text)
            dialog.ok_button.click()

        QTimer.singleShot(0, press)


@pytest.fixture
def answers(qapp: QApplication) -> NameAnswerer:
    return NameAnswerer()


def _never_asked(*_args: object) -> str:
    raise AssertionError("asked for the name again")


def test_the_first_start_asks_and_remembers_and_the_next_does_not(
    settings: Settings, answers: NameAnswerer, tmp_path: Path
) -> None:
    identity = Identity()
    answers.answer("  Dana   Karimova ")
    assert ensure_user_name(identity, settings)
    assert answers.prefilled == ["dkarimova"] and answers.titles == ["Welcome to ca-editor"]
    assert identity.is_set and identity.name == "Dana Karimova"
    assert settings.user_name == "Dana Karimova"

    later = Identity()
    assert not ensure_user_name(later, Settings(settings.store), ask=_never_asked)
    assert later.name == "Dana Karimova"
    assert _read_in_fresh_process(tmp_path / "settings.ini") == "Dana Karimova"


def test_declining_keeps_the_login_name_for_now_and_asks_again_next_time(
    settings: Settings, answers: NameAnswerer
) -> None:
    identity = Identity()
    answers.answer(None)
    assert ensure_user_name(identity, settings)
    assert not identity.is_set and identity.name == "dkarimova"  # the login name stands in
    assert settings.user_name == ""
    answers.answer("Dana K.")
    assert ensure_user_name(Identity(), settings)
    assert settings.user_name == "Dana K."


def test_a_name_given_on_the_command_line_is_used_and_not_remembered(settings: Settings) -> None:
    identity = Identity("Night editor")
    assert not ensure_user_name(identity, settings, ask=_never_asked)
    assert identity.name == "Night editor" and settings.user_name == ""


def test_a_blank_saved_name_counts_as_none(settings: Settings, answers: NameAnswerer) -> None:
    settings.user_name = "   "
    answers.answer("Aigerim")
    assert ensure_user_name(Identity(), settings)


def test_the_dialog_refuses_a_blank_name_and_explains_why(qtbot: QtBot) -> None:
    dialog = NameDialog(current="dkarimova", first_run=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "recorded with every save, status change and sign-off" in dialog.why.text()
    assert dialog.name_edit.text() == "dkarimova"
    assert dialog.ok_button.isEnabled()
    dialog.name_edit.setText("  \t ")
    assert not dialog.ok_button.isEnabled()
    dialog.accept()  # Enter pressed in the blank field
    assert dialog.isVisible() and dialog.result() != NameDialog.DialogCode.Accepted
    assert dialog.message.isVisible() and "blank" in dialog.message.text()
    dialog.name_edit.setText("Dana")
    assert dialog.ok_button.isEnabled() and not dialog.message.isVisible()


def test_launch_asks_before_the_window_opens_on_the_first_run_only(
    services: Services, answers: NameAnswerer, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows: list[MainWindow] = []

    class Recorded(MainWindow):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            windows.append(self)
            self.editor.maybe_leave = lambda: True  # type: ignore[method-assign]

    monkeypatch.setattr(launch, "MainWindow", Recorded)
    monkeypatch.setattr(QApplication, "exec", staticmethod(lambda: 0))  # return at once, window open
    answers.answer("Dana K.")
    assert launch.run(services) == 0
    assert services.identity.name == "Dana K." and Settings().user_name == "Dana K."
    assert windows[0].signed_in.text() == "Signed in as Dana K."
    windows[0].close()

    services.identity.set("")  # the next start, same settings
    asked: list[bool] = []
    monkeypatch.setattr(launch, "ensure_user_name", _recording_ensure(asked))
    assert launch.run(services) == 0
    assert asked == [False] and services.identity.name == "Dana K."
    windows[1].close()


def _recording_ensure(asked: list[bool]):  # type: ignore[no-untyped-def]
    def ensure(identity: Identity, settings: Settings) -> bool:
        asked.append(ensure_user_name(identity, settings, ask=_never_asked))
        return asked[-1]

    return ensure


@pytest.fixture
def window(open_desk: Callable[..., MainWindow], services: Services, settings: Settings) -> MainWindow:
    return open_desk(services, settings)


def test_your_name_in_the_edit_menu_changes_it(
    window: MainWindow, services: Services, settings: Settings, answers: NameAnswerer
) -> None:
    assert window.signed_in.text().startswith("Signed in as dkarimova (login name")
    edit_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    assert window.name_action in edit_menu.actions()
    answers.answer("Timur Bekov")
    window.name_action.trigger()
    assert answers.prefilled == ["dkarimova"] and answers.titles == ["Your name"]
    assert services.identity.name == "Timur Bekov" and settings.user_name == "Timur Bekov"
    assert window.signed_in.text() == "Signed in as Timur Bekov"
    story = services.stories.list()[0]
    full = services.stories.get(story.id)
    saved = window.desk.update_story(full, full.fields())
    assert saved.updated_by == "Timur Bekov"


def test_cancelling_a_change_keeps_the_name(settings: Settings, answers: NameAnswerer) -> None:
    identity = Identity("Dana K.")
    answers.answer(None)
    assert not change_user_name(identity, settings)
    assert identity.name == "Dana K." and settings.user_name == ""


def _read_in_fresh_process(ini: Path) -> str:
    script = (
        "import sys; from PySide6.QtCore import QSettings; from ca_editor.ui.settings import Settings; "
        "print(Settings(QSettings(sys.argv[1], QSettings.Format.IniFormat)).user_name)"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", script, str(ini)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
