"""Engine and sessions: one place knows the SQLite pragmas and how a request gets its session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_TIMEOUT_MS = 15_000
# Plain `def` endpoints and their session dependency run on the server's worker threads, and a
# request holds at most one connection. With fewer connections than threads, threads waiting for
# a connection can take every thread, while the requests holding connections wait for a thread to
# finish (the session's clean-up runs there too): the instance freezes until the pool times out
# (benchmarks/backoffice.py found it at 500 kiosks). So the pool always has room for every thread.
WORKER_THREADS = 16
POOL_SIZE = WORKER_THREADS
POOL_OVERFLOW = 4


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
    options: dict[str, Any] = {"poolclass": NullPool}
    if pooled:
        in_memory = url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:")
        options = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
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
