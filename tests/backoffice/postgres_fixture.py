"""A private PostgreSQL server for the backoffice tests: one cluster per test session, one database per test.

The session starts its own cluster with Debian's binaries (`initdb` and `pg_ctl` from
/usr/lib/postgresql/<version>/bin, or from PATH) in a temporary directory: trust authentication, a
Unix socket in the same temporary area, TCP only on 127.0.0.1 and a free port, durability off
(fsync, synchronous_commit and full-page writes) because a test database is thrown away. PostgreSQL
refuses to run as root, so as root (CI) the cluster runs as the `postgres` system user; otherwise as
the current user. The database `balie_template` is migrated to head once; every test gets
`CREATE DATABASE … TEMPLATE balie_template` (or an empty database for migration tests), dropped
afterwards. At the end of the session the server is stopped (`pg_ctl stop -m immediate`) and its
directories removed.

Missing binaries fail the test with the fix: `provisioning/setup-debian.sh --test` installs Debian's
`postgresql` and the `psycopg` driver. A developer without PostgreSQL can opt out explicitly with
`BALIE_TEST_POSTGRES=0`: the tests then run on SQLite only.
"""

from __future__ import annotations

import glob
import importlib.util
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import LiteralString

import pytest

OPT_OUT = "BALIE_TEST_POSTGRES"
FIX = "run `provisioning/setup-debian.sh --test` (installs Debian's postgresql and psycopg[binary])"
TEMPLATE = "balie_template"


def postgres_wanted() -> bool:
    """False only when a developer explicitly opted out with BALIE_TEST_POSTGRES=0."""
    return os.environ.get(OPT_OUT, "1").strip().lower() not in ("0", "no", "false", "off")


def _binary_dir() -> Path | None:
    """Where initdb and pg_ctl live: PATH first, then Debian's versioned directories, newest version first."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    candidates = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    candidates.sort(key=lambda p: int(v) if (v := Path(p).parent.parent.name).isdigit() else 0, reverse=True)
    for pg_ctl in candidates:
        directory = Path(pg_ctl).parent
        if (directory / "initdb").exists():
            return directory
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running private cluster; `url(database)` connects as the superuser `postgres` over TCP."""

    port: int
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: LiteralString, *names: str) -> None:
        """Runs one statement outside a transaction (CREATE/DROP DATABASE) in the maintenance database."""
        import psycopg
        from psycopg import sql

        query = sql.SQL(statement).format(*(sql.Identifier(name) for name in names))
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres") as connection:
            connection.autocommit = True
            connection.execute(query)

    def new_database(self, template: str = "template0") -> str:
        name = f"balie_test_{os.getpid()}_{next(self._names)}"
        # FILE_COPY: copies the template's files at once, five times faster here than the default WAL_LOG.
        self.execute("CREATE DATABASE {} TEMPLATE {} STRATEGY file_copy", name, template)
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a pooled connection left behind by a failed test must not keep the database alive.
        self.execute("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


def _as_cluster_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(_as_cluster_owner(command), capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"PostgreSQL {what} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}", pytrace=False)


def start_postgres() -> Iterator[PostgresServer]:
    """Starts the private cluster, yields it, and stops and removes it afterwards (a generator fixture body)."""
    if importlib.util.find_spec("psycopg") is None:
        pytest.fail(f"The backoffice tests need the psycopg driver for PostgreSQL: {FIX}; or set {OPT_OUT}=0.")
    binaries = _binary_dir()
    if binaries is None:
        pytest.fail(f"The backoffice tests need PostgreSQL (initdb, pg_ctl): {FIX}; or set {OPT_OUT}=0.")
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(f"Running as root, the tests start PostgreSQL as the `postgres` user, which is missing: {FIX}.")

    # Short paths under /tmp (not pytest's 0700 tmp dirs): the `postgres` user must reach them, and a
    # Unix socket path must stay under ~100 bytes.
    root = Path(tempfile.mkdtemp(prefix="balie-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        for path in (root, sockets):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    started = False
    try:
        _run(
            [str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            "initdb",
        )  # fmt: skip
        for _attempt in range(3):
            port = _free_port()
            options = (
                f"-k {sockets} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=50"
            )
            command = [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "60"]
            done = subprocess.run(
                _as_cluster_owner([*command, "-o", options, "start"]),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            if done.returncode == 0:
                started = True
                break
        if not started:
            log = (root / "server.log").read_text(errors="replace") if (root / "server.log").exists() else ""
            pytest.fail(f"PostgreSQL did not start:\n{done.stdout}\n{done.stderr}\n{log}", pytrace=False)
        yield PostgresServer(port=port)
    finally:
        if started:
            subprocess.run(
                _as_cluster_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=60,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
