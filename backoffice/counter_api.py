"""Device routes for the counter side: queue tickets, appointment look-up and check-in.

Every route needs a device token and works only within the device's own location. The appointment routes
answer one personal field, the first name, because the kiosk greets the citizen with it (see API.md);
nothing else about a citizen leaves the backoffice through a device route, and nothing is logged.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException
from pydantic import AfterValidator, BaseModel, Field

from backoffice.app_state import DbDep, SettingsDep
from backoffice.appointments import (
    CODE_LENGTH,
    CheckInRefused,
    check_in,
    find_appointment,
    is_valid_code,
    normalise_code,
    reference_time,
    timing,
)
from backoffice.desk.waits import wait_for_new_ticket
from backoffice.device_auth import DeviceDep
from backoffice.models_counter import Appointment
from backoffice.schemas import Strict
from backoffice.settings import Settings
from backoffice.tickets import RequestIdReused, issue_ticket, position_in_queue

router = APIRouter(prefix="/api/v1", tags=["devices"])

UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"description": "missing, unknown or revoked device token"}}
UNKNOWN_CODE = "unknown appointment code"


def _valid_code(typed: str) -> str:
    code = normalise_code(typed)
    if not is_valid_code(code):
        raise ValueError(f"an appointment code is {CODE_LENGTH} letters and digits (spaces and dashes are ignored)")
    return code


AppointmentCode = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_valid_code)]


LANGUAGE = r"^[a-z]{2,3}$"


class TicketRequest(Strict):
    topic: str = Field(pattern=r"^[A-Z]$", description="the topic's letter, as configured on the kiosk")
    language: str | None = Field(default=None, pattern=LANGUAGE, description="the citizen's language")
    request_id: uuid.UUID = Field(description="idempotency key: the same id from the same device, the same ticket")


class TicketResponse(BaseModel):
    number: str
    topic: str
    issued_at: datetime
    position_in_queue: int
    estimated_wait_minutes: int | None = Field(
        default=None, description="the display board's wait for the topic; absent while no desk serves it"
    )


class LookupRequest(Strict):
    code: AppointmentCode


class CheckInRequest(Strict):
    code: AppointmentCode
    language: str | None = Field(
        default=None, pattern=LANGUAGE, description="the citizen's language: the display calls them in it too"
    )
    request_id: uuid.UUID = Field(description="idempotency key: a resent check-in gets the same answer")


class AppointmentResponse(BaseModel):
    code: str
    start: datetime
    topic: str
    first_name: str = Field(description="the only personal field: the kiosk greets the citizen with it")
    duration_minutes: int | None = None
    status: Literal["booked", "checked_in"]
    checked_in_at: datetime | None = None
    can_check_in: bool
    too_early_minutes: int | None = None
    late_minutes: int | None = None


def _local(settings: Settings, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.display_timezone))


def _answer(settings: Settings, appointment: Appointment) -> AppointmentResponse:
    when = timing(appointment, reference_time(appointment, settings.clock()))
    booked = appointment.status == "booked"
    return AppointmentResponse(
        code=appointment.code,
        start=_local(settings, appointment.starts_at),
        topic=appointment.topic,
        first_name=appointment.first_name,
        duration_minutes=appointment.duration_minutes,
        status="booked" if booked else "checked_in",
        checked_in_at=None if appointment.checked_in_at is None else _local(settings, appointment.checked_in_at),
        can_check_in=booked and when.too_early_minutes is None and not when.too_late,
        too_early_minutes=when.too_early_minutes,
        late_minutes=when.late_minutes,
    )


@router.post(
    "/tickets",
    response_model_exclude_none=True,
    responses={**UNAUTHORISED, 409: {"description": "the request_id was used before for another topic"}},
)
def take_ticket(body: TicketRequest, device: DeviceDep, db: DbDep, settings: SettingsDep) -> TicketResponse:
    try:
        ticket = issue_ticket(db, settings, device, body.topic, body.language, body.request_id)
    except RequestIdReused as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    return TicketResponse(
        number=ticket.number,
        topic=ticket.topic,
        issued_at=_local(settings, ticket.issued_at),
        position_in_queue=position_in_queue(db, ticket),
        estimated_wait_minutes=wait_for_new_ticket(
            db, settings, device.location_id, ticket.queue_topic or ticket.topic
        ),
    )


@router.post(
    "/appointments/lookup",
    response_model_exclude_none=True,
    responses={**UNAUTHORISED, 404: {"description": UNKNOWN_CODE}},
)
def look_up_appointment(
    body: LookupRequest, device: DeviceDep, db: DbDep, settings: SettingsDep
) -> AppointmentResponse:
    appointment = find_appointment(db, device, body.code)
    if appointment is None:
        raise HTTPException(status_code=404, detail=UNKNOWN_CODE)
    return _answer(settings, appointment)


@router.post(
    "/appointments/checkin",
    response_model_exclude_none=True,
    responses={
        **UNAUTHORISED,
        404: {"description": UNKNOWN_CODE},
        409: {"description": "already checked in, too early or too late"},
    },
)
def check_in_appointment(
    body: CheckInRequest, device: DeviceDep, db: DbDep, settings: SettingsDep
) -> AppointmentResponse:
    appointment = find_appointment(db, device, body.code)
    if appointment is None:
        raise HTTPException(status_code=404, detail=UNKNOWN_CODE)
    try:
        check_in(db, settings, device, appointment, body.request_id, body.language)
    except CheckInRefused as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from exc
    return _answer(settings, appointment)
