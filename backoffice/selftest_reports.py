"""A device's last self-test (`balie provision selftest`), sent by the device and shown on the fleet page.

The technician runs the self-test on site; the one who plans the next visit reads it from the office.
Only the newest report is kept per device: it is a state ("how was it when last checked"), not a log.
Details are the checks' own words (device names, figures); a self-test carries no personal data.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import Field, StringConstraints
from sqlalchemy.orm import Session

from backoffice.app_state import get_settings, in_session
from backoffice.device_auth import DeviceTokenDep, authenticate
from backoffice.schemas import Strict

router = APIRouter(prefix="/api/v1", tags=["devices"])

CheckName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class CheckStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


class SelftestCheck(Strict):
    name: CheckName
    status: CheckStatus
    detail: str = Field(max_length=500)


class SelftestReport(Strict):
    """What `balie provision selftest --json` prints; `config` (a path on the device) is not kept."""

    passed: bool
    checks: list[SelftestCheck] = Field(min_length=1, max_length=40)
    finished_at: datetime
    duration_seconds: float = Field(ge=0, le=86_400)
    config: str | None = Field(default=None, max_length=500)
    version: str = Field(max_length=64)


class SelftestStored(Strict):
    stored_at: datetime


def stored_form(report: SelftestReport) -> dict[str, Any]:
    """The report as kept: the verdict recomputed from the checks, so a device cannot say "passed" over a failure."""
    return {
        "passed": all(check.status is not CheckStatus.FAILED for check in report.checks),
        "checks": [check.model_dump(mode="json") for check in report.checks],
        "finished_at": report.finished_at.isoformat(),
        "duration_seconds": report.duration_seconds,
        "version": report.version,
    }


@router.post("/selftest", responses={401: {"description": "missing, unknown or revoked device token"}})
async def receive_selftest(body: SelftestReport, token: DeviceTokenDep, request: Request) -> SelftestStored:
    settings = get_settings(request)

    def work(db: Session) -> datetime:
        device = authenticate(db, token)
        now = settings.clock()
        device.last_selftest = stored_form(body)
        device.last_selftest_at = now
        db.commit()
        return now

    return SelftestStored(stored_at=await in_session(request, work))
