"""What a call leaves behind: a contact under the citizen's keyed hash, and audited looks at the history.

Runs the database work on worker threads so the call loop never waits on the database. The chip's data
arrives here only to be hashed (`citizen_keys`); it is neither stored nor logged.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import anyio.to_thread
from sqlalchemy.orm import Session, sessionmaker

from backoffice.audit import audit
from backoffice.calls.routing import Call, Message, StaffIdentity
from backoffice.contacts import Channel, Identity, IdentityError, add_contact, citizen_keys, history, local_day
from backoffice.models_contacts import Contact
from backoffice.settings import Settings
from backoffice.visit_times import visit_minutes

VIEW_ACTION = "view_contact_history"  # the same action the caseworker page's search records
ANONYMOUS_INFO = b"balie anonymous call v1"


def identity_from_document(document: Message) -> Identity:
    """The chip's DG1 (and DG11) fields as the contact history's identity: BSN when it passes, and the name."""
    birth: date | None
    try:
        birth = date.fromisoformat(str(document.get("date_of_birth") or ""))
    except ValueError:
        birth = None
    number = str(document.get("personal_number") or "").strip() or None
    return Identity(
        personal_number=number,
        surname=str(document.get("surname") or "") or None,
        given_names=str(document.get("given_names") or "") or None,
        date_of_birth=birth,
    )


def _times(contact: Contact) -> Message:
    """A counter visit's waiting and service minutes (rounded as on the caseworker page), or nothing."""
    waited, served = visit_minutes(contact)
    return {"waited_minutes": waited, "service_minutes": served}


class DatabaseCallRecords:
    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        self.sessions = sessions
        self.settings = settings

    async def citizen_keys(self, identity: Message) -> list[str]:
        found = identity_from_document(identity)
        for attempt in (found, Identity(None, found.surname, found.given_names, found.date_of_birth)):
            try:
                return citizen_keys(self.settings, attempt)
            except IdentityError:
                continue  # a personal number that fails its check digit: fall back to the name
        return []

    async def history(self, keys: list[str], caseworker: StaffIdentity) -> list[Message]:
        return await anyio.to_thread.run_sync(self._history, keys, caseworker)

    def _history(self, keys: list[str], caseworker: StaffIdentity) -> list[Message]:
        zone = ZoneInfo(self.settings.display_timezone)
        today = local_day(self.settings.clock(), self.settings)
        with self.sessions() as db:
            rows = history(db, keys)
            for key in keys:
                audit(db, caseworker.username, VIEW_ACTION, key, at=self.settings.clock())
            db.commit()
            return [
                {
                    **_times(row.contact),
                    "when": row.contact.started_at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
                    "days_ago": (today - local_day(row.contact.started_at, self.settings)).days,
                    "channel": row.contact.channel,
                    "topic": row.contact.topic,
                    "location": row.location or "",
                    "outcome": row.contact.outcome or "",
                    "caseworker": row.caseworker or "",
                }
                for row in rows
            ]

    async def record(self, call: Call) -> None:
        await anyio.to_thread.run_sync(self._record, call)

    def _anonymous_key(self, call: Call) -> str:
        # A call without a read document still counts (dashboard, the caseworker's note) but links to nobody.
        key = hmac.new(self.settings.secret_key, ANONYMOUS_INFO, hashlib.sha256).digest()
        return hmac.new(key, call.id.encode(), hashlib.sha256).hexdigest()

    def _record(self, call: Call) -> None:
        fields: dict[str, Any] = {
            "topic": call.recorded_topic or call.topic,
            "outcome": call.outcome,
            "note": call.note,
            "feedback": call.feedback,
            "ended_at": _utc(call.ended_wall),
        }
        with self.sessions() as db:
            contact = db.get(Contact, call.contact_id) if call.contact_id is not None else None
            if contact is None:
                caseworker = call.caseworker.staff if call.caseworker is not None else None
                contact = add_contact(
                    db,
                    self.settings,
                    call.citizen_keys[0] if call.citizen_keys else self._anonymous_key(call),
                    f"staff:{caseworker.username}" if caseworker else f"device:{call.kiosk.device_id}",
                    channel=Channel.VIDEO.value,
                    location_id=call.kiosk.location_id,
                    started_at=_utc(call.started_at),
                    caseworker_id=caseworker.user_id if caseworker else None,
                    **fields,
                )
                call.contact_id = contact.id
            else:
                for name, value in fields.items():
                    setattr(contact, name, value)
            db.commit()


def _utc(moment: float | None) -> datetime | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC)
