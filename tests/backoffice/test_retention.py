"""Retention: contacts, events, documents and visits past the period are deleted, younger ones stay; the
display's calls go after a few days; the job runs itself."""

from __future__ import annotations

import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

from backoffice_harness import Backoffice, backoffice_command
from desk_harness import desk
from sqlalchemy import func, select

from backoffice.contacts import add_contact
from backoffice.desk.models import QueueCall, Visit
from backoffice.models import AuditEntry, Device, Event
from backoffice.models_contacts import Contact
from backoffice.models_counter import Document
from backoffice.retention import RetentionJob, delete_expired


def _count(backoffice: Backoffice, table: type[object]) -> int:
    with backoffice.db() as db:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)


def _fill(backoffice: Backoffice, *ages_in_days: int) -> None:
    """One contact, event, document, desk visit and display call per age, dated that many days before the clock."""
    backoffice.enroll()
    desk_id = desk(backoffice, "3")
    with backoffice.db() as db:
        device = db.scalars(select(Device)).one()
        for age in ages_in_days:
            at = backoffice.clock() - timedelta(days=age)
            add_contact(db, backoffice.settings, "k" * 64, "test", channel="phone", topic="Verhuizing", started_at=at)
            db.add(
                Event(
                    device_id=device.id,
                    event_id=uuid.uuid4(),
                    location_id=device.location_id,
                    type="session_started",
                    occurred_at=at,
                    received_at=at,
                    data={},
                )
            )
            db.add(
                Document(
                    id=uuid.uuid4(),
                    device_id=device.id,
                    location_id=device.location_id,
                    size=1,
                    sha256="0" * 64,
                    content_type="application/pdf",
                    chunk_size=1,
                    status="received",
                    created_at=at,
                    content=b"x",
                )
            )
            db.add(AuditEntry(at=at, actor="carla", action="view_contact_history", subject="k" * 64))
            db.add(
                Visit(
                    location_id=device.location_id,
                    desk_id=desk_id,
                    label="A001",
                    topic="A",
                    queued_at=at - timedelta(minutes=12),
                    called_at=at,
                    ended_at=at + timedelta(minutes=8),
                    waited_seconds=720,
                    service_seconds=480,
                    status="done",
                    outcome="Paspoort aangevraagd",
                )
            )
            db.add(
                QueueCall(
                    location_id=device.location_id,
                    desk_id=desk_id,
                    label="A001",
                    kind="call",
                    language="en",
                    called_at=at,
                )
            )
        db.commit()


def test_only_rows_older_than_the_period_are_deleted(backoffice: Backoffice) -> None:
    _fill(backoffice, 400, 366, 364, 10)

    with backoffice.db() as db:
        deleted = delete_expired(db, backoffice.settings)

    assert (deleted.contacts, deleted.events, deleted.documents, deleted.visits) == (2, 2, 2, 2)
    assert deleted.queue_calls == 4  # the display's feed is kept days, not a year
    assert _count(backoffice, Contact) == _count(backoffice, Event) == _count(backoffice, Document) == 2
    assert _count(backoffice, Visit) == 2 and _count(backoffice, QueueCall) == 0
    with backoffice.db() as db:
        assert min(db.scalars(select(Visit.called_at))) == backoffice.clock() - timedelta(days=364)
    with backoffice.db() as db:
        oldest = min(db.scalars(select(Contact.started_at)))
    assert oldest == backoffice.clock() - timedelta(days=364)
    assert _count(backoffice, AuditEntry) == 4  # "who looked at my file" outlives the file


def test_the_displays_calls_go_after_a_few_days_and_the_visits_stay(backoffice: Backoffice) -> None:
    _fill(backoffice, 4, 2, 0)

    with backoffice.db() as db:
        deleted = delete_expired(db, backoffice.settings)

    assert (deleted.queue_calls, deleted.visits, deleted.contacts) == (1, 0, 0)
    with backoffice.db() as db:
        kept = sorted(db.scalars(select(QueueCall.called_at)))
    assert kept == [backoffice.clock() - timedelta(days=2), backoffice.clock()]
    assert _count(backoffice, Visit) == 3


def test_a_shorter_period_by_argument(backoffice: Backoffice) -> None:
    _fill(backoffice, 40, 20, 2)
    with backoffice.db() as db:
        deleted = delete_expired(db, backoffice.settings, days=30)
    assert (deleted.contacts, deleted.visits, deleted.queue_calls) == (1, 1, 2)
    assert _count(backoffice, Contact) == 2 and _count(backoffice, Visit) == 2

    with backoffice.db() as db:
        shorter_than_the_calls = delete_expired(db, backoffice.settings, days=1)
    assert (shorter_than_the_calls.visits, shorter_than_the_calls.queue_calls) == (2, 1)  # calls follow it too


def test_the_job_runs_in_the_background_and_stops(backoffice: Backoffice) -> None:
    _fill(backoffice, 500, 5)
    job = RetentionJob(
        backoffice.settings, backoffice.app.state.sessions, interval=timedelta(hours=1), first_delay=timedelta(0)
    )
    job.start()
    deadline = time.monotonic() + 10
    while job.runs == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    job.stop()

    assert job.runs == 1
    assert _count(backoffice, Contact) == 1


def test_the_served_app_starts_the_job_with_its_lifespan(backoffice: Backoffice) -> None:
    job = backoffice.app.state.retention_job
    assert isinstance(job, RetentionJob) and job.running


def test_balie_backoffice_retention(tmp_path: Path) -> None:
    def balie(*args: str) -> subprocess.CompletedProcess[str]:
        return backoffice_command(tmp_path / "data", *args)

    ran = balie("retention", "--days", "30")
    refused = balie("retention", "--days", "0")

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "deleted 0 contacts, 0 events, 0 documents, 0 visits, 0 queue calls\n"
    assert refused.returncode == 1 and "at least 1" in refused.stderr
