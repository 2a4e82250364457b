"""The fleet page's view of each device: green / amber / red, the reasons, since when, and silent devices.

Pure functions of the stored state and the time, so the colours are tested with a clock moved by hand.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backoffice.models import Device
from backoffice.settings import Settings

COLOUR_OF_STATE = {"ok": "green", "degraded": "amber", "failed": "red"}


@dataclass(frozen=True)
class ComponentLine:
    name: str
    state: str
    reason: str
    since: str


@dataclass(frozen=True)
class SelftestLine:
    """The device's last self-test in a glance: the verdict, when, and the checks that did not pass."""

    passed: bool
    when: str
    version: str
    not_passed: list[tuple[str, str, str]]  # (check, "failed" | "warning", detail)


@dataclass(frozen=True)
class FleetRow:
    device_id: uuid.UUID
    name: str
    location: str
    version: str
    colour: str  # "green" | "amber" | "red" | "revoked"
    since: str
    problems: list[ComponentLine]
    # "HH:MM" of the last heartbeat when the device has gone silent, else None.
    silent_since: str | None
    waiting_first_heartbeat: bool
    revoked: bool
    selftest: SelftestLine | None = None


def local_time(moment: datetime, settings: Settings, now: datetime) -> str:
    """HH:MM today, with the date when it is not today: staff read local time, in one glance."""
    zone = ZoneInfo(settings.display_timezone)
    local, today = moment.astimezone(zone), now.astimezone(zone)
    return local.strftime("%H:%M") if local.date() == today.date() else local.strftime("%d-%m-%Y %H:%M")


def selftest_line(device: Device, settings: Settings, now: datetime) -> SelftestLine | None:
    report, at = device.last_selftest, device.last_selftest_at
    if not isinstance(report, dict) or at is None:
        return None
    checks = [check for check in report.get("checks", []) if isinstance(check, dict)]
    not_passed = [
        (str(check.get("name", "")), str(check.get("status", "")), str(check.get("detail", "")))
        for check in checks
        if check.get("status") in ("failed", "warning")
    ]
    not_passed.sort(key=lambda check: check[1] != "failed")  # failures first
    return SelftestLine(
        bool(report.get("passed")), local_time(at, settings, now), str(report.get("version", "")), not_passed
    )


def fleet_row(device: Device, settings: Settings, now: datetime) -> FleetRow:
    problems = [
        ComponentLine(c.name, c.state, c.reason, local_time(c.since, settings, now))
        for c in device.components
        if c.state != "ok"
    ]
    last = device.last_heartbeat_at
    silent = last is not None and now - last > settings.stale_after
    never = last is None
    colour = COLOUR_OF_STATE.get(device.state or "ok", "red")
    since = device.state_since or device.enrolled_at
    if device.revoked_at is not None:
        colour, since = "revoked", device.revoked_at
    elif silent or (never and now - device.enrolled_at > settings.stale_after):
        # A device that stopped talking is red whatever it said last: nobody knows how it is now.
        colour, since = "red", last or device.enrolled_at
    elif never:
        colour = "amber"
    return FleetRow(
        device_id=device.id,
        name=device.name,
        location=device.location.name,
        version=device.version,
        colour=colour,
        since=local_time(since, settings, now),
        problems=problems,
        silent_since=local_time(last, settings, now) if silent and last is not None else None,
        waiting_first_heartbeat=never and device.revoked_at is None,
        revoked=device.revoked_at is not None,
        selftest=selftest_line(device, settings, now),
    )


def fleet_rows(db: Session, settings: Settings) -> list[FleetRow]:
    now = settings.clock()
    devices = db.scalars(
        select(Device).options(selectinload(Device.components), selectinload(Device.location)).order_by(Device.name)
    )
    rows = [fleet_row(device, settings, now) for device in devices]
    order = {"red": 0, "amber": 1, "green": 2, "revoked": 3}
    # Problems first: the technician's eye lands on what needs a visit.
    return sorted(rows, key=lambda row: (order[row.colour], row.location, row.name))


def revoke_device(db: Session, settings: Settings, device_id: uuid.UUID) -> bool:
    device = db.get(Device, device_id)
    if device is None:
        return False
    if device.revoked_at is None:
        device.revoked_at = settings.clock()
    db.commit()
    return True
