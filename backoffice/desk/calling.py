"""Calling a citizen to a desk: claim the next candidate atomically, open its visit, feed the display.

The claim is `UPDATE … SET status='called' … WHERE id=… AND status=<waiting>`: whichever caseworker's
statement reaches the row first changes it, the other's matches no row (PostgreSQL re-checks the WHERE
after waiting for the row lock; SQLite has one writer at a time) and tries its next candidate. So two
caseworkers, on one instance or two, never call the same ticket. The desk's own row is locked first,
so a double click at one desk cannot open two visits either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.audit import audit
from backoffice.desk.call_next import CallNextRule, QueueKind, Waiting, candidates
from backoffice.desk.desks import OPEN, open_visit
from backoffice.desk.errors import DeskConflict
from backoffice.desk.models import Desk, QueueCall, Visit
from backoffice.desk.queue import APPOINTMENT_WAITING, CALLED, TICKET_WAITING, waiting_now
from backoffice.models import StaffUser
from backoffice.models_counter import Appointment, Ticket
from backoffice.settings import Settings

TRANSFERRED = "transferred"
Subject = Ticket | Appointment


def lock_desk_of(db: Session, staff: StaffUser) -> Desk:
    """The caseworker's desk, its row locked for this transaction; DeskConflict when not signed in."""
    locked = db.execute(
        update(Desk)
        .where(Desk.staff_user_id == staff.id)
        .values(signed_in_at=Desk.signed_in_at)
        .returning(Desk.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if locked is None:
        raise DeskConflict("sign in to a desk first")
    desk = db.get(Desk, locked, populate_existing=True)
    assert desk is not None
    return desk


def subject_of(db: Session, visit: Visit) -> Subject:
    """The ticket or appointment a visit is about, as stored now."""
    found: Subject | None
    if visit.ticket_id is not None:
        found = db.get(Ticket, visit.ticket_id, populate_existing=True)
    else:
        found = db.get(Appointment, visit.appointment_id, populate_existing=True)
    assert found is not None  # the foreign key cascades: a visit outlives neither
    return found


def _claim(db: Session, item: Waiting, desk: Desk, staff: StaffUser, now: datetime) -> Subject | None:
    values: dict[str, Any] = {
        "status": CALLED,
        "desk_id": desk.id,
        "target_desk_id": None,
        "served_by": staff.id,
        "called_at": now,
        "service_started_at": now,
    }
    table: type[Ticket] | type[Appointment] = Ticket if item.kind is QueueKind.TICKET else Appointment
    waiting = TICKET_WAITING if item.kind is QueueKind.TICKET else APPOINTMENT_WAITING
    won = db.execute(
        update(table)
        .where(table.id == item.id, table.status == waiting)
        .values(**values)
        .returning(table.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if won is None:
        return None
    if item.kind is QueueKind.TICKET:
        return db.get(Ticket, item.id, populate_existing=True)
    return db.get(Appointment, item.id, populate_existing=True)


def _back_in_queue_since(db: Session, item: Waiting) -> datetime:
    """When this wait began: joining the queue, or the transfer that sent it on (its previous visit's end)."""
    column = Visit.ticket_id if item.kind is QueueKind.TICKET else Visit.appointment_id
    transferred = db.scalar(
        select(Visit.ended_at)
        .where(column == item.id, Visit.status == TRANSFERRED)
        .order_by(Visit.ended_at.desc())
        .limit(1)
    )
    return transferred or item.queued_at


def language_of(subject: Subject) -> str | None:
    """The citizen's kiosk language, from the ticket or the check-in; None (Dutch only) when not given."""
    return subject.language


def announce(db: Session, desk: Desk, label: str, kind: str, language: str | None, now: datetime) -> None:
    db.add(QueueCall(location_id=desk.location_id, desk_id=desk.id, label=label, kind=kind, language=language,
                     called_at=now))  # fmt: skip


def call_next(db: Session, settings: Settings, staff: StaffUser, rule: CallNextRule) -> Visit:
    """Call the best candidate this desk can win; DeskConflict when a visit is open or nobody waits. Commits."""
    desk = lock_desk_of(db, staff)
    if open_visit(db, desk.id) is not None:
        raise DeskConflict("finish the current visit (done, no-show or transfer) before calling the next")
    now = settings.clock()
    for item in candidates(desk.id, desk.topics, waiting_now(db, settings, desk.location_id), now, rule):
        subject = _claim(db, item, desk, staff, now)
        if subject is None:
            continue  # a colleague won this one a moment ago
        queued_at = _back_in_queue_since(db, item)
        visit = Visit(
            location_id=desk.location_id,
            desk_id=desk.id,
            caseworker_id=staff.id,
            ticket_id=item.id if item.kind is QueueKind.TICKET else None,
            appointment_id=item.id if item.kind is QueueKind.APPOINTMENT else None,
            label=item.label,
            topic=item.topic or subject.topic,
            queued_at=queued_at,
            called_at=now,
            waited_seconds=max(0, round((now - queued_at).total_seconds())),
            status=OPEN,
        )
        db.add(visit)
        announce(db, desk, item.label, "call", language_of(subject), now)
        audit(db, staff.username, "desk.call", f"desk:{desk.id} {item.kind.value}:{item.id}", at=now)
        db.commit()
        return visit
    raise DeskConflict("nobody is waiting for this desk")


def recall(db: Session, settings: Settings, staff: StaffUser) -> Visit:
    """Call the current citizen again (the display shows and announces it anew). Commits."""
    desk = lock_desk_of(db, staff)
    visit = open_visit(db, desk.id)
    if visit is None:
        raise DeskConflict("nobody has been called at this desk yet")
    now = settings.clock()
    subject = subject_of(db, visit)
    subject.recalls += 1
    subject.called_at = now
    announce(db, desk, visit.label, "recall", language_of(subject), now)
    audit(db, staff.username, "desk.recall", f"desk:{desk.id} visit:{visit.id}", at=now)
    db.commit()
    return visit
