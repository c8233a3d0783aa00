"""No secret leaks, and libpq's own ways to connect work (issue 14, item 12).

A role with a real password (scram-sha-256 for it alone in the test cluster's ``pg_hba.conf``): its password
never appears in what a command prints, in the exported bundle, or in the messages of a failed connection.
``PGPASSFILE``, ``PGSERVICE`` (and a service file) and ``sslmode`` reach libpq through the URL or the
environment as they do for ``psql``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.postgres_server import PostgresServer

pytestmark = pytest.mark.postgresql_only

ROLE, PASSWORD = "ca_secret_keeper", "S3cret-Do-Not-Show-77"


@pytest.fixture(scope="module")
def password_role(postgres: PostgresServer) -> Iterator[str]:
    """A login role that must give its password (scram), and a database of its own; the database name."""
    hba = postgres.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text(f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n" + original)
    postgres.admin("SET password_encryption = 'scram-sha-256'")
    postgres.admin(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
    postgres.admin(f"CREATE DATABASE {ROLE}_desk OWNER {ROLE}")
    postgres.admin("SELECT pg_reload_conf()")
    try:
        yield f"{ROLE}_desk"
    finally:
        hba.write_text(original)
        postgres.admin("SELECT pg_reload_conf()")


def ca_editor(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ca_editor", *argv],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_the_password_is_in_no_output_and_no_bundle_file(
    postgres: PostgresServer, password_role: str, tmp_path: Path
) -> None:
    url = f"postgresql://{ROLE}:{PASSWORD}@127.0.0.1:{postgres.port}/{password_role}"
    out = tmp_path / "bundle"
    runs = [
        ca_editor("--db", url, "migrate"),
        ca_editor("section", "list", "--db", url),
        ca_editor("check", "--db", url),
        ca_editor("export", str(out), "--db", url),
    ]
    for run in runs:
        assert run.returncode in (0, 1), run.stderr  # check exits 1 on checklist errors
        assert PASSWORD not in run.stdout + run.stderr
        assert "Traceback" not in run.stderr
    assert f"{ROLE}:***@" in runs[0].stdout  # the address is shown, its password masked
    files = [path for path in out.rglob("*") if path.is_file()]
    assert len(files) > 10
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), path


def test_a_wrong_password_or_a_closed_port_is_one_clear_line_without_the_password(
    postgres: PostgresServer, password_role: str
) -> None:
    wrong = ca_editor(
        "section", "list", "--db", f"postgresql://{ROLE}:x{PASSWORD}@127.0.0.1:{postgres.port}/x"
    )
    closed = ca_editor(
        "section", "list", "--db", f"postgresql://{ROLE}:{PASSWORD}@127.0.0.1:1/{password_role}"
    )
    for run in (wrong, closed):
        assert run.returncode != 0
        assert PASSWORD not in run.stdout + run.stderr
        assert "Traceback" not in run.stderr
        assert "cannot open the database" in run.stderr
    assert "password authentication failed" in wrong.stderr
    assert "Connection refused" in closed.stderr or "connection" in closed.stderr.lower()


def test_pgpassfile_gives_the_password(postgres: PostgresServer, password_role: str, tmp_path: Path) -> None:
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{postgres.port}:*:{ROLE}:{PASSWORD}\n")
    passfile.chmod(0o600)  # libpq ignores a password file others can read
    url = f"postgresql://{ROLE}@127.0.0.1:{postgres.port}/{password_role}"
    without = ca_editor("section", "list", "--db", url, env={"PGPASSFILE": str(tmp_path / "none")})
    assert without.returncode != 0 and "password" in without.stderr.lower()
    with_file = ca_editor("section", "list", "--db", url, env={"PGPASSFILE": str(passfile)})
    assert with_file.returncode == 0, with_file.stderr
    assert "central-asia" in with_file.stdout


def test_a_service_file_names_the_desk(postgres: PostgresServer, password_role: str, tmp_path: Path) -> None:
    services = tmp_path / "pg_service.conf"
    services.write_text(
        f"[desk]\nhost=127.0.0.1\nport={postgres.port}\nuser={ROLE}\ndbname={password_role}\n"
        f"password={PASSWORD}\n"
    )
    env = {"PGSERVICEFILE": str(services)}
    in_url = ca_editor("section", "list", "--db", "postgresql:///?service=desk", env=env)
    assert in_url.returncode == 0, in_url.stderr
    assert "central-asia" in in_url.stdout
    from_env = ca_editor("section", "list", "--db", "postgresql://", env={**env, "PGSERVICE": "desk"})
    assert from_env.returncode == 0, from_env.stderr
    assert PASSWORD not in in_url.stdout + from_env.stdout + in_url.stderr + from_env.stderr


def test_sslmode_reaches_libpq(postgres: PostgresServer, password_role: str) -> None:
    base = f"postgresql://{ROLE}:{PASSWORD}@127.0.0.1:{postgres.port}/{password_role}"
    plain = ca_editor("section", "list", "--db", base + "?sslmode=disable")
    assert plain.returncode == 0, plain.stderr
    required = ca_editor("section", "list", "--db", base + "?sslmode=require")  # the test server has no TLS
    assert required.returncode != 0
    assert "SSL" in required.stderr and "Traceback" not in required.stderr
    assert PASSWORD not in required.stderr
