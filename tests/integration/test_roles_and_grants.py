"""README "Roles and grants", run as written against a real server: an editor edits but cannot sign off.

The statements are read from README.md (never copied here), so the README is what is tested. Roles are
cluster-wide: the test drops them again at the end, and before, should an earlier run have left them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from tests import layout_steps
from tests.postgres_server import PostgresServer

from ca_editor.app import open_services
from ca_editor.domain.errors import NotAllowedError
from ca_editor.services.container import Services

README = Path(__file__).resolve().parents[2] / "README.md"
ROLES = ("dana", "sam", "desk_chief", "desk_editor")  # logins first: they are members of the groups


def readme_grants() -> str:
    """The SQL block of the README's "Roles and grants" section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## Roles and grants\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```sql\n(.*?)```", section, re.DOTALL)
    assert found, "README's Roles and grants section has no ```sql block"
    return found.group(1)


def _drop_roles(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        present = {row[0] for row in connection.execute("SELECT rolname FROM pg_roles")}
        for role in (r for r in ROLES if r in present):
            connection.execute(f'DROP OWNED BY "{role}"')  # type: ignore[arg-type]
            connection.execute(f'DROP ROLE "{role}"')  # type: ignore[arg-type]


@pytest.fixture
def granted(services: Services, postgres: PostgresServer) -> Iterator[str]:
    """The README's statements run on the test's database by its owner; the database's name."""
    url = make_url(services.db.url).set(drivername="postgresql").render_as_string(hide_password=False)
    _drop_roles(url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(readme_grants())  # type: ignore[arg-type]
    try:
        yield make_url(url).database or ""
    finally:
        _drop_roles(url)


def test_the_readme_grants_run_and_name_the_two_roles() -> None:
    sql = readme_grants()
    assert "CREATE ROLE desk_editor" in sql and "CREATE ROLE desk_chief" in sql
    assert "sign_offs" in sql


@pytest.mark.postgresql_only
def test_an_editor_edits_stories_and_the_layout_but_cannot_sign_off(
    services: Services, postgres: PostgresServer, granted: str
) -> None:
    section_id = services.section_id()
    dana = open_services(postgres.url(granted, user="dana"))
    sam = open_services(postgres.url(granted, user="sam"))
    try:
        assert dana.people.login == "dana"
        assert dana.people.adopt("Dana Karimova") is None and sam.people.adopt("Sam Chief") is None
        story = dana.sections.layout(section_id).slots[0].story
        edited = dana.stories.update(
            story.id, replace(story.fields(), title="Edited by the desk"), expected_version=story.version
        )
        assert edited.updated_by == "Dana Karimova"
        layout = dana.sections.layout(section_id)
        moved = layout_steps.move(dana, section_id, layout.slots[0].id, 3)
        assert moved.section.updated_by == "Dana Karimova"
        dana.review.send_back(section_id, "slot 3 needs a photo")

        with pytest.raises(NotAllowedError, match="may read and edit but not sign off") as refused:
            dana.review.sign_off(section_id, "fine by me")
        assert "permission" not in str(refused.value).lower()  # a sentence, not the driver's text
        assert services.review.last_sign_off(section_id) is None
        with pytest.raises(NotAllowedError, match="may not name desk chiefs"):
            dana.people.set_chiefs(section_id, ("dana",))

        with (
            psycopg.connect(postgres.url(granted, user="dana"), autocommit=True) as connection,
            pytest.raises(psycopg.errors.InsufficientPrivilege),  # past the app, too
        ):
            connection.execute("INSERT INTO sign_offs (snapshot_id, signed_by) VALUES (1, 'dana')")

        with psycopg.connect(postgres.url(granted, user="dana"), autocommit=True) as connection:
            renamed = connection.execute("UPDATE people SET display_name = 'Impostor' WHERE login = 'sam'")
            assert renamed.rowcount == 0  # only her own name is hers to set
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute("INSERT INTO people (login, display_name) VALUES ('ghost', 'Sam Chief')")

        signed = sam.review.sign_off(section_id, "good for tonight")
        assert signed.taken_by == "Sam Chief"
        last = services.review.last_sign_off(section_id)
        assert last is not None and last.by == "Sam Chief"
        assert services.stories.get(story.id).updated_by == "Dana Karimova"
    finally:
        dana.db.dispose()
        sam.db.dispose()
