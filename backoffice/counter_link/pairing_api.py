"""`POST /console/counter/api/pair` and `/unpair`: the desk page pairs its desk with the code a device shows.

JSON in, JSON out, like the desk page's own API: a refusal is `{"detail": "<one sentence>"}` with a 4xx,
in the page's language (`?lang=en`). Writes come only from the page itself: the staff cookie alone is not
enough, the `Origin` must be this server (a cross-site form could otherwise pair a stranger's device).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from backoffice.app_state import get_settings, in_session
from backoffice.calls.signaling import CONSOLE_ROLES
from backoffice.counter_link.desk_pairing import Caller, DeskRef, PairingChange, desk_id_from, pair, unpair
from backoffice.counter_link.hub import CounterHub
from backoffice.counter_link.lines import hub_of
from backoffice.counter_link.sentences import CounterRefusal, sentence
from backoffice.staff_access import require_role
from backoffice.staff_sessions import StaffContext
from backoffice.web import language_of

router = APIRouter()

Staff = Annotated[StaffContext, Depends(require_role(*CONSOLE_ROLES))]


def same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site") == "same-origin"
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise CounterRefusal("bad_desk_id", 422)
    return body


def _refused(request: Request, refusal: CounterRefusal) -> JSONResponse:
    return JSONResponse({"detail": refusal.sentence(language_of(request))}, status_code=refusal.status)


def _answer(hub: CounterHub, desk: DeskRef) -> dict[str, Any]:
    return {"desk_id": desk.id, "state": hub.state_of(desk.id).value}


@router.post("/console/counter/api/pair")
async def pair_desk(request: Request, staff: Staff) -> JSONResponse:
    if not same_origin(request):
        return JSONResponse({"detail": sentence("cross_origin", language_of(request))}, status_code=403)
    caller = Caller(staff.user.id, staff.user.username, staff.user.role)
    hub = hub_of(request)
    try:
        body = await _body(request)
        desk_id = desk_id_from(body.get("desk_id"))
        code = hub.claim_code(body.get("code"), caller.user_id)
    except CounterRefusal as refusal:
        if refusal.key == "code_expired":
            await hub.renew_codes()  # the device shows a fresh code at once, as the sentence says
        return _refused(request, refusal)
    settings = get_settings(request)

    def work(db: Session) -> PairingChange:
        return pair(db, settings, desk_id, code.device_id, code.location_id, caller)

    try:
        change = await in_session(request, work)
    except CounterRefusal as refusal:
        hub.release_code(code)  # the right desk may still use it
        return _refused(request, refusal)
    await hub.paired(change)
    return JSONResponse(_answer(hub, change.desk))


@router.post("/console/counter/api/unpair")
async def unpair_desk(request: Request, staff: Staff) -> JSONResponse:
    if not same_origin(request):
        return JSONResponse({"detail": sentence("cross_origin", language_of(request))}, status_code=403)
    caller = Caller(staff.user.id, staff.user.username, staff.user.role)
    hub = hub_of(request)
    settings = get_settings(request)
    try:
        desk_id = desk_id_from((await _body(request)).get("desk_id"))
        before = await in_session(request, lambda db: unpair(db, settings, desk_id, caller))
    except CounterRefusal as refusal:
        return _refused(request, refusal)
    await hub.unpaired(before)
    return JSONResponse({"desk_id": before.id, "state": hub.state_of(before.id).value})
