"""Appointments: imported from the agenda system's export, looked up and checked in once by their code.

The rules mirror the kiosk's own offline look-up (`kiosk.appointments`), so a citizen gets the same
answer online and offline: a code is 8 letters and digits (spaces and dashes ignored), it can be checked
in once, and not later than 30 minutes after the start. The backoffice adds one rule the kiosk cannot
know offline: check-in opens an hour before the start, so nobody lands on a caseworker's list too early.

Confusable characters are folded when a code is stored and when it is typed (O → 0, I and L → 1): a
citizen who reads "O" on a letter that says "0" still gets in. The first name is the only personal
field kept; it is never logged.
"""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.errors import BackofficeError
from backoffice.models import Device, Location
from backoffice.models_counter import Appointment
from backoffice.settings import Settings

CODE_LENGTH = 8
CODE_PATTERN = re.compile(r"^[A-HJKMNP-Z0-9]{8}$")
_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})
LATE_MARGIN = timedelta(minutes=30)  # as in kiosk.appointments: later, the counter must help
EARLY_MARGIN = timedelta(minutes=60)
BOOKED, CHECKED_IN = "booked", "checked_in"

REQUIRED_FIELDS = ("code", "start", "topic", "first_name")
OPTIONAL_FIELDS = ("duration_minutes",)
MAX_TOPIC, MAX_FIRST_NAME, MAX_DURATION = 200, 100, 24 * 60


class AppointmentFileError(BackofficeError):
    """An import that cannot be done (see also `agenda_export`); the message never holds personal data."""


class CheckInRefused(BackofficeError):
    """A check-in that cannot happen (used already, too early, too late); the message is the API's detail."""


def normalise_code(typed: str) -> str:
    """Capitals without spaces and dashes, confusable characters folded; may still be malformed."""
    return re.sub(r"[\s\-]", "", typed).upper().translate(_FOLD)


def is_valid_code(code: str) -> bool:
    return CODE_PATTERN.match(code) is not None


# ---------------------------------------------------------------- import (files are read by agenda_export.py)


@dataclass(frozen=True)
class ImportedAppointment:
    code: str
    starts_at: datetime
    topic: str
    first_name: str
    duration_minutes: int | None


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int
    kept_checked_in: int


def import_appointments(
    db: Session, settings: Settings, location_name: str, appointments: list[ImportedAppointment]
) -> ImportResult:
    """Add or update the location's appointments in one transaction; a checked-in appointment is left alone."""
    clean = " ".join(location_name.split())
    location = db.scalar(select(Location).where(Location.name == clean))
    if location is None:
        known = ", ".join(db.scalars(select(Location.name).order_by(Location.name))) or "none yet"
        # Not created on the fly: a misspelt name would hide the appointments from every kiosk.
        raise AppointmentFileError(f"unknown location {clean!r} (known: {known})")
    existing = {a.code: a for a in db.scalars(select(Appointment).where(Appointment.location_id == location.id))}
    now = settings.clock()
    added = updated = unchanged = kept = 0
    for item in appointments:
        found = existing.get(item.code)
        if found is None:
            db.add(
                Appointment(
                    location_id=location.id,
                    code=item.code,
                    starts_at=item.starts_at,
                    duration_minutes=item.duration_minutes,
                    topic=item.topic,
                    first_name=item.first_name,
                    status=BOOKED,
                    imported_at=now,
                )
            )
            added += 1
        elif found.status == CHECKED_IN:
            kept += 1
        elif (found.starts_at, found.duration_minutes, found.topic, found.first_name) == (
            item.starts_at,
            item.duration_minutes,
            item.topic,
            item.first_name,
        ):
            unchanged += 1
        else:
            found.starts_at, found.duration_minutes = item.starts_at, item.duration_minutes
            found.topic, found.first_name, found.imported_at = item.topic, item.first_name, now
            updated += 1
    db.commit()
    return ImportResult(added=added, updated=updated, unchanged=unchanged, kept_checked_in=kept)


# ---------------------------------------------------------------- look-up and check-in


@dataclass(frozen=True)
class Timing:
    """Where a moment falls against the appointment: minutes until check-in opens, minutes late, too late."""

    too_early_minutes: int | None
    late_minutes: int | None
    too_late: bool


def timing(appointment: Appointment, at: datetime) -> Timing:
    opens = appointment.starts_at - EARLY_MARGIN
    if at < opens:
        return Timing(too_early_minutes=math.ceil((opens - at).total_seconds() / 60), late_minutes=None, too_late=False)
    late = int((at - appointment.starts_at).total_seconds() // 60)
    return Timing(
        too_early_minutes=None,
        late_minutes=late if late > 0 else None,
        too_late=at > appointment.starts_at + LATE_MARGIN,
    )


def reference_time(appointment: Appointment, now: datetime) -> datetime:
    """A checked-in appointment is judged at its check-in, so repeating the same request gives the same answer."""
    return appointment.checked_in_at if appointment.checked_in_at is not None else now


def find_appointment(db: Session, device: Device, code: str) -> Appointment | None:
    """Only the device's own location: a code from another town hall is unknown here."""
    return db.scalar(select(Appointment).where(Appointment.location_id == device.location_id, Appointment.code == code))


def check_in(
    db: Session,
    settings: Settings,
    device: Device,
    appointment: Appointment,
    request_id: uuid.UUID,
    language: str | None = None,
) -> None:
    """Mark `appointment` checked in, once, with the citizen's kiosk language (for the display's call);
    the same request again is accepted as it was first decided, any other is refused."""
    if appointment.status == CHECKED_IN:
        if appointment.checkin_request_id == request_id and appointment.checkin_device_id == device.id:
            return
        raise CheckInRefused("already checked in")
    now = settings.clock()
    when = timing(appointment, now)
    if when.too_early_minutes is not None:
        raise CheckInRefused("too early to check in")
    if when.too_late:
        raise CheckInRefused("too late to check in; the counter will help")
    # The conditional UPDATE is the guard against two kiosks (or instances) checking in the same code at once.
    changed = db.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.status == BOOKED)
        .values(
            status=CHECKED_IN,
            checked_in_at=now,
            checkin_device_id=device.id,
            checkin_request_id=request_id,
            language=language,
        )
        .execution_options(synchronize_session=False)
    )
    db.commit()
    db.refresh(appointment)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        check_in(db, settings, device, appointment, request_id, language)  # lost the race: judge the winner's row
