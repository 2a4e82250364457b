"""Remote configuration: a location's settings for its devices, set by an administrator, fetched by devices.

What may be set, and whether a document is good, is the kiosk's to say (`kiosk.remote_config`): the
backoffice runs the same check before storing, so a device is never sent settings it would refuse.
`GET /api/v1/config` answers with the settings, their version and an ETag; a device that sends the
ETag back in If-None-Match gets a 304 until the settings change. No personal data is in them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from backoffice.app_state import in_session
from backoffice.device_auth import DeviceTokenDep, authenticate
from backoffice.enrollment import location_named
from backoffice.errors import BackofficeError
from backoffice.models_location import LocationSettings
from backoffice.settings import Settings

router = APIRouter(prefix="/api/v1", tags=["devices"])


class LocationConfigRefused(BackofficeError):
    """The settings file cannot be read or a device would refuse it; the message names the key."""


@dataclass(frozen=True)
class StoredConfig:
    version: int
    settings: dict[str, Any]

    @property
    def etag(self) -> str:
        """The version and a digest of the document: a database restored from a backup may count versions
        anew, and a device must not take other settings under a version number it has seen."""
        canonical = json.dumps(self.settings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return f'"v{self.version}-{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"'


def read_settings_file(path: Path) -> dict[str, Any]:
    """A settings document from a JSON file, checked as a device checks it; LocationConfigRefused if not good."""
    from kiosk.errors import ConfigError
    from kiosk.remote_config import check_settings

    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LocationConfigRefused(f"{path}: cannot be read ({exc.strerror})") from None
    except ValueError as exc:
        raise LocationConfigRefused(f"{path}: not valid JSON ({exc})") from None
    try:
        check_settings(document)
    except ConfigError as exc:
        raise LocationConfigRefused(f"{path}: {exc.message}") from None
    assert isinstance(document, dict)  # check_settings refuses anything else
    return document


def set_location_config(db: Session, settings: Settings, location_name: str, document: dict[str, Any]) -> int:
    """Store a checked document for the location (created when new); returns its version. Commits."""
    location = location_named(db, settings, location_name)
    row = db.get(LocationSettings, location.id, with_for_update=True)
    now = settings.clock()
    if row is None:
        row = LocationSettings(location_id=location.id, version=1, settings=document, updated_at=now)
        db.add(row)
    elif row.settings != document:  # the same document again is the same version: no device refetches
        row.version += 1
        row.settings = document
        row.updated_at = now
    db.commit()
    return row.version


def config_for_location(db: Session, location_id: int) -> StoredConfig:
    """The location's settings; version 0 with nothing in it when none were ever set (devices use their own)."""
    row = db.get(LocationSettings, location_id)
    return StoredConfig(0, {}) if row is None else StoredConfig(row.version, dict(row.settings))


@router.get(
    "/config",
    responses={
        304: {"description": "the settings are still those of the ETag sent in If-None-Match"},
        401: {"description": "missing, unknown or revoked device token"},
    },
)
async def location_config(token: DeviceTokenDep, request: Request) -> Response:
    def work(db: Session) -> StoredConfig:
        return config_for_location(db, authenticate(db, token).location_id)

    stored = await in_session(request, work)
    headers = {"ETag": stored.etag, "Cache-Control": "no-cache"}
    sent = [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]
    if stored.etag in sent or "*" in sent:
        return Response(status_code=304, headers=headers)
    return JSONResponse({"version": stored.version, "settings": stored.settings}, headers=headers)
