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

import csv
import io
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
    """An import file that cannot be used; the message names the file and the row, never personal data."""


class CheckInRefused(BackofficeError):
    """A check-in that cannot happen (used already, too early, too late); the message is the API's detail."""


def normalise_code(typed: str) -> str:
    """Capitals without spaces and dashes, confusable characters folded; may still be malformed."""
    return re.sub(r"[\s\-]", "", typed).upper().translate(_FOLD)


def is_valid_code(code: str) -> bool:
    return CODE_PATTERN.match(code) is not None


# ---------------------------------------------------------------- import


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


def _text(item: dict[str, Any], key: str, limit: int, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AppointmentFileError(f"{where}: {key} is missing or empty")
    clean = " ".join(value.split())
    if len(clean) > limit:
        raise AppointmentFileError(f"{where}: {key} is longer than {limit} characters")
    return clean


def _start(value: object, zone: ZoneInfo, where: str) -> datetime:
    if not isinstance(value, str):
        raise AppointmentFileError(f"{where}: start is missing")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise AppointmentFileError(
            f"{where}: start {value.strip()[:40]!r} is not an ISO date and time (2026-03-02T10:30)"
        ) from None
    # Agenda exports give the town hall's wall-clock time; an explicit offset is respected.
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def _duration(value: object, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        minutes = int(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    except ValueError:
        minutes = None
    if minutes is None or not 1 <= minutes <= MAX_DURATION:
        raise AppointmentFileError(f"{where}: duration_minutes must be a whole number from 1 to {MAX_DURATION}")
    return minutes


def _parse_item(item: object, zone: ZoneInfo, where: str) -> ImportedAppointment:
    if not isinstance(item, dict):
        raise AppointmentFileError(f"{where}: not an object with {', '.join(REQUIRED_FIELDS)}")
    unknown = sorted(set(item) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        # Refused, not ignored: a misspelt column would otherwise vanish silently.
        expected = ", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
        raise AppointmentFileError(f"{where}: unknown field {unknown[0]!r} (expected {expected})")
    raw_code = item.get("code")
    code = normalise_code(raw_code) if isinstance(raw_code, str) else ""
    if not is_valid_code(code):
        # The code itself is not echoed: with it, anyone reading the log could check the citizen in.
        raise AppointmentFileError(f"{where}: code must be {CODE_LENGTH} letters and digits")
    return ImportedAppointment(
        code=code,
        starts_at=_start(item.get("start"), zone, where),
        topic=_text(item, "topic", MAX_TOPIC, where),
        first_name=_text(item, "first_name", MAX_FIRST_NAME, where),
        duration_minutes=_duration(item.get("duration_minutes"), where),
    )


def _raw_items(path: Path, text: str) -> list[tuple[str, object]]:
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = [name for name in REQUIRED_FIELDS if name not in (reader.fieldnames or [])]
        if missing:
            raise AppointmentFileError(f"{path}: the header lacks the column {missing[0]!r}")
        # Row numbers as a spreadsheet shows them: the header is row 1.
        return [(f"{path}: row {reader.line_num}", dict(row)) for row in reader]
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise AppointmentFileError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        items = data.get("appointments") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise AppointmentFileError(f'{path}: expected a list of appointments or {{"appointments": [...]}}')
        return [(f"{path}: appointment {number}", item) for number, item in enumerate(items, start=1)]
    raise AppointmentFileError(f"{path}: use a .csv or .json file")


def read_appointment_file(path: Path, timezone: str) -> list[ImportedAppointment]:
    """Every appointment in the file, or an error naming the first problem; nothing half-read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AppointmentFileError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AppointmentFileError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
    zone = ZoneInfo(timezone)
    try:
        parsed = [_parse_item(item, zone, where) for where, item in _raw_items(path, text)]
    except csv.Error as exc:
        raise AppointmentFileError(f"{path}: not valid CSV ({exc})") from None
    seen: set[str] = set()
    for number, appointment in enumerate(parsed, start=1):
        if appointment.code in seen:
            raise AppointmentFileError(f"{path}: appointment {number} repeats the code of an earlier one")
        seen.add(appointment.code)
    return parsed


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


def check_in(db: Session, settings: Settings, device: Device, appointment: Appointment, request_id: uuid.UUID) -> None:
    """Mark `appointment` checked in, once; the same request again is accepted, any other is refused."""
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
        .values(status=CHECKED_IN, checked_in_at=now, checkin_device_id=device.id, checkin_request_id=request_id)
        .execution_options(synchronize_session=False)
    )
    db.commit()
    db.refresh(appointment)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        check_in(db, settings, device, appointment, request_id)  # lost the race: judge the winner's row
