"""Counter data in a live backoffice (tests/live_backoffice.py): enrolled kiosks, imported appointments,
stored documents — put in and read back the way a city's technician and caseworker would."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from kiosk.backoffice_client import BackofficeClient
from tests.live_backoffice import LiveBackoffice, balie

LOCATION = "Stadswinkel Centrum"


def enroll(backoffice: LiveBackoffice, name: str, location: str = LOCATION) -> str:
    """A device credential, as `balie provision enroll` gets it."""
    client = BackofficeClient(backoffice.url)
    try:
        return client.enroll(backoffice.enrollment_code(location), name, "0.1.0").token
    finally:
        client.close()


def in_minutes(minutes: float) -> str:
    """A start time relative to now, as the agenda export gives it (local ISO time with offset)."""
    return (dt.datetime.now().astimezone() + dt.timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def import_appointments(
    backoffice: LiveBackoffice, folder: Path, items: list[dict[str, object]], location: str = LOCATION
) -> None:
    """Through `balie backoffice import-appointments`, as the agenda export arrives."""
    file = folder / "agenda.json"
    file.write_text(json.dumps({"appointments": items}), encoding="utf-8")
    balie(
        "backoffice", "import-appointments", "--location", location, "--file", str(file),
        "--database", str(backoffice.database),
    )  # fmt: skip


def rows(database: Path, query: str, *parameters: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return list(db.execute(query, parameters))


@dataclass(frozen=True)
class StoredDocument:
    id: str
    status: str
    size: int
    sha256: str
    content: bytes | None
    session_id: str | None


def documents(database: Path) -> list[StoredDocument]:
    """Every document the backoffice holds (what a caseworker's page would open)."""
    found = rows(database, "SELECT id, status, size, sha256, content, session_id FROM documents ORDER BY created_at")
    return [
        StoredDocument(str(r[0]).replace("-", ""), str(r[1]), int(str(r[2])), str(r[3]), r[4], r[5])  # type: ignore[arg-type]
        for r in found
    ]


def submitted_events(database: Path) -> list[tuple[str, str | None]]:
    """(event id, session id) of every stored `document_submitted` event."""
    found = rows(database, "SELECT event_id, session_id FROM events WHERE type = 'document_submitted'")
    return [(str(r[0]).replace("-", ""), None if r[1] is None else str(r[1])) for r in found]
