"""Who is who: on a server the login is recorded (shown by its display name); desk chiefs of a section."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy.engine import make_url
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.domain.errors import NotAllowedError, ValidationError
from ca_editor.domain.model import StoryFields, StoryStatus
from ca_editor.services.container import Services


@pytest.fixture
def colleagues(services: Services, postgres: PostgresServer) -> Iterator[tuple[Services, Services, str, str]]:
    """Two more logins on the test's database (superusers: grants are test_roles_and_grants.py's)."""
    database = make_url(services.db.url).database or ""
    logins = [f"dana_{uuid.uuid4().hex[:6]}", f"sam_{uuid.uuid4().hex[:6]}"]
    for login in logins:
        postgres.admin(f'CREATE ROLE "{login}" LOGIN SUPERUSER')
    dana, sam = (open_services(postgres.url(database, user=login)) for login in logins)
    try:
        yield dana, sam, logins[0], logins[1]
    finally:
        dana.db.dispose()
        sam.db.dispose()


@pytest.mark.postgresql_only
def test_the_login_is_recorded_and_shown_by_the_name_it_gave_once(
    services: Services, colleagues: tuple[Services, Services, str, str]
) -> None:
    dana, sam, dana_login, sam_login = colleagues
    assert dana.people.adopt("Dana Karimova") is None  # the first name given becomes the display name
    assert dana.identity.name == "Dana Karimova" and dana.people.login == dana_login
    note = dana.people.adopt("Somebody Else")  # a later --user renames nobody, and says so
    assert note is not None and dana_login in note and "Dana Karimova" in note
    assert dana.identity.name == "Dana Karimova"

    story = dana.stories.create(StoryFields(title="Wire copy"))
    assert story.updated_by == "Dana Karimova"
    sam.identity.set("I typed a name")  # typing a name does not change what the server records
    story = sam.stories.update(
        story.id, replace(story.fields(), status=StoryStatus.READY), expected_version=story.version
    )
    assert story.updated_by == sam_login  # no display name given yet: the login itself
    sam.people.rename("Sam Chief")
    history = services.stories.status_history(story.id)
    assert [h.changed_by for h in history] == ["Dana Karimova", "Sam Chief"]
    with services.db.read() as session:  # the rows hold logins; names are only shown
        from sqlalchemy import text

        recorded = session.execute(text("SELECT changed_by FROM story_status_changes ORDER BY id")).all()
    assert [r[0] for r in recorded][-2:] == [dana_login, sam_login]


@pytest.mark.postgresql_only
def test_only_a_named_desk_chief_signs_off_on_a_shared_desk(
    services: Services, colleagues: tuple[Services, Services, str, str]
) -> None:
    dana, sam, _, sam_login = colleagues
    section_id = services.section_id()
    sam.people.rename("Sam Chief")
    with pytest.raises(ValidationError, match="no login named 'nobody_here'"):
        services.people.set_chiefs(section_id, (sam_login, "nobody_here"))
    assert services.people.set_chiefs(section_id, (sam_login,)) == (sam_login,)
    assert not dana.people.may_approve(section_id) and sam.people.may_approve(section_id)

    with pytest.raises(NotAllowedError, match=rf"desk chiefs can sign off.*Sam Chief \({sam_login}\)"):
        dana.review.sign_off(section_id, "looks fine to me")
    assert services.review.last_sign_off(section_id) is None  # nothing recorded
    dana.review.send_back(section_id, "slot 2 needs a photo")  # send-back stays open to everyone

    signed = sam.review.sign_off(section_id, "good for tonight")
    assert signed.taken_by == "Sam Chief"
    last = services.review.last_sign_off(section_id)
    assert last is not None and last.by == "Sam Chief"


def test_chiefs_are_kept_on_either_engine_and_enforced_only_on_a_server(services: Services) -> None:
    section_id = services.section_id()
    login = "ca_admin" if services.people.shared else ""
    assert services.people.chiefs(section_id) == ()
    if not services.people.shared:  # a workstation has no logins: the list is kept, not enforced
        services.people.set_chiefs(section_id, ("sam", "dana", "sam"))
        assert services.people.chiefs(section_id) == ("dana", "sam")
        assert services.people.may_approve(section_id)
        assert services.review.sign_off(section_id).kind.value == "sign_off"
    else:
        services.people.set_chiefs(section_id, (login,))
        assert services.people.chiefs(section_id) == (login,) and services.people.may_approve(section_id)
        assert services.review.sign_off(section_id).kind.value == "sign_off"
    services.people.set_chiefs(section_id, ())
    assert services.people.chiefs(section_id) == ()


def test_cli_names_and_unnames_desk_chiefs(services: Services, capsys: pytest.CaptureFixture[str]) -> None:
    from ca_editor import cli

    chief = "ca_admin" if services.people.shared else "sam"  # a login the server knows
    url = services.db.url
    assert cli.main(["--db", url, "section", "set", "central-asia", "--chief", chief]) == 0
    said = capsys.readouterr().out
    assert f"desk chiefs: {chief}" in said and "nothing to change" not in said
    assert services.people.chiefs(services.section_id()) == (chief,)
    assert cli.main(["--db", url, "section", "list"]) == 0
    assert f"desk chiefs {chief}" in capsys.readouterr().out
    assert cli.main(["--db", url, "section", "set", "central-asia", "--no-chief", chief]) == 0
    assert "desk chiefs: none" in capsys.readouterr().out
    assert services.people.chiefs(services.section_id()) == ()


@pytest.mark.postgresql_only
def test_cli_user_names_a_login_once_and_says_so_after(
    services: Services, capsys: pytest.CaptureFixture[str]
) -> None:
    from ca_editor import cli

    url = services.db.url
    assert cli.main(["--db", url, "--user", "Ada Admin", "section", "list"]) == 0
    assert services.people.shown("ca_admin") == "Ada Admin"
    capsys.readouterr()
    assert cli.main(["--db", url, "--user", "Someone Else", "section", "list"]) == 0
    assert "the name 'Someone Else' was not taken" in capsys.readouterr().err
    assert services.people.shown("ca_admin") == "Ada Admin"


def test_the_name_the_window_asks_for_becomes_the_logins_once(services: Services) -> None:
    """ui/launch.py: adopt, ask (ensure_user_name), remember; on SQLite the typed name is simply used."""
    services.people.adopt()
    if not services.people.shared:
        assert services.people.adopt("Typed Name") is None and services.identity.name == "Typed Name"
        return
    assert services.identity.name == "ca_admin" and not services.identity.is_set  # the login stands in
    services.identity.set("Asked At First Start")
    services.people.remember()
    services.identity.set("Another Workstation's Setting")
    services.people.remember()  # a name is already kept for the login: not replaced
    assert services.people.shown("ca_admin") == "Asked At First Start"
    services.people.rename("Renamed On Purpose")  # Edit › Your name…
    assert services.people.shown("ca_admin") == "Renamed On Purpose"


def test_sign_offs_made_before_0015_still_count_after_it(services: Services) -> None:
    """The migration copies every existing sign-off snapshot into ``sign_offs``, so no desk loses its
    approval: signed off, taken back to 0014 (no ``sign_offs``), then upgraded again."""
    from alembic import command

    from ca_editor.persistence.migrate import alembic_config, upgrade

    services.identity.set("Old Chief")  # on a server the login is recorded: ca_admin, no display name
    section_id = services.section_id()
    services.review.sign_off(section_id, "before the upgrade")
    services.db.dispose()
    command.downgrade(alembic_config(services.db.url), "0014_presence")
    upgrade(services.db.url)
    last = services.review.last_sign_off(section_id)
    expected = "ca_admin" if services.people.shared else "Old Chief"
    assert last is not None and last.by == expected and last.note == "before the upgrade"
