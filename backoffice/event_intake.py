"""The event intake: each event stored exactly once per (device, event id), however often a kiosk resends.

A kiosk's outbox resends after a crash or a lost answer; a resent event is reported as a duplicate,
not an error, so the kiosk can drop it from its outbox either way.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.models import Device, Event
from backoffice.schemas import EventIn, EventResult

# Two instances taking the same resent batch at once: the loser hits the unique constraint, rolls back
# and tries again, and then sees the winner's rows as duplicates.
ATTEMPTS = 3


def _store_once(db: Session, device: Device, events: list[EventIn], now: datetime) -> EventResult:
    ids = [event.id for event in events]
    stored = set(db.scalars(select(Event.event_id).where(Event.device_id == device.id, Event.event_id.in_(ids))))
    accepted: list[uuid.UUID] = []
    duplicates: list[uuid.UUID] = []
    for event in events:
        if event.id in stored:
            duplicates.append(event.id)
            continue
        stored.add(event.id)  # the same id twice within one batch: the second is a duplicate too
        accepted.append(event.id)
        db.add(
            Event(
                device_id=device.id,
                event_id=event.id,
                location_id=device.location_id,
                type=event.type.value,
                occurred_at=event.occurred_at,
                received_at=now,
                session_id=event.session_id,
                data=event.data,
            )
        )
    db.commit()
    return EventResult(accepted=accepted, duplicates=duplicates)


def store_events(db: Session, device: Device, events: list[EventIn], now: datetime) -> EventResult:
    for attempt in range(ATTEMPTS):
        try:
            return _store_once(db, device, events, now)
        except IntegrityError:
            db.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
