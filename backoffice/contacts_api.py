"""`POST /api/v1/contacts`: other channels (the phone KCC, chat, a caseworker's own tools) record a contact.

Two ways in: a channel API key (`Authorization: Bearer bck1.…`, made with `balie backoffice channel-key`)
or a staff session with its CSRF token in the `X-CSRF-Token` header. The identity in the body is hashed
into the citizen key on arrival and dropped; it is never stored, logged or sent back.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from backoffice.app_state import DbDep, SettingsDep
from backoffice.contacts import Channel, Identity, IdentityError, add_contact, channel_for_key, citizen_key
from backoffice.models import Location
from backoffice.roles import Role
from backoffice.staff_sessions import SESSION_COOKIE, find_session, tokens_match

router = APIRouter(prefix="/api/v1", tags=["contacts"])
# Who sees citizens may record for them; a technician or a manager may not (they see devices, numbers).
CONTACT_ROLES = frozenset({Role.CASEWORKER, Role.ADMIN})
UNKNOWN_KEY = "unknown channel key"
REVOKED_KEY = "this channel key has been revoked; ask the backoffice administrator for a new one"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdentityIn(_Strict):
    personal_number: str | None = Field(default=None, max_length=16, description="BSN; wins when given")
    surname: str | None = Field(default=None, max_length=200)
    given_names: str | None = Field(default=None, max_length=200)
    date_of_birth: date | None = None

    @model_validator(mode="after")
    def one_way_to_name_a_citizen(self) -> IdentityIn:
        if not self.identity().has_personal_number and not self.identity().has_name:
            raise ValueError("give personal_number, or surname, given_names and date_of_birth")
        return self

    def identity(self) -> Identity:
        return Identity(self.personal_number, self.surname, self.given_names, self.date_of_birth)


class FeedbackIn(_Strict):
    how_did_it_go: int | None = Field(default=None, ge=1, le=4, description="1 (bad) to 4 (very good)")
    how_are_you: str | None = Field(default=None, max_length=200)


class ContactIn(_Strict):
    identity: IdentityIn
    channel: Channel
    topic: str = Field(min_length=1, max_length=200)
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    location_id: int | None = None
    outcome: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=4000)
    feedback: FeedbackIn | None = None


class ContactCreated(BaseModel):
    id: uuid.UUID


def _recorder(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
    x_csrf_token: Annotated[str | None, Header()] = None,
) -> tuple[str, int | None]:
    """Who records: ("channel:KCC", None) for a channel key, ("staff:carla", user id) for a session."""
    scheme, _, key = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and key.strip():
        channel = channel_for_key(db, key.strip())
        if channel is None:
            raise HTTPException(401, UNKNOWN_KEY, headers={"WWW-Authenticate": "Bearer"})
        if channel.revoked_at is not None:
            # Said plainly, so the channel's operator stops retrying and asks for a new key.
            raise HTTPException(401, REVOKED_KEY, headers={"WWW-Authenticate": "Bearer"})
        return f"channel:{channel.name}", None
    staff = find_session(db, settings, request.cookies.get(SESSION_COOKIE))
    if staff is None:
        raise HTTPException(
            401,
            "a channel key (Authorization: Bearer bck1.…) or a staff session is required",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if staff.user.role not in CONTACT_ROLES:
        raise HTTPException(403, "this role may not record contacts")
    if not tokens_match(staff.csrf_token, x_csrf_token or ""):
        raise HTTPException(403, "the X-CSRF-Token header is missing or wrong")
    return f"staff:{staff.user.username}", staff.user.id


@router.post("/contacts", status_code=201, responses={401: {}, 403: {}, 422: {}})
def record_contact(
    body: ContactIn,
    db: DbDep,
    settings: SettingsDep,
    recorder: Annotated[tuple[str, int | None], Depends(_recorder)],
) -> ContactCreated:
    """Record one contact; the identity becomes the citizen key here and goes no further."""
    try:
        key = citizen_key(settings, body.identity.identity())
    except IdentityError as exc:
        raise HTTPException(422, str(exc)) from None
    if body.location_id is not None and db.get(Location, body.location_id) is None:
        raise HTTPException(422, "no such location_id")
    if body.ended_at is not None and body.ended_at < body.started_at:
        raise HTTPException(422, "ended_at is before started_at")
    recorded_by, caseworker_id = recorder
    feedback = body.feedback.model_dump(exclude_none=True) if body.feedback else None
    contact = add_contact(
        db,
        settings,
        key,
        recorded_by,
        channel=body.channel.value,
        topic=body.topic,
        location_id=body.location_id,
        started_at=body.started_at,
        ended_at=body.ended_at,
        outcome=body.outcome,
        caseworker_id=caseworker_id,
        note=body.note,
        feedback=feedback or None,
    )
    db.commit()
    return ContactCreated(id=contact.id)
