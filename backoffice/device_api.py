"""The device API (`/api/v1/…`): enroll, heartbeat, events. Devices submit; no route here returns personal data."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from backoffice.app_state import DbDep, SettingsDep
from backoffice.device_auth import DeviceDep
from backoffice.enrollment import enroll
from backoffice.errors import EnrollmentRefused
from backoffice.event_intake import store_events
from backoffice.heartbeat import record_heartbeat
from backoffice.schemas import (
    EnrollRequest,
    EnrollResponse,
    EventBatch,
    EventResult,
    HeartbeatRequest,
    HeartbeatResponse,
)

router = APIRouter(prefix="/api/v1", tags=["devices"])


@router.post("/enroll", responses={403: {"description": "the code is unknown, used or expired"}})
def enroll_device(body: EnrollRequest, db: DbDep, settings: SettingsDep) -> EnrollResponse:
    try:
        enrolled = enroll(db, settings, body.code, body.name, body.version)
    except EnrollmentRefused as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from exc
    return EnrollResponse(
        device_id=enrolled.device.id,
        token=enrolled.token,
        location=enrolled.device.location.name,
        heartbeat_interval=settings.heartbeat_interval_seconds,
    )


@router.post("/heartbeat", responses={401: {"description": "missing, unknown or revoked device token"}})
def heartbeat(body: HeartbeatRequest, device: DeviceDep, db: DbDep, settings: SettingsDep) -> HeartbeatResponse:
    now = settings.clock()
    record_heartbeat(device, body, now)
    db.commit()
    return HeartbeatResponse(server_time=now, heartbeat_interval=settings.heartbeat_interval_seconds)


@router.post("/events", responses={401: {"description": "missing, unknown or revoked device token"}})
def events(body: EventBatch, device: DeviceDep, db: DbDep, settings: SettingsDep) -> EventResult:
    return store_events(db, device, body.events, settings.clock())
