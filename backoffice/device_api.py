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

from backoffice import enroll_limit
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


@router.post(
    "/enroll",
    responses={
        403: {"description": "the code is unknown, used or expired"},
        429: {"description": "too many failed enrollments from this address; Retry-After says when to try again"},
    },
)
async def enroll_device(body: EnrollRequest, request: Request) -> EnrollResponse:
    settings = get_settings(request)
    subject = enroll_limit.subject_for(settings, request.client.host if request.client else "unknown")

    def work(db: Session) -> EnrollResponse:
        wait = enroll_limit.retry_after(db, settings, subject)
        if wait is not None:
            minutes = _in_minutes(wait)
            raise HTTPException(
                status_code=429,
                detail=f"too many failed enrollments from this address; try again in {minutes}",
                headers={"Retry-After": str(wait)},
            )
        try:
            enrolled = enroll(db, settings, body.code, body.name, body.version)
        except EnrollmentRefused as exc:
            db.rollback()
            enroll_limit.record_failure(db, settings, subject)
            db.commit()
            raise HTTPException(status_code=403, detail=str(exc)) from exc
        return EnrollResponse(
            device_id=enrolled.device.id,
            token=enrolled.token,
            location=enrolled.device.location.name,
            heartbeat_interval=settings.heartbeat_interval_seconds,
        )

    return await in_session(request, work)


def _in_minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


@router.post("/heartbeat", responses=UNAUTHORISED)
async def heartbeat(body: HeartbeatRequest, token: DeviceTokenDep, request: Request) -> HeartbeatResponse:
    settings = get_settings(request)

    def work(db: Connection) -> datetime:
        now = settings.clock()
        record_heartbeat(db, token, body, now)
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
