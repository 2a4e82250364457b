"""Engine and sessions: one place knows the SQLite pragmas, how SQLite writers take turns, and how a request
gets its session."""

from __future__ import annotations

import sqlite3
import threading
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
# Statements before which Python's sqlite3 opens a transaction by itself (its "legacy" transaction control).
_SQLITE_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers (the fleet page) run while a kiosk writes events; SQLite leaves foreign keys off
    # unless asked, per connection; the busy timeout makes a writer wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def one_writer_at_a_time(writer: threading.Lock) -> type[sqlite3.Connection]:
    """A sqlite3 connection class whose write transactions take turns on `writer`, in this process.

    SQLite allows one writer per database. Left to SQLite, a writer that finds the lock taken sleeps in
    its busy handler, in steps growing to 100 ms however soon the lock is free: with 16 connections
    writing, that was a p99 of 100 ms to seconds (benchmarks/backoffice.py). Here the first write of a
    transaction waits on a thread lock instead, which wakes it the moment the last writer commits, and
    then opens the transaction with `BEGIN IMMEDIATE`, so it holds SQLite's lock from its first statement
    (a deferred transaction that read first can get SQLITE_BUSY at once, with no wait). Reads take no
    turn: in WAL mode they never wait for a writer. Another process (a CLI command, a second instance)
    still meets SQLite's busy timeout, as before.
    """

    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000

    class OneWriterCursor(sqlite3.Cursor):
        connection: OneWriterConnection

        def execute(self, sql: str, parameters: Any = (), /) -> OneWriterCursor:
            self.connection.before(sql)
            return super().execute(sql, parameters)

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> OneWriterCursor:
            self.connection.before(sql)
            return super().executemany(sql, seq_of_parameters)

    class OneWriterConnection(sqlite3.Connection):
        holds_writer = False

        def cursor(self, factory: Any = OneWriterCursor) -> Any:
            return super().cursor(factory)

        def before(self, sql: str) -> None:
            if self.in_transaction or not sql.lstrip()[:7].upper().startswith(_SQLITE_WRITES):
                return
            if not writer.acquire(timeout=timeout):
                raise sqlite3.OperationalError("database is locked")
            self.holds_writer = True
            try:
                sqlite3.Connection.execute(self, "BEGIN IMMEDIATE")
            except BaseException:
                self._let_next_writer()
                raise

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._let_next_writer()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._let_next_writer()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._let_next_writer()

        def _let_next_writer(self) -> None:
            # A failed COMMIT can leave the transaction open: the turn ends with the rollback that follows.
            if self.holds_writer and not self.in_transaction:
                self.holds_writer = False
                writer.release()

    return OneWriterConnection


def make_engine(url: str, *, pooled: bool = True) -> Engine:
    """An engine for `url`; unpooled for one-shot work (migrations, CLI) so no connection outlives it."""
    options: dict[str, Any] = {"poolclass": NullPool}
    if pooled:
        in_memory = url.startswith("sqlite") and (":memory:" in url or url.rstrip("/") == "sqlite:")
        options = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
        if url.startswith("sqlite") and not in_memory:
            # One lock per engine: the app's connections take turns writing to its file.
            options["connect_args"] = {"factory": one_writer_at_a_time(threading.Lock())}
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
