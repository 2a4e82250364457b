"""What the desk page shows, as one JSON document: the caseworker's desk, every desk, the queue, the visit.

The queue lists everyone waiting at the desk's location (so a caseworker sees the whole hall) in the
order this desk would call them, then those only other desks may call; `mine` says which is which.
Appointments appear by their short code; tickets by number. No name of a citizen is in it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.desk.board import utc_text
from backoffice.desk.call_next import Band, CallNextRule, Waiting, band_of, candidates
from backoffice.desk.calling import subject_of
from backoffice.desk.desks import all_desks, desk_of, open_visit
from backoffice.desk.models import Desk, QueueCall, Visit
from backoffice.desk.queue import start_of_today, waiting_now
from backoffice.desk.topic_names import topic_names
from backoffice.models import Location, StaffUser
from backoffice.roles import Role
from backoffice.settings import Settings

RECENT = 6


def _seconds(since: datetime, now: datetime) -> int:
    return max(0, round((now - since).total_seconds()))


def _desk(desk: Desk, location: str, taken_by: str | None, staff: StaffUser) -> dict[str, Any]:
    return {
        "id": desk.id,
        "name": desk.name,
        "location": location,
        "location_id": desk.location_id,
        "topics": desk.topics,
        "taken_by": taken_by,
        "mine": desk.staff_user_id == staff.id,
        "counter_paired": desk.counter_device_id is not None,
    }


def _waiting(
    item: Waiting, mine: bool, now: datetime, rule: CallNextRule, names: dict[str, str], zone: ZoneInfo
) -> dict[str, Any]:
    return {
        "kind": item.kind.value,
        "id": item.id,
        "label": item.label,
        "topic": item.topic,
        "topic_name": names.get(item.topic or "", ""),
        "waited_seconds": _seconds(item.queued_at, now),
        "due": band_of(item, now, rule) is Band.DUE,
        "starts_at": utc_text(item.starts_at) if item.starts_at else None,
        # The town hall's clock, not the browser's: "10:30" is what the appointment letter said.
        "starts_at_local": item.starts_at.astimezone(zone).strftime("%H:%M") if item.starts_at else None,
        "to_desk": item.target_desk_id,
        "mine": mine,
    }


def _current(db: Session, visit: Visit, now: datetime, names: dict[str, str]) -> dict[str, Any]:
    subject = subject_of(db, visit)
    return {
        "visit_id": visit.id,
        "kind": "ticket" if visit.ticket_id is not None else "appointment",
        "label": visit.label,
        "topic": visit.topic,
        "topic_name": names.get(visit.topic, visit.topic),
        "called_at": utc_text(visit.called_at),
        "waited_seconds": visit.waited_seconds,
        "serving_seconds": _seconds(visit.called_at, now),
        "recalls": subject.recalls,
    }


def _recent(db: Session, settings: Settings, location_id: int) -> list[dict[str, Any]]:
    rows = db.execute(
        select(QueueCall, Desk.name)
        .join(Desk, Desk.id == QueueCall.desk_id)
        .where(QueueCall.location_id == location_id, QueueCall.called_at >= start_of_today(settings))
        .order_by(QueueCall.id.desc())
        .limit(RECENT)
    )
    return [{"label": c.label, "desk": name, "kind": c.kind, "called_at": utc_text(c.called_at)} for c, name in rows]


def desk_state(db: Session, settings: Settings, staff: StaffUser, rule: CallNextRule, language: str) -> dict[str, Any]:
    now = settings.clock()
    desks = all_desks(db)
    state: dict[str, Any] = {
        "desk": None,
        "desks": [_desk(desk, location, taken_by, staff) for desk, location, taken_by in desks],
        "waiting": [],
        "current": None,
        "recent_calls": [],
        "topics": {},
        "can_create_desks": staff.role == Role.ADMIN,
        "locations": [],
        "server_time": utc_text(now),
    }
    if staff.role == Role.ADMIN:
        locations = db.execute(select(Location.id, Location.name).order_by(Location.name))
        state["locations"] = [{"id": i, "name": name} for i, name in locations]
    desk = desk_of(db, staff)
    if desk is None:
        return state
    names = topic_names(db, desk.location_id, language)
    state["desk"] = next(d for d in state["desks"] if d["id"] == desk.id)
    state["topics"] = names
    waiting = waiting_now(db, settings, desk.location_id)
    first = candidates(desk.id, desk.topics, waiting, now, rule)
    chosen = {(i.kind, i.id) for i in first}
    others = sorted((i for i in waiting if (i.kind, i.id) not in chosen), key=lambda i: (i.queued_at, i.id))
    zone = ZoneInfo(settings.display_timezone)
    state["waiting"] = [_waiting(i, True, now, rule, names, zone) for i in first] + [
        _waiting(i, False, now, rule, names, zone) for i in others
    ]
    visit = open_visit(db, desk.id)
    state["current"] = None if visit is None else _current(db, visit, now, names)
    state["recent_calls"] = _recent(db, settings, desk.location_id)
    return state
