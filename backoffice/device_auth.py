"""Device authentication: `Authorization: Bearer bd1.<device_id>.<secret>`, checked on every request.

No cache: a device revoked on the fleet page is refused on its very next request, on every instance.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from backoffice.app_state import DbDep
from backoffice.enrollment import TOKEN_PREFIX, sha256_hex
from backoffice.models import Device


def _refuse(detail: str) -> HTTPException:
    return HTTPException(status_code=401, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def device_for_token(db: Session, token: str) -> Device | None:
    prefix, _, rest = token.partition(".")
    device_id, _, secret = rest.partition(".")
    if prefix != TOKEN_PREFIX or not secret:
        return None
    try:
        key = uuid.UUID(device_id)
    except ValueError:
        return None
    device = db.get(Device, key)
    if device is None or not hmac.compare_digest(device.secret_hash, sha256_hex(secret)):
        return None
    return device


def authenticated_device(request: Request, db: DbDep) -> Device:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse("a device token is required: Authorization: Bearer bd1.<device_id>.<secret>")
    device = device_for_token(db, token.strip())
    if device is None:
        raise _refuse("unknown device token")
    if device.revoked_at is not None:
        raise _refuse("this device has been revoked; enroll it again with a new code")
    return device


DeviceDep = Annotated[Device, Depends(authenticated_device)]
