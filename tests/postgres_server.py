"""A real PostgreSQL server for the tests: Debian's package, a cluster in a temporary folder, no Docker.

``PostgresServer.start(folder)`` runs ``initdb`` and ``pg_ctl`` from ``/usr/lib/postgresql/<N>/bin``
(or ``$PATH``). PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres``
system user (the package creates it) and every server command runs through ``runuser``. The server listens
on 127.0.0.1 at a free port with ``trust`` authentication for the test roles; ``fsync`` is off (a test
cluster is thrown away). ``database()`` hands out a fresh empty database per test.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ADMIN = "ca_admin"  # the superuser of the test cluster
ENGINES = ("sqlite", "postgresql")  # what the engine fixture runs a database test on


def server_binaries() -> Path | None:
    """The folder of the newest installed server's programs, or None when no server is installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    folder: Path
    port: int
    binaries: Path
    _as_user: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, folder: Path) -> PostgresServer:
        binaries = server_binaries()
        if binaries is None:
            raise RuntimeError(
                "PostgreSQL is not installed: `make test` installs Debian's postgresql package"
            )
        as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
            folder.mkdir(parents=True, exist_ok=True)
            for part in [folder, *folder.parents]:  # the server must reach its folder
                if part == Path("/"):
                    break
                with contextlib.suppress(OSError):
                    part.chmod(part.stat().st_mode | 0o011)
            os.chown(folder, account.pw_uid, account.pw_gid)
        server = cls(folder=folder, port=_free_port(), binaries=binaries, _as_user=as_user)
        server._init_and_run()
        return server

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._as_user, *command],
            capture_output=True,
            text=True,
            check=False,
            cwd=self.folder,
            timeout=120,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr or result.stdout}")

    def _init_and_run(self) -> None:
        self._run(
            str(self.binaries / "initdb"),
            "-D",
            str(self.data),
            "-U",
            ADMIN,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        )
        self.restart()

    def url(self, database: str = "postgres", user: str = ADMIN) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement as the superuser, outside a transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]

    def database(self, template: str = "template1") -> str:
        """A new database, a copy of ``template`` (an empty one by default); its URL."""
        name = "t_" + uuid.uuid4().hex[:12]
        self.admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run(str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        """Start again after ``stop`` (same folder, same port)."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            str(self.binaries / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
