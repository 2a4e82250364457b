"""Desks: created by an administrator, taken by one caseworker at a time, left only without an open visit."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.desk.errors import DeskConflict, DeskInputError, DeskNotFound
from backoffice.desk.models import Desk, Visit
from backoffice.models import Location, StaffSession, StaffUser
from backoffice.settings import Settings

OPEN = "open"
NAME_LENGTH = 20
TOPICS = re.compile(r"^[A-Z]*$")


def clean_topics(topics: str) -> str:
    """Capital letters, each once, in the order given (the order is the desk's priority)."""
    letters = topics.strip().upper().replace(" ", "").replace(",", "")
    if not TOPICS.match(letters):
        raise DeskInputError("topics are letters A to Z, for example AB")
    if len(set(letters)) != len(letters):
        raise DeskInputError("each topic letter may appear only once")
    return letters


def clean_name(name: str) -> str:
    clean = " ".join(name.split())
    if not clean or len(clean) > NAME_LENGTH:
        raise DeskInputError(f"a desk name is 1 to {NAME_LENGTH} characters, for example 3")
    return clean


def location_called(db: Session, name: str) -> Location:
    """An existing location: a desk for a mistyped name would stand in a town hall nobody enrolled."""
    found = db.scalar(select(Location).where(Location.name == " ".join(name.split())))
    if found is None:
        raise DeskNotFound(f"there is no location named {name!r}; enroll a device there first")
    return found


def create_desk(db: Session, settings: Settings, location: Location, name: str, topics: str = "") -> Desk:
    """A new desk at the location; a name taken there already is refused. The caller commits."""
    desk = Desk(
        location_id=location.id, name=clean_name(name), topics=clean_topics(topics), created_at=settings.clock()
    )
    db.add(desk)
    try:
        db.flush()
    except IntegrityError:
        db.rollback()
        raise DeskConflict(f"{location.name} already has a desk {desk.name}") from None
    return desk


def desk_by_id(db: Session, desk_id: int, *, for_update: bool = False) -> Desk:
    desk = db.get(Desk, desk_id, with_for_update=for_update)
    if desk is None:
        raise DeskNotFound(f"there is no desk with id {desk_id}")
    return desk


def desk_of(db: Session, staff: StaffUser) -> Desk | None:
    return db.scalar(select(Desk).where(Desk.staff_user_id == staff.id))


def open_visit(db: Session, desk_id: int) -> Visit | None:
    return db.scalar(select(Visit).where(Visit.desk_id == desk_id, Visit.status == OPEN))


def holder_present(db: Session, settings: Settings, user_id: int) -> bool:
    """Whether the colleague at a desk still has a live session anywhere."""
    live = select(StaffSession.token_hash).where(
        StaffSession.user_id == user_id, StaffSession.expires_at > settings.clock()
    )
    return db.scalar(live.limit(1)) is not None


def all_desks(db: Session) -> list[tuple[Desk, str, str | None]]:
    """Every desk with its location's name and the username of who works there, by location and name."""
    rows = db.execute(
        select(Desk, Location.name, StaffUser.username)
        .join(Location, Location.id == Desk.location_id)
        .outerjoin(StaffUser, StaffUser.id == Desk.staff_user_id)
        .order_by(Location.name, Desk.name)
    )
    return [(desk, location, user) for desk, location, user in rows]


def sign_in(db: Session, settings: Settings, staff: StaffUser, desk_id: int) -> Desk:
    """Take the desk; a caseworker at another desk moves, unless a visit there is still open. The caller commits.

    The desk is taken with `UPDATE … WHERE staff_user_id IS NULL` (or the colleague who left it), so of two
    colleagues taking the same desk at once one gets it and the other is told; the unique `staff_user_id`
    does the same for one colleague taking two desks from two tabs. A desk whose caseworker has no live
    session any more (signed out of the backoffice, or the session ended) and no open visit is free again:
    nobody has to find an administrator because a colleague went home without leaving the desk.
    """
    desk = desk_by_id(db, desk_id)
    if desk.staff_user_id == staff.id:
        return desk
    holder = desk.staff_user_id
    if holder is not None and (holder_present(db, settings, holder) or open_visit(db, desk.id) is not None):
        raise DeskConflict(f"desk {desk.name} is taken by a colleague; choose another desk")
    current = desk_of(db, staff)
    if current is not None:
        if open_visit(db, current.id) is not None:
            raise DeskConflict(f"finish the visit at desk {current.name} before moving to another desk")
        current.staff_user_id, current.signed_in_at = None, None
        db.flush()
    try:
        taken = db.execute(
            update(Desk)
            .where(Desk.id == desk.id, Desk.staff_user_id.is_(None) if holder is None else Desk.staff_user_id == holder)
            .values(staff_user_id=staff.id, signed_in_at=settings.clock())
            .returning(Desk.id)
            .execution_options(synchronize_session=False)
        ).scalar_one_or_none()
    except IntegrityError:
        db.rollback()
        raise DeskConflict("you were just signed in to another desk; reload the page") from None
    if taken is None:
        raise DeskConflict(f"desk {desk.name} is taken by a colleague; choose another desk")
    refreshed = db.get(Desk, desk.id, populate_existing=True)
    assert refreshed is not None
    return refreshed


def sign_out(db: Session, staff: StaffUser) -> Desk:
    """Leave the desk; refused while a visit is open, so no citizen is left standing without a caseworker."""
    desk = desk_of(db, staff)
    if desk is None:
        raise DeskConflict("you are not signed in to a desk")
    if open_visit(db, desk.id) is not None:
        raise DeskConflict("finish the current visit (done, no-show or transfer) before signing out")
    desk.staff_user_id, desk.signed_in_at = None, None
    db.flush()
    return desk
