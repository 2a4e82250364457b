"""The fleet page: every device's health at a glance, and revoking a lost or stolen device."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from backoffice.app_state import DbDep, SettingsDep
from backoffice.fleet import fleet_rows, revoke_device
from backoffice.roles import FLEET_ROLES
from backoffice.staff_access import require_role, require_role_and_csrf
from backoffice.staff_sessions import StaffContext
from backoffice.web import language_of, localised, render

router = APIRouter(include_in_schema=False)


@router.get("/fleet")
def fleet(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    staff: Annotated[StaffContext, Depends(require_role(*FLEET_ROLES))],
) -> Response:
    return render(request, "fleet.html", {"staff": staff, "rows": fleet_rows(db, settings)})


@router.post("/fleet/{device_id}/revoke")
def revoke(
    request: Request,
    device_id: uuid.UUID,
    db: DbDep,
    settings: SettingsDep,
    staff: Annotated[StaffContext, Depends(require_role_and_csrf(*FLEET_ROLES))],
) -> Response:
    if not revoke_device(db, settings, device_id):
        raise HTTPException(status_code=404, detail="no such device")
    return RedirectResponse(localised("/fleet", language_of(request)), status_code=303)
