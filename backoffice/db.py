"""Engine and sessions: one place knows the SQLite pragmas and how a request gets its session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the fleet page) run while a kiosk writes events; SQLite leaves foreign keys off
    # unless asked, per connection; the busy timeout makes a writer wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for `url`; unpooled for one-shot work (migrations, CLI) so no connection outlives it."""
    options: dict[str, Any] = {} if pooled else {"poolclass": NullPool}
    engine = create_engine(url, **options)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: endpoints read what they just wrote after committing, without a new query.
    return sessionmaker(engine, expire_on_commit=False)


def session_from(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One session per request; endpoints commit their own unit of work, anything left is rolled back."""
    with factory() as session:
        yield session
