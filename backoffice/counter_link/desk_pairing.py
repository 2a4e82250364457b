"""The desk side of the link in the database: which device faces which desk, and who may use it.

Plain database work, run on a worker thread by the lines and the pairing API. A pairing is stored in
`desks.counter_device_id` so it survives a restart; each change is audited with the desk and device ids.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.audit import audit
from backoffice.counter_link.sentences import CounterRefusal
from backoffice.desk.models import Desk
from backoffice.roles import Role
from backoffice.settings import Settings

PAIR_ACTION = "pair_counter_device"
UNPAIR_ACTION = "unpair_counter_device"


@dataclass(frozen=True)
class DeskRef:
    """A desk as the link needs it, read in one session and safe to hand to the event loop."""

    id: int
    name: str
    location_id: int
    device_id: uuid.UUID | None
    staff_user_id: int | None


@dataclass(frozen=True)
class Caller:
    """The staff member behind a desk page or a pairing request."""

    user_id: int
    username: str
    role: str


@dataclass(frozen=True)
class PairingChange:
    desk: DeskRef
    replaced_device: uuid.UUID | None  # the device that faced this desk before, now without a desk
    left_desk: int | None  # the desk the newly paired device faced before, now without a device


def _ref(desk: Desk) -> DeskRef:
    return DeskRef(desk.id, desk.name, desk.location_id, desk.counter_device_id, desk.staff_user_id)


def desk_id_from(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise CounterRefusal("bad_desk_id", 422)
    return value


def desk_of_device(db: Session, device_id: uuid.UUID) -> DeskRef | None:
    desk = db.scalar(select(Desk).where(Desk.counter_device_id == device_id))
    return None if desk is None else _ref(desk)


def _desk(db: Session, desk_id: int, *, for_update: bool = False) -> Desk:
    desk = db.get(Desk, desk_id, with_for_update=for_update)
    if desk is None:
        raise CounterRefusal("no_desk", 404)
    return desk


def desk_at_work(db: Session, desk_id: int, caller: Caller) -> DeskRef:
    """The desk, when `caller` works there now: only they may drive its device and see what it reads."""
    desk = _desk(db, desk_id)
    if desk.staff_user_id != caller.user_id:
        raise CounterRefusal("not_at_desk", 403)
    return _ref(desk)


def _may_pair(desk: Desk, caller: Caller) -> None:
    # An administrator sets up desks and their devices; a caseworker pairs the desk they work at.
    if caller.role != Role.ADMIN and desk.staff_user_id != caller.user_id:
        raise CounterRefusal("not_at_desk", 403)


def pair(
    db: Session, settings: Settings, desk_id: int, device_id: uuid.UUID, device_location: int | None, caller: Caller
) -> PairingChange:
    """Store the pairing (a device faces one desk, a desk has one device); commits with its audit line."""
    desk = _desk(db, desk_id, for_update=True)
    _may_pair(desk, caller)
    if device_location != desk.location_id:
        raise CounterRefusal("other_location", 409)
    replaced = desk.counter_device_id if desk.counter_device_id != device_id else None
    other = db.scalar(select(Desk).where(Desk.counter_device_id == device_id, Desk.id != desk.id))
    left = None
    if other is not None:
        other.counter_device_id, left = None, other.id
        db.flush()  # the column is unique: free it before this desk takes it
    desk.counter_device_id = device_id
    audit(db, caller.username, PAIR_ACTION, f"desk:{desk.id} device:{device_id}", at=settings.clock())
    db.commit()
    return PairingChange(_ref(desk), replaced, left)


def unpair(db: Session, settings: Settings, desk_id: int, caller: Caller) -> DeskRef:
    """Let the desk's device go; the returned desk still names it (`device_id`) so the device can be told."""
    desk = _desk(db, desk_id, for_update=True)
    _may_pair(desk, caller)
    before = _ref(desk)
    if desk.counter_device_id is not None:
        desk.counter_device_id = None
        audit(db, caller.username, UNPAIR_ACTION, f"desk:{desk.id} device:{before.device_id}", at=settings.clock())
        db.commit()
    return before
