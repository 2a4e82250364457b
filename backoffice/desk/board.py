"""The waiting-room display's board: `GET /api/v1/display/board?after=ID` (device token).

Polled every second by each display, so it is a few small indexed reads. Calls come from `queue_calls`,
which every instance writes, so a display behind a load balancer sees calls made on any instance. The
board carries labels (ticket numbers, three characters of an appointment code), desks and languages only.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.app_state import get_settings, in_session
from backoffice.desk.models import Desk, QueueCall
from backoffice.desk.queue import start_of_today
from backoffice.desk.waits import topic_waits
from backoffice.device_auth import DeviceToken, DeviceTokenDep, authenticate
from backoffice.settings import Settings

router = APIRouter(prefix="/api/v1/display", tags=["devices"])

MAX_CALLS = 20
RECENT = 6
BAD_AFTER = "after must be a call id: a whole number, 0 or more"


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _call(row: QueueCall, desk: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "label": row.label,
        "desk": desk,
        "kind": row.kind,
        "language": row.language,
        "called_at": utc_text(row.called_at),
    }


def _calls(db: Session, settings: Settings, location_id: int, after: int, limit: int) -> list[dict[str, Any]]:
    """Today's newest `limit` calls after `after`, newest first: a display switched on in the morning does
    not show yesterday's last numbers."""
    rows = db.execute(
        select(QueueCall, Desk.name)
        .join(Desk, Desk.id == QueueCall.desk_id)
        .where(
            QueueCall.location_id == location_id,
            QueueCall.id > after,
            QueueCall.called_at >= start_of_today(settings),
        )
        .order_by(QueueCall.id.desc())
        .limit(limit)
    )
    return [_call(row, desk) for row, desk in rows]


def board(db: Session, request: Request, token: DeviceToken, after: int) -> dict[str, Any]:
    settings = get_settings(request)
    device = authenticate(db, token)
    recent = _calls(db, settings, device.location_id, 0, RECENT)
    # A display back from a long sleep gets the newest calls, not a backlog it would take minutes to read.
    newer = list(reversed(_calls(db, settings, device.location_id, after, MAX_CALLS)))
    waits = [
        {"topic": w.topic, "waiting": w.waiting, "expected_minutes": w.expected_minutes}
        for w in topic_waits(db, settings, device.location_id)
    ]
    return {"calls": newer, "recent": recent, "waits": waits, "server_time": utc_text(settings.clock())}


@router.get("/board")
async def display_board(request: Request, token: DeviceTokenDep) -> dict[str, Any]:
    """The calls after `after`, the last six, and the expected wait per topic (see backoffice/API.md)."""
    raw = request.query_params.get("after", "0")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise HTTPException(status_code=422, detail=BAD_AFTER)
    after = int(raw)
    return await in_session(request, lambda db: board(db, request, token, after))
