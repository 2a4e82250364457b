"""Device authentication: `Authorization: Bearer bd1.<device_id>.<secret>`, checked on every request.

No cache: a device revoked on the fleet page is refused on its very next request, on every instance.
The token's form is checked without the database (`device_token`, in the event loop, before the body is
read); the device, its secret and its revocation with it, by one rule: `authenticate` gives the ORM
`Device` (counter and document routes), `known_device` one row read with a prepared statement (events),
and `PROVEN` states the rule as a WHERE clause inside the heartbeat's own UPDATE (the routes 500 kiosks
call all day).
"""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, NoReturn, cast

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from backoffice.app_state import DbDep
from backoffice.enrollment import TOKEN_PREFIX, sha256_hex
from backoffice.models import Device

MISSING = "a device token is required: Authorization: Bearer bd1.<device_id>.<secret>"
UNKNOWN = "unknown device token"
REVOKED = "this device has been revoked; enroll it again with a new code"

_devices = cast(Table, Device.__table__)
_credentials = select(_devices.c.secret_hash, _devices.c.revoked_at, _devices.c.location_id, _devices.c.state).where(
    _devices.c.id == bindparam("device_id")
)
# The same rule as a WHERE clause, for a statement that authenticates and writes at once (the heartbeat):
# the token's device, with the token's secret, not revoked. Comparing in SQL is not constant-time, but what
# is compared is a SHA-256 of a 256-bit secret: timing that reveals the stored hash reveals nothing usable.
PROVEN = (
    _devices.c.id == bindparam("proven_device"),
    _devices.c.secret_hash == bindparam("proven_hash"),
    _devices.c.revoked_at.is_(None),
)


@dataclass(frozen=True)
class DeviceToken:
    """A token of the right form: which device it names and the secret that should prove it."""

    device_id: uuid.UUID
    secret: str


@dataclass(frozen=True)
class KnownDevice:
    """An enrolled, unrevoked device that proved its token: what its heartbeats and events need of it."""

    id: uuid.UUID
    location_id: int
    state: str | None


def _refuse(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def parse_token(token: str) -> DeviceToken | None:
    prefix, _, rest = token.partition(".")
    device_id, _, secret = rest.partition(".")
    if prefix != TOKEN_PREFIX or not secret:
        return None
    try:
        return DeviceToken(uuid.UUID(device_id), secret)
    except ValueError:
        return None


def _refusal(token: DeviceToken, secret_hash: str | None, revoked_at: datetime | None) -> str | None:
    """Why a device with this stored hash and revocation (None: no such device) is refused, or None."""
    if secret_hash is None or not hmac.compare_digest(secret_hash, sha256_hex(token.secret)):
        return UNKNOWN
    return REVOKED if revoked_at is not None else None


def device_for_token(db: Session, token: str) -> Device | None:
    """The device this token proves, revoked or not; None for a token of the wrong form or secret."""
    parsed = parse_token(token)
    device = None if parsed is None else db.get(Device, parsed.device_id)
    if parsed is None or device is None or _refusal(parsed, device.secret_hash, None) is not None:
        return None
    return device


def token_from(request: Request) -> DeviceToken:
    """The request's token, of the right form, or a 401; no database needed."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse(MISSING)
    parsed = parse_token(token.strip())
    if parsed is None:
        raise _refuse(UNKNOWN)
    return parsed


def authenticate(db: Session, token: DeviceToken) -> Device:
    """The device the token proves, or a 401: unknown, wrong secret or revoked."""
    device = db.get(Device, token.device_id)
    refused = _refusal(token, None, None) if device is None else _refusal(token, device.secret_hash, device.revoked_at)
    if refused is not None or device is None:
        raise _refuse(refused or UNKNOWN)
    return device


def known_device(connection: Connection, token: DeviceToken) -> KnownDevice:
    """As `authenticate`, in one row read on a plain connection."""
    row = connection.execute(_credentials, {"device_id": token.device_id}).first()
    refused = _refusal(token, None, None) if row is None else _refusal(token, row.secret_hash, row.revoked_at)
    if refused is not None or row is None:
        raise _refuse(refused or UNKNOWN)
    return KnownDevice(id=token.device_id, location_id=row.location_id, state=row.state)


def proven_by(token: DeviceToken) -> dict[str, object]:
    """The parameters of `PROVEN` for this token."""
    return {"proven_device": token.device_id, "proven_hash": sha256_hex(token.secret)}


def refuse_unproven(connection: Connection, token: DeviceToken) -> NoReturn:
    """The 401 for a token a `PROVEN` statement found no device for: unknown, wrong secret or revoked."""
    known_device(connection, token)  # raises the 401 that says which
    raise _refuse(UNKNOWN)  # only if the row changed between the two statements: refuse all the same


async def device_token(request: Request) -> DeviceToken:
    # async: FastAPI runs it in the event loop, so checking a header costs no trip to a worker thread.
    return token_from(request)


def authenticated_device(request: Request, db: DbDep) -> Device:
    return authenticate(db, token_from(request))


DeviceTokenDep = Annotated[DeviceToken, Depends(device_token)]
DeviceDep = Annotated[Device, Depends(authenticated_device)]
