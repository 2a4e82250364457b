"""Today's queue of a location as the call-next rule sees it: waiting tickets and checked-in appointments.

Only today's (local calendar, as ticket numbering): a number left waiting yesterday is not called this
morning. Appointments are shown by the first three characters of their code, never by name.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.desk.call_next import QueueKind, Waiting
from backoffice.models_counter import Appointment, Ticket
from backoffice.settings import Settings
from backoffice.tickets import local_day

TICKET_WAITING = "waiting"
APPOINTMENT_WAITING = "checked_in"
CALLED = "called"
DONE = "done"
NO_SHOW = "no_show"
SHORT_CODE = 3


def short_code(code: str) -> str:
    """What the display and the desk show of an appointment: enough to recognise, too little to look up."""
    return code[:SHORT_CODE]


def start_of_today(settings: Settings) -> datetime:
    zone = ZoneInfo(settings.display_timezone)
    return datetime.combine(local_day(settings), time(0), tzinfo=zone).astimezone(UTC)


def ticket_item(ticket: Ticket) -> Waiting:
    return Waiting(
        kind=QueueKind.TICKET,
        id=ticket.id,
        label=ticket.number,
        topic=ticket.queue_topic or ticket.topic,
        queued_at=ticket.issued_at,
        target_desk_id=ticket.target_desk_id,
    )


def appointment_item(appointment: Appointment) -> Waiting:
    return Waiting(
        kind=QueueKind.APPOINTMENT,
        id=appointment.id,
        label=short_code(appointment.code),
        topic=appointment.queue_topic,
        queued_at=appointment.checked_in_at or appointment.starts_at,
        starts_at=appointment.starts_at,
        target_desk_id=appointment.target_desk_id,
    )


def waiting_now(db: Session, settings: Settings, location_id: int | None) -> list[Waiting]:
    """Everything waiting today at the location (None: every location), in no particular order (the rule orders)."""
    tickets = select(Ticket).where(Ticket.day == local_day(settings), Ticket.status == TICKET_WAITING)
    appointments = select(Appointment).where(
        Appointment.status == APPOINTMENT_WAITING, Appointment.checked_in_at >= start_of_today(settings)
    )
    if location_id is not None:
        tickets = tickets.where(Ticket.location_id == location_id)
        appointments = appointments.where(Appointment.location_id == location_id)
    return [*map(ticket_item, db.scalars(tickets)), *map(appointment_item, db.scalars(appointments))]
