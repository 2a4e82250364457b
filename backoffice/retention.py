"""Retention: contacts, events, scanned documents and desk visits older than `Settings.retention_days` are deleted.

Keeping citizen data no longer than needed is an AVG (GDPR) duty, so it must not depend on someone
remembering a cron job: every `serve` process runs it once a day in a background thread (started and
stopped with the app), and `balie backoffice retention` runs it by hand. Several instances running it
at once is harmless: each deletes what is old, a second pass finds nothing. The audit log is kept:
it answers "who looked at my file", also after the file is gone.

Desk visits hold the caseworker's free-text outcome, so they go with the contacts; the manager's figures
read only recent days. The display's feed (`queue_calls`: labels and languages) is read for today only,
so it goes after `Settings.queue_call_retention_days` (or sooner, when a shorter period is asked for).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from fastapi import APIRouter, FastAPI
from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session, sessionmaker

from backoffice.desk.models import QueueCall, Visit
from backoffice.models import Event
from backoffice.models_contacts import Contact
from backoffice.models_counter import Document, DocumentChunk
from backoffice.settings import Settings

log = logging.getLogger(__name__)
DAY = timedelta(days=1)
# Not at the very start: a restart loop must not hammer the database, and tests never see it run.
FIRST_RUN_DELAY = timedelta(minutes=5)


@dataclass(frozen=True)
class Deleted:
    contacts: int
    events: int
    documents: int
    visits: int
    queue_calls: int

    def summary(self) -> str:
        """One line for the log and the command: counts only, never what was deleted."""
        return (
            f"deleted {self.contacts} contacts, {self.events} events, {self.documents} documents, "
            f"{self.visits} visits, {self.queue_calls} queue calls"
        )


def _count(result: object) -> int:
    return max(cast(CursorResult[object], result).rowcount, 0)


def delete_expired(db: Session, settings: Settings, days: int | None = None, now: datetime | None = None) -> Deleted:
    """Delete what is older than `days` (default: the configured period) and commit; returns the counts."""
    period = settings.retention_days if days is None else days
    if period < 1:
        raise ValueError("the retention period is at least one day")
    moment = now or settings.clock()
    cutoff = moment - timedelta(days=period)
    contacts = _count(db.execute(delete(Contact).where(Contact.started_at < cutoff)))
    events = _count(db.execute(delete(Event).where(Event.occurred_at < cutoff)))
    old_documents = select(Document.id).where(Document.created_at < cutoff)
    # Chunks first: not every database enforces the ON DELETE CASCADE (SQLite only with its pragma).
    db.execute(delete(DocumentChunk).where(DocumentChunk.document_id.in_(old_documents)))
    documents = _count(db.execute(delete(Document).where(Document.created_at < cutoff)))
    visits = _count(db.execute(delete(Visit).where(Visit.called_at < cutoff)))
    calls_cutoff = moment - timedelta(days=min(period, settings.queue_call_retention_days))
    queue_calls = _count(db.execute(delete(QueueCall).where(QueueCall.called_at < calls_cutoff)))
    db.commit()
    return Deleted(contacts=contacts, events=events, documents=documents, visits=visits, queue_calls=queue_calls)


class RetentionJob:
    """A daemon thread that runs `delete_expired` after `first_delay`, then every `interval`, until stopped."""

    def __init__(
        self,
        settings: Settings,
        sessions: sessionmaker[Session],
        *,
        interval: timedelta = DAY,
        first_delay: timedelta = FIRST_RUN_DELAY,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._interval = interval
        self._first_delay = first_delay
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="balie-retention", daemon=True)
        self.runs = 0

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Wake the thread and wait for it; a pass in progress finishes its transaction first."""
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        wait = self._first_delay
        while not self._stop.wait(wait.total_seconds()):
            try:
                with self._sessions() as db:
                    deleted = delete_expired(db, self._settings)
                log.info("retention: %s", deleted.summary())
            except Exception:
                # A database hiccup must not kill the thread: tomorrow's run tries again.
                log.exception("retention pass failed")
            self.runs += 1
            wait = self._interval


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    job = RetentionJob(app.state.settings, app.state.sessions)
    job.start()
    app.state.retention_job = job
    try:
        yield
    finally:
        job.stop()


# No routes: included by the app only for its lifespan, so the job starts and stops with the service.
router = APIRouter(lifespan=_lifespan)
