"""Fixtures: a backoffice on a temporary SQLite file, migrated to head, with a clock the tests move by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backoffice_harness import Backoffice, UtcClock
from fastapi.testclient import TestClient

from backoffice.app import create_app
from backoffice.migrate import upgrade_to_head
from backoffice.settings import Settings


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'balie.db'}"
    upgrade_to_head(url)
    return url


@pytest.fixture
def backoffice(database_url: str) -> Iterator[Backoffice]:
    clock = UtcClock()
    settings = Settings(database_url=database_url, secret_key=b"test secret, not for production", clock=clock)
    app = create_app(settings)
    with TestClient(app) as client:
        yield Backoffice(app=app, client=client, settings=settings, clock=clock)
