"""Who may use the desk page's API: a staff session of a caseworker or administrator; writes from the page only.

Answers are JSON sentences, not the sign-in redirect the pages get: the page's script shows them. A
write must carry an `Origin` naming this very host, which a browser always sends on a script's POST and a
page of another site cannot fake; the session cookie alone would be sent by any site's form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request

from backoffice.app_state import DbDep, SettingsDep
from backoffice.roles import Role
from backoffice.staff_sessions import SESSION_COOKIE, StaffContext, find_session

DESK_ROLES = frozenset({Role.CASEWORKER, Role.ADMIN})
SIGNED_OUT = "your session has ended; sign in again"
WRONG_ROLE = "the desk is for caseworkers and administrators"
CROSS_SITE = "this request must come from the desk page of this backoffice"


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host", "")


def _desk_staff(*, write: bool) -> Callable[..., StaffContext]:
    def dependency(request: Request, db: DbDep, settings: SettingsDep) -> StaffContext:
        context = find_session(db, settings, request.cookies.get(SESSION_COOKIE))
        if context is None:
            raise HTTPException(status_code=401, detail=SIGNED_OUT)
        if context.user.role not in DESK_ROLES:
            raise HTTPException(status_code=403, detail=WRONG_ROLE)
        if write and not same_origin(request):
            raise HTTPException(status_code=403, detail=CROSS_SITE)
        return context

    dependency.staff_roles = DESK_ROLES  # type: ignore[attr-defined]  # read by the route-coverage test
    return dependency


DeskReader = Annotated[StaffContext, Depends(_desk_staff(write=False))]
DeskWriter = Annotated[StaffContext, Depends(_desk_staff(write=True))]
