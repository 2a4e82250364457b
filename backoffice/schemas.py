"""The device API's bodies, validated by pydantic: bad input is a 422 naming the field, never a 500."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

MAX_EVENTS_PER_BATCH = 500
ComponentName = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Strict(BaseModel):
    # Unknown fields are refused: a typo in a kiosk's field name shows up at once instead of data going missing.
    model_config = ConfigDict(extra="forbid")


class EnrollRequest(Strict):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    version: str = Field(default="", max_length=64)


class EnrollResponse(BaseModel):
    device_id: uuid.UUID
    token: str
    location: str
    heartbeat_interval: int


class HealthState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    FAILED = "failed"
    MISSING = "missing"


class ComponentHealth(Strict):
    state: HealthState
    reason: str = Field(default="", max_length=500)


class HeartbeatRequest(Strict):
    version: str = Field(max_length=64)
    uptime_seconds: int = Field(ge=0, le=2**63 - 1)  # the column is a BIGINT; larger is a 422, not a 500
    health: dict[ComponentName, ComponentHealth] = Field(default_factory=dict, max_length=32)


class HeartbeatResponse(BaseModel):
    server_time: datetime
    heartbeat_interval: int


class EventType(StrEnum):
    SESSION_STARTED = "session_started"
    SESSION_ENDED = "session_ended"
    TASK_DONE = "task_done"
    TICKET_ISSUED = "ticket_issued"
    CHECKED_IN = "checked_in"
    DOCUMENT_SUBMITTED = "document_submitted"
    FEEDBACK = "feedback"


class EventIn(Strict):
    id: uuid.UUID = Field(description="the idempotency key: the same id from the same device is stored once")
    type: EventType
    occurred_at: AwareDatetime
    session_id: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict)


class EventBatch(Strict):
    events: list[EventIn] = Field(max_length=MAX_EVENTS_PER_BATCH)


class EventResult(BaseModel):
    accepted: list[uuid.UUID]
    duplicates: list[uuid.UUID]
