"""Fixtures: a backoffice migrated to head, on SQLite and on a real PostgreSQL, with a clock the tests move by hand.

Every test that uses `database_url` (or `backoffice`, or `empty_database_url`) runs twice: `[sqlite]` on a
temporary file and `[postgresql]` on a fresh database in a private server (see postgres_fixture.py).
`@pytest.mark.sqlite_only` keeps a test that looks at SQLite itself (pragmas, the file's bytes) to the first.
`BALIE_TEST_POSTGRES=0` runs everything on SQLite only, for a developer without PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backoffice_harness import Backoffice, UtcClock
from fastapi.testclient import TestClient
from postgres_fixture import TEMPLATE, PostgresServer, postgres_wanted, start_postgres

from backoffice.app import create_app
from backoffice.migrate import upgrade_to_head
from backoffice.settings import Settings

BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: the test checks SQLite itself; it does not run on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_backend" not in metafunc.fixturenames:
        return
    only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None or not postgres_wanted()
    metafunc.parametrize("db_backend", ["sqlite"] if only_sqlite else list(BACKENDS), indirect=True)


@pytest.fixture
def db_backend(request: pytest.FixtureRequest) -> str:
    """The backend name, sqlite or postgresql: parametrized by pytest_generate_tests above."""
    backend: str = request.param
    return backend


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    yield from start_postgres()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """A database migrated to head once per session; each test's database is a copy of it."""
    postgres_server.execute("CREATE DATABASE {}", TEMPLATE)
    upgrade_to_head(postgres_server.url(TEMPLATE))
    return TEMPLATE


def _postgres_database(request: pytest.FixtureRequest, template: str) -> Iterator[str]:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.new_database(template)
    try:
        yield server.url(name)
    finally:
        server.drop_database(name)


@pytest.fixture
def empty_database_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database with no tables at all, for the migration tests."""
    if db_backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from _postgres_database(request, "template0")


@pytest.fixture
def database_url(db_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database migrated to head."""
    if db_backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'balie.db'}"
        upgrade_to_head(url)
        yield url
    else:
        yield from _postgres_database(request, request.getfixturevalue("postgres_template"))


@pytest.fixture
def backoffice(database_url: str) -> Iterator[Backoffice]:
    clock = UtcClock()
    settings = Settings(database_url=database_url, secret_key=b"test secret, not for production", clock=clock)
    app = create_app(settings)
    with TestClient(app) as client:
        yield Backoffice(app=app, client=client, settings=settings, clock=clock)
