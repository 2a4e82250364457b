"""Queue numbers per location and topic, starting again at 1 each local day, unique across instances.

The number comes from a counter row incremented with `UPDATE … SET last = last + 1 … RETURNING`: the
database serialises those updates (a row lock on PostgreSQL, the write lock on SQLite), so instances
sharing one database never hand out the same number. The first ticket of a day inserts the row; when two
requests race to do that, the loser hits the primary key, rolls back and retries with the UPDATE.
"""

from __future__ import annotations

import uuid
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.errors import BackofficeError
from backoffice.models import Device
from backoffice.models_counter import Ticket, TicketCounter
from backoffice.settings import Settings

# Three digits on the printed ticket, like the kiosk's own fallback queue: after 999 it shows 001 again.
MAX_PRINTED = 999
WAITING = "waiting"
ATTEMPTS = 5


class RequestIdReused(BackofficeError):
    """A request id sent again with a different topic: a kiosk bug, not a resend, so it is refused."""


def local_day(settings: Settings) -> date:
    """Today at the town hall: numbering follows the local calendar, not UTC (which turns at 01:00 or 02:00)."""
    return settings.clock().astimezone(ZoneInfo(settings.display_timezone)).date()


def printed_number(topic: str, sequence: int) -> str:
    return f"{topic}{(sequence - 1) % MAX_PRINTED + 1:03d}"


def _next_sequence(db: Session, location_id: int, topic: str, day: date) -> int:
    bumped = db.execute(
        update(TicketCounter)
        .where(TicketCounter.location_id == location_id, TicketCounter.topic == topic, TicketCounter.day == day)
        .values(last=TicketCounter.last + 1)
        .returning(TicketCounter.last)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if bumped is not None:
        return int(bumped)
    db.add(TicketCounter(location_id=location_id, topic=topic, day=day, last=1))
    db.flush()  # a concurrent first ticket of the day makes this raise IntegrityError: the caller retries
    return 1


def _issued_before(db: Session, device: Device, request_id: uuid.UUID, topic: str) -> Ticket | None:
    found = db.scalar(select(Ticket).where(Ticket.device_id == device.id, Ticket.request_id == request_id))
    if found is not None and found.topic != topic:
        raise RequestIdReused("this request_id was used for a ticket with another topic")
    return found


def issue_ticket(
    db: Session, settings: Settings, device: Device, topic: str, language: str | None, request_id: uuid.UUID
) -> Ticket:
    """The ticket for this request: a new number the first time, the same ticket when the request is resent."""
    for attempt in range(ATTEMPTS):
        try:
            found = _issued_before(db, device, request_id, topic)
            if found is not None:
                return found
            day = local_day(settings)
            sequence = _next_sequence(db, device.location_id, topic, day)
            ticket = Ticket(
                location_id=device.location_id,
                device_id=device.id,
                request_id=request_id,
                topic=topic,
                day=day,
                sequence=sequence,
                number=printed_number(topic, sequence),
                language=language,
                status=WAITING,
                issued_at=settings.clock(),
            )
            db.add(ticket)
            db.commit()
            return ticket
        except IntegrityError:
            # Lost a race: the day's counter row, or the same request from a second instance. Start over.
            db.rollback()
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def position_in_queue(db: Session, ticket: Ticket) -> int:
    """How many waiting tickets of the same topic come before this one, plus one; 0 once it was called."""
    if ticket.status != WAITING:
        return 0
    ahead = db.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(
            Ticket.location_id == ticket.location_id,
            Ticket.topic == ticket.topic,
            Ticket.day == ticket.day,
            Ticket.status == WAITING,
            Ticket.sequence < ticket.sequence,
        )
    )
    return int(ahead or 0) + 1
