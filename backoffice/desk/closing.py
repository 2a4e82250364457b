"""Ending a desk's visit: transfer (back to the queue with a new topic or desk), no-show, or done.

`done` closes the visit with its service time and, when the counter link read the citizen's identity,
records a `counter` contact under their key with the waiting and service times, outcome, note and
feedback: the visit lands in the contact history as the video call's does (backoffice/calls/records.py).
Without an identity, a note or feedback still goes to a contact, under a key that links to nobody: the
contact history is where notes live and where the retention job deletes them.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy.orm import Session

from backoffice.audit import audit
from backoffice.contacts import Channel, add_contact
from backoffice.desk.calling import TRANSFERRED, Subject, lock_desk_of, subject_of
from backoffice.desk.desks import clean_topics, desk_by_id, desk_of, open_visit
from backoffice.desk.errors import DeskConflict, DeskInputError
from backoffice.desk.models import Desk, Visit
from backoffice.desk.queue import APPOINTMENT_WAITING, DONE, NO_SHOW, TICKET_WAITING
from backoffice.desk.topic_names import topic_names
from backoffice.desk.visit_extras import VisitExtras
from backoffice.models import StaffUser
from backoffice.models_counter import Ticket
from backoffice.settings import Settings

ANONYMOUS_INFO = b"balie anonymous desk visit v1"
OUTCOME_LENGTH = 500
NOTE_LENGTH = 4000


@dataclass(frozen=True)
class TransferTarget:
    """Exactly one of the two: another topic's queue, or one desk."""

    topic: str | None = None
    desk_id: int | None = None


def current_visit(db: Session, staff: StaffUser) -> tuple[Desk, Visit]:
    desk = lock_desk_of(db, staff)
    visit = open_visit(db, desk.id)
    if visit is None:
        raise DeskConflict("there is no current visit at this desk; call the next citizen first")
    return desk, visit


def _close(visit: Visit, status: str, settings: Settings, outcome: str | None) -> None:
    now = settings.clock()
    visit.status, visit.ended_at, visit.outcome = status, now, outcome
    visit.service_seconds = max(0, round((now - visit.called_at).total_seconds()))


def _back_to_queue(subject: Subject) -> None:
    subject.status = TICKET_WAITING if isinstance(subject, Ticket) else APPOINTMENT_WAITING
    subject.desk_id = subject.served_by = subject.service_started_at = None


def transfer(db: Session, settings: Settings, staff: StaffUser, target: TransferTarget) -> Visit:
    """Back in the queue, keeping its place (age counts from when it joined), for another topic or desk."""
    if (target.topic is None) == (target.desk_id is None):
        raise DeskInputError("transfer to a topic or to a desk, not both and not neither")
    desk, visit = current_visit(db, staff)
    subject = subject_of(db, visit)
    _back_to_queue(subject)
    if target.topic is not None:
        topic = clean_topics(target.topic)
        if len(topic) != 1:
            raise DeskInputError("transfer to one topic letter, for example B")
        subject.queue_topic, subject.target_desk_id = topic, None
        outcome = f"transferred to topic {topic}"
    else:
        assert target.desk_id is not None
        other = desk_by_id(db, target.desk_id)
        if other.id == desk.id or other.location_id != desk.location_id:
            raise DeskInputError("transfer to another desk of this location")
        subject.target_desk_id = other.id
        outcome = f"transferred to desk {other.name}"
    _close(visit, TRANSFERRED, settings, outcome)
    audit(db, staff.username, "desk.transfer", f"desk:{desk.id} visit:{visit.id} {outcome}", at=settings.clock())
    db.commit()
    return visit


def no_show(db: Session, settings: Settings, staff: StaffUser) -> Visit:
    """Nobody came after the calls: the number leaves the queue, the visit counts no service time."""
    desk, visit = current_visit(db, staff)
    subject = subject_of(db, visit)
    subject.status, subject.done_at = NO_SHOW, settings.clock()
    _close(visit, NO_SHOW, settings, NO_SHOW)
    visit.service_seconds = None
    audit(db, staff.username, "desk.no_show", f"desk:{desk.id} visit:{visit.id}", at=settings.clock())
    db.commit()
    return visit


def _anonymous_key(settings: Settings, visit: Visit) -> str:
    # A note or feedback without a read document is kept (the dashboard counts feedback) under a key
    # that links to nobody, as the video call does.
    key = hmac.new(settings.secret_key, ANONYMOUS_INFO, hashlib.sha256).digest()
    return hmac.new(key, str(visit.id).encode(), hashlib.sha256).hexdigest()


def _record_contact(
    db: Session, settings: Settings, staff: StaffUser, visit: Visit, note: str | None, extras: VisitExtras
) -> None:
    if not extras.citizen_keys and extras.feedback is None and note is None:
        return
    # One contact under the first key, as the video call does: the history searches under all keys at once,
    # so a contact under each would show twice.
    key = extras.citizen_keys[0] if extras.citizen_keys else _anonymous_key(settings, visit)
    name = topic_names(db, visit.location_id, "nl").get(visit.topic)
    contact = add_contact(
        db,
        settings,
        key,
        f"staff:{staff.username}",
        channel=Channel.COUNTER.value,
        topic=f"{name} ({visit.topic})" if name else visit.topic,
        location_id=visit.location_id,
        started_at=visit.called_at,
        ended_at=visit.ended_at,
        outcome=visit.outcome,
        caseworker_id=staff.id,
        note=note,
        feedback=extras.feedback,
    )
    contact.waited_seconds, contact.service_seconds = visit.waited_seconds, visit.service_seconds


def check_done(outcome: str, note: str | None) -> tuple[str, str | None]:
    clean = " ".join(outcome.split())
    if not clean or len(clean) > OUTCOME_LENGTH:
        raise DeskInputError(f"give an outcome of 1 to {OUTCOME_LENGTH} characters")
    note = (note or "").strip() or None
    if note is not None and len(note) > NOTE_LENGTH:
        raise DeskInputError(f"a note is at most {NOTE_LENGTH} characters")
    return clean, note


def ensure_current(db: Session, staff: StaffUser) -> int:
    """The desk id with an open visit, read (no lock) before the counter link is asked for its extras:
    a `done` that is refused must not make the counter link forget what it read."""
    desk = desk_of(db, staff)
    if desk is None:
        raise DeskConflict("sign in to a desk first")
    if open_visit(db, desk.id) is None:
        raise DeskConflict("there is no current visit at this desk; call the next citizen first")
    return desk.id


def done(
    db: Session, settings: Settings, staff: StaffUser, outcome: str, note: str | None, extras: VisitExtras
) -> Visit:
    """The citizen was helped: close the visit and record the contact. Commits."""
    outcome, note = check_done(outcome, note)
    desk, visit = current_visit(db, staff)
    subject = subject_of(db, visit)
    subject.status, subject.done_at = DONE, settings.clock()
    _close(visit, DONE, settings, outcome)
    _record_contact(db, settings, staff, visit, note, extras)
    audit(db, staff.username, "desk.done", f"desk:{desk.id} visit:{visit.id}", at=settings.clock())
    db.commit()
    return visit
