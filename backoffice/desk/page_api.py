"""The desk page's API (`/console/desk/api/…`): the state, and each action a caseworker takes at a desk.

Every action runs in one transaction on a worker thread and adds its audit line there; a refusal is one
sentence (`DeskError` → `{"detail"}` with its 4xx). `done` first checks that a visit is open, then asks
the counter link for the visit's extras on the event loop (where the link's WebSocket lives), then closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, HTTPException, Request
from sqlalchemy.orm import Session

from backoffice.app_state import get_settings, in_session
from backoffice.audit import audit
from backoffice.desk import calling, closing, desks
from backoffice.desk.access import DeskReader, DeskWriter
from backoffice.desk.bodies import DeskChoice, DoneBody, Empty, NewDesk, TransferBody, read_body
from backoffice.desk.desk_state import desk_state
from backoffice.desk.errors import DeskError
from backoffice.desk.models import Desk
from backoffice.desk.rule_config import rule_of
from backoffice.desk.visit_extras import extras_for
from backoffice.models import Location, StaffUser
from backoffice.roles import Role
from backoffice.web import language_of

router = APIRouter(prefix="/console/desk/api")
T = TypeVar("T")
ADMINS_ONLY = "only an administrator can create desks"


async def _run(request: Request, work: Callable[[Session], T]) -> T:
    """`work` in its own session on a worker thread; the desk's refusals become one-sentence answers."""

    def guarded(db: Session) -> T:
        try:
            return work(db)
        except DeskError as error:
            db.rollback()
            raise HTTPException(status_code=error.status, detail=str(error)) from None

    return await in_session(request, guarded)


async def _state(request: Request, staff: StaffUser) -> dict[str, Any]:
    settings, rule, language = get_settings(request), rule_of(request.app.state), language_of(request)
    return await _run(request, lambda db: desk_state(db, settings, staff, rule, language))


@router.get("/state")
async def state(request: Request, staff: DeskReader) -> dict[str, Any]:
    return await _state(request, staff.user)


@router.post("/desks")
async def create_desk(request: Request, staff: DeskWriter) -> dict[str, Any]:
    body = await read_body(request, NewDesk)
    if staff.user.role != Role.ADMIN:
        raise HTTPException(status_code=403, detail=ADMINS_ONLY)
    settings = get_settings(request)

    def work(db: Session) -> Desk:
        location = db.get(Location, body.location_id)
        if location is None:
            raise HTTPException(status_code=404, detail=f"there is no location with id {body.location_id}")
        desk = desks.create_desk(db, settings, location, body.name, body.topics)
        audit(db, staff.user.username, "desk.create", f"desk:{desk.id}", at=settings.clock())
        db.commit()
        return desk

    await _run(request, work)
    return await _state(request, staff.user)


@router.post("/sign-in")
async def sign_in(request: Request, staff: DeskWriter) -> dict[str, Any]:
    body = await read_body(request, DeskChoice)
    settings = get_settings(request)

    def work(db: Session) -> None:
        desk = desks.sign_in(db, settings, staff.user, body.desk_id)
        audit(db, staff.user.username, "desk.sign_in", f"desk:{desk.id}", at=settings.clock())
        db.commit()

    await _run(request, work)
    return await _state(request, staff.user)


@router.post("/sign-out")
async def sign_out(request: Request, staff: DeskWriter) -> dict[str, Any]:
    await read_body(request, Empty)
    settings = get_settings(request)

    def work(db: Session) -> None:
        desk = desks.sign_out(db, staff.user)
        audit(db, staff.user.username, "desk.sign_out", f"desk:{desk.id}", at=settings.clock())
        db.commit()

    await _run(request, work)
    return await _state(request, staff.user)


@router.post("/call-next")
async def call_next(request: Request, staff: DeskWriter) -> dict[str, Any]:
    await read_body(request, Empty)
    settings, rule = get_settings(request), rule_of(request.app.state)
    await _run(request, lambda db: calling.call_next(db, settings, staff.user, rule))
    return await _state(request, staff.user)


@router.post("/recall")
async def recall(request: Request, staff: DeskWriter) -> dict[str, Any]:
    await read_body(request, Empty)
    settings = get_settings(request)
    await _run(request, lambda db: calling.recall(db, settings, staff.user))
    return await _state(request, staff.user)


@router.post("/transfer")
async def transfer(request: Request, staff: DeskWriter) -> dict[str, Any]:
    body = await read_body(request, TransferBody)
    settings = get_settings(request)
    target = closing.TransferTarget(topic=body.topic, desk_id=body.desk_id)
    desk_id = await _run(request, lambda db: closing.transfer(db, settings, staff.user, target).desk_id)
    _forget_visitor(request, desk_id)
    return await _state(request, staff.user)


@router.post("/no-show")
async def no_show(request: Request, staff: DeskWriter) -> dict[str, Any]:
    await read_body(request, Empty)
    settings = get_settings(request)
    desk_id = await _run(request, lambda db: closing.no_show(db, settings, staff.user).desk_id)
    _forget_visitor(request, desk_id)
    return await _state(request, staff.user)


def _forget_visitor(request: Request, desk_id: int | None) -> None:
    """A visit that ends without `done` leaves the desk too: what the counter link holds of the citizen
    (their keys, their feedback) is dropped and the counter device wiped, so none of it can end up on
    the next visitor's contact."""
    if desk_id is not None:
        extras_for(request.app.state, desk_id)


@router.post("/done")
async def done(request: Request, staff: DeskWriter) -> dict[str, Any]:
    body = await read_body(request, DoneBody)
    settings = get_settings(request)
    try:
        outcome, note = closing.check_done(body.outcome, body.note)
    except DeskError as error:
        raise HTTPException(status_code=error.status, detail=str(error)) from None
    desk_id = await _run(request, lambda db: closing.ensure_current(db, staff.user))
    extras = extras_for(request.app.state, desk_id)
    await _run(request, lambda db: closing.done(db, settings, staff.user, outcome, note, extras))
    return await _state(request, staff.user)
