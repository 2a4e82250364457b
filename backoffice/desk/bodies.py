"""The desk page API's request bodies, and bad ones turned into one sentence (`{"detail": "…"}`, 422).

FastAPI's own 422 is a list of pydantic errors; the page shows `detail` as it comes, so it is one line.
"""

from __future__ import annotations

import json
from typing import TypeVar

from fastapi import HTTPException, Request
from pydantic import Field, ValidationError

from backoffice.schemas import Strict

M = TypeVar("M", bound=Strict)
MAX_BODY = 16_384


class Empty(Strict):
    pass


class DeskChoice(Strict):
    desk_id: int = Field(ge=1)


class TransferBody(Strict):
    topic: str | None = Field(default=None, max_length=5)
    desk_id: int | None = Field(default=None, ge=1)


class DoneBody(Strict):
    outcome: str = Field(max_length=2000)
    note: str | None = Field(default=None, max_length=8000)


class NewDesk(Strict):
    location_id: int = Field(ge=1)
    name: str = Field(max_length=100)
    topics: str = Field(default="", max_length=60)


def _sentence(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        return f"{where} is not a field of this request"
    if first["type"] == "missing":
        return f"{where} is required"
    return f"{where}: {first['msg']}" if where else str(first["msg"])


async def read_body(request: Request, model: type[M]) -> M:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise HTTPException(status_code=413, detail="the request is too large")
    try:
        data = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise HTTPException(status_code=422, detail="the body must be JSON") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise HTTPException(status_code=422, detail=_sentence(error)) from None
