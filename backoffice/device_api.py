"""The device API (`/api/v1/…`): enroll, heartbeat, events. Devices submit; no route here returns personal data.

These endpoints are `async def` and do their database work in one trip to a worker thread
(`in_session`, `in_connection`): heartbeats and events from 500 kiosks on one instance are the load they
are measured at (benchmarks/backoffice.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from backoffice.app_state import get_settings, in_connection, in_session
from backoffice.device_auth import DeviceTokenDep, known_device
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
UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"description": "missing, unknown or revoked device token"}}


@router.post("/enroll", responses={403: {"description": "the code is unknown, used or expired"}})
async def enroll_device(body: EnrollRequest, request: Request) -> EnrollResponse:
    settings = get_settings(request)

    def work(db: Session) -> EnrollResponse:
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

    return await in_session(request, work)


@router.post("/heartbeat", responses=UNAUTHORISED)
async def heartbeat(body: HeartbeatRequest, token: DeviceTokenDep, request: Request) -> HeartbeatResponse:
    settings = get_settings(request)

    def work(db: Connection) -> datetime:
        device = known_device(db, token)
        now = settings.clock()
        record_heartbeat(db, device, body, now)
        db.commit()
        return now

    now = await in_connection(request, work)
    return HeartbeatResponse(server_time=now, heartbeat_interval=settings.heartbeat_interval_seconds)


@router.post("/events", responses=UNAUTHORISED)
async def events(body: EventBatch, token: DeviceTokenDep, request: Request) -> EventResult:
    settings = get_settings(request)

    def work(db: Connection) -> EventResult:
        return store_events(db, known_device(db, token), body.events, settings.clock())

    return await in_connection(request, work)
