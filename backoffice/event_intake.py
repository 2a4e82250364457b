"""The event intake: each event stored exactly once per (device, event id), however often a kiosk resends.

A kiosk's outbox resends after a crash or a lost answer; a resent event is reported as a duplicate,
not an error, so the kiosk can drop it from its outbox either way. Written in SQLAlchemy Core with
statements built once, like the heartbeat: a visit's batch is one read and one multi-row insert.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from backoffice.device_auth import KnownDevice
from backoffice.models import Event
from backoffice.schemas import EventIn, EventResult

# Two instances taking the same resent batch at once: the loser hits the unique constraint, rolls back
# and tries again, and then sees the winner's rows as duplicates.
ATTEMPTS = 3

_events = cast(Table, Event.__table__)
_stored_ids = select(_events.c.event_id).where(
    _events.c.device_id == bindparam("b_device"), _events.c.event_id.in_(bindparam("b_ids", expanding=True))
)
_add = insert(_events)


def _store_once(db: Connection, device: KnownDevice, events: list[EventIn], now: datetime) -> EventResult:
    stored = set(db.scalars(_stored_ids, {"b_device": device.id, "b_ids": [event.id for event in events]}))
    accepted: list[uuid.UUID] = []
    duplicates: list[uuid.UUID] = []
    rows: list[dict[str, object]] = []
    for event in events:
        if event.id in stored:
            duplicates.append(event.id)
            continue
        stored.add(event.id)  # the same id twice within one batch: the second is a duplicate too
        accepted.append(event.id)
        rows.append(
            {
                "device_id": device.id,
                "event_id": event.id,
                "location_id": device.location_id,
                "type": event.type.value,
                "occurred_at": event.occurred_at,
                "received_at": now,
                "session_id": event.session_id,
                "data": event.data,
            }
        )
    if rows:
        db.execute(_add, rows)
    db.commit()
    return EventResult(accepted=accepted, duplicates=duplicates)


def store_events(db: Connection, device: KnownDevice, events: list[EventIn], now: datetime) -> EventResult:
    if not events:
        return EventResult(accepted=[], duplicates=[])
    for attempt in range(ATTEMPTS):
        try:
            return _store_once(db, device, events, now)
        except IntegrityError:
            db.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
