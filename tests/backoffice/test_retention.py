"""Retention: contacts, events and documents past the period are deleted, younger ones stay; the job runs itself."""

from __future__ import annotations

import subprocess
import time
import uuid
from datetime import timedelta
from pathlib import Path

from backoffice_harness import Backoffice, backoffice_command
from sqlalchemy import func, select

from backoffice.contacts import add_contact
from backoffice.models import AuditEntry, Device, Event
from backoffice.models_contacts import Contact
from backoffice.models_counter import Document
from backoffice.retention import RetentionJob, delete_expired


def _count(backoffice: Backoffice, table: type[object]) -> int:
    with backoffice.db() as db:
        return int(db.scalar(select(func.count()).select_from(table)) or 0)


def _fill(backoffice: Backoffice, *ages_in_days: int) -> None:
    """One contact, one event and one document per age, dated that many days before the harness clock."""
    backoffice.enroll()
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
        db.commit()


def test_only_rows_older_than_the_period_are_deleted(backoffice: Backoffice) -> None:
    _fill(backoffice, 400, 366, 364, 10)

    with backoffice.db() as db:
        deleted = delete_expired(db, backoffice.settings)

    assert (deleted.contacts, deleted.events, deleted.documents) == (2, 2, 2)
    assert _count(backoffice, Contact) == _count(backoffice, Event) == _count(backoffice, Document) == 2
    with backoffice.db() as db:
        oldest = min(db.scalars(select(Contact.started_at)))
    assert oldest == backoffice.clock() - timedelta(days=364)
    assert _count(backoffice, AuditEntry) == 4  # "who looked at my file" outlives the file


def test_a_shorter_period_by_argument(backoffice: Backoffice) -> None:
    _fill(backoffice, 40, 20)
    with backoffice.db() as db:
        assert delete_expired(db, backoffice.settings, days=30).contacts == 1
    assert _count(backoffice, Contact) == 1


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
    assert ran.stdout == "deleted 0 contacts, 0 events, 0 documents\n"
    assert refused.returncode == 1 and "at least 1" in refused.stderr
