"""Desk chiefs in the window: the field of Section › Settings…, and the review window on a shared desk."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.services.container import Services
from ca_editor.ui.desk import Desk
from ca_editor.ui.main_window import MainWindow
from ca_editor.ui.review import ReviewWindow
from ca_editor.ui.section_settings_dialog import SectionSettingsDialog


@pytest.fixture
def window(open_desk: Callable[..., MainWindow], services: Services) -> MainWindow:
    return open_desk(services)


def test_the_settings_form_names_and_keeps_desk_chiefs(window: MainWindow, qtbot: QtBot) -> None:
    services, section_id = window.services, window.desk.section_id
    dialog = SectionSettingsDialog(window.desk, window)
    qtbot.addWidget(dialog)
    assert dialog.chiefs.text() == "" and "no logins" in dialog.chiefs_note.text()  # SQLite: kept only
    dialog.chiefs.setText("sam, aigerim  sam")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert services.people.chiefs(section_id) == ("aigerim", "sam")
    again = SectionSettingsDialog(window.desk, window)
    qtbot.addWidget(again)
    assert again.chiefs.text() == "aigerim, sam"


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_on_a_shared_desk_the_review_window_says_who_may_sign_off_and_refuses_others(
    qtbot: QtBot, services: Services, postgres: PostgresServer
) -> None:
    database = make_url(services.db.url).database or ""
    login = f"dana_{uuid.uuid4().hex[:6]}"
    postgres.admin(f'CREATE ROLE "{login}" LOGIN SUPERUSER')
    section_id = services.section_id()
    services.people.rename("Sam Chief")
    services.people.set_chiefs(section_id, ("ca_admin",))
    dana = open_services(postgres.url(database, user=login))
    try:
        dana.people.adopt("Dana Karimova")
        review = ReviewWindow(Desk(dana, section_id))
        qtbot.addWidget(review)
        review.show()
        qtbot.waitExposed(review)
        said = review.reviewer_label.text()
        assert f"Deciding as Dana Karimova (login {login})" in said
        assert "only the desk chiefs (Sam Chief) can sign off" in said
        QTest.mouseClick(review.approve_button, Qt.MouseButton.LeftButton)
        assert "Nothing was recorded: Only this section's desk chiefs" in review.message.text()
        assert services.review.last_sign_off(section_id) is None
    finally:
        dana.db.dispose()


def test_the_status_bar_names_the_database_login_on_a_shared_desk() -> None:
    from ca_editor.services.identity import Identity
    from ca_editor.ui.identity import signed_in_text

    identity = Identity()
    identity.login = "dana"  # services.people.adopt sets it on PostgreSQL
    assert signed_in_text(identity) == "Signed in as dana"
    identity.set("Dana Karimova")
    assert signed_in_text(identity) == "Signed in as Dana Karimova (database login dana)"
