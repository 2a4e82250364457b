"""The kiosk's event outbox: every event is on disk before anyone tries to send it.

A kiosk loses its network, its backoffice restarts, its power is pulled mid-send: the events
of the day must still arrive, each exactly once. So an event is first committed to a local
SQLite file with its own UUID (the idempotency key the backoffice deduplicates on), and only
deleted after the backoffice has acknowledged that id as stored (accepted or duplicate).

Events carry no personal data (session start and end, task done, ticket number, check-in,
document submitted, feedback scores), so they may wait on the kiosk's disk.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVENT_TYPES = frozenset(
    {"session_started", "session_ended", "task_done", "ticket_issued", "checked_in", "document_submitted", "feedback"}
)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    session_id TEXT,
    data TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0
)
"""


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    id: str
    type: str
    occurred_at: str  # ISO 8601 with time zone
    session_id: str | None
    data: Mapping[str, Any]
    attempts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "occurred_at": self.occurred_at,
            "session_id": self.session_id,
            "data": dict(self.data),
        }


class Outbox:
    """One SQLite file; safe to use from the UI thread (add) and the delivery thread (the rest).

    `synchronous=FULL` with WAL: an event whose `add()` returned survives a killed process and
    a power cut.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)

    def add(
        self,
        event_type: str,
        data: Mapping[str, Any] | None = None,
        *,
        session_id: str | None = None,
        occurred_at: dt.datetime | None = None,
        event_id: str | None = None,
    ) -> str:
        """Store one event durably and return its id (the idempotency key)."""
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        event_id = event_id or str(uuid.uuid4())
        moment = (occurred_at or dt.datetime.now(dt.UTC)).isoformat()
        payload = json.dumps(dict(data or {}), separators=(",", ":"), sort_keys=True)
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO outbox (id, type, occurred_at, session_id, data) VALUES (?, ?, ?, ?, ?)",
                (event_id, event_type, moment, session_id, payload),
            )
        return event_id

    def pending(self, limit: int = 100) -> list[OutboxEvent]:
        """The oldest events not yet acknowledged, in the order they happened."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, type, occurred_at, session_id, data, attempts FROM outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        return [OutboxEvent(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5]) for row in rows]

    def acknowledge(self, ids: Iterable[str]) -> None:
        """The backoffice stored these (or already had them): forget them here."""
        chosen = list(ids)
        if not chosen:
            return
        with self._lock:
            self._db.executemany("DELETE FROM outbox WHERE id = ?", [(event_id,) for event_id in chosen])

    def count_attempt(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._db.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", [(i,) for i in ids])

    def __len__(self) -> int:
        with self._lock:
            (count,) = self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()
        return int(count)

    def close(self) -> None:
        with self._lock:
            self._db.close()
