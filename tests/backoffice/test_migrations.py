"""Alembic from empty creates every table, matches the models exactly, and runs again harmlessly."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from backoffice.db import make_engine
from backoffice.migrate import alembic_config, upgrade_to_head
from backoffice.models import Base

ROOT = Path(__file__).resolve().parents[2]


def _migrate(database: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "backoffice", "migrate", "--database", database],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_balie_backoffice_migrate_creates_every_table_from_empty(empty_database_url: str, tmp_path: Path) -> None:
    url = empty_database_url

    first = _migrate(url, tmp_path)
    again = _migrate(url, tmp_path)

    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    engine = make_engine(url, pooled=False)
    try:
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
        with engine.connect() as connection:
            # The migration and the models agree on every column, index and constraint.
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    finally:
        engine.dispose()


def test_the_migration_goes_down_and_up_again(empty_database_url: str) -> None:
    from alembic import command

    url = empty_database_url
    upgrade_to_head(url)
    command.downgrade(alembic_config(url), "base")
    engine = make_engine(url, pooled=False)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    upgrade_to_head(url)


@pytest.mark.sqlite_only
def test_sqlite_runs_with_wal_and_foreign_keys(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_the_migration_renders_for_postgresql() -> None:
    """Portable DDL: the same revision renders as PostgreSQL SQL (offline mode, no server needed)."""
    from alembic import command

    config = alembic_config("postgresql://balie@localhost/balie")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()

    for table in Base.metadata.tables:
        assert f"CREATE TABLE {table} (" in sql
    assert "id UUID NOT NULL" in sql and "TIMESTAMP WITH TIME ZONE" in sql and "id BIGSERIAL NOT NULL" in sql
    assert "CONSTRAINT uq_events_device_id_event_id UNIQUE (device_id, event_id)" in sql
