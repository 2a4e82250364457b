"""Server-side staff sessions: a random token in the `balie_session` cookie, its hash and CSRF token in the database.

A session ends at the first of two deadlines: its absolute lifetime (a working day) and an idle
timeout (a screen left signed in at a counter must not stay open to the next person). `expires_at`
holds the nearer of the two, so one indexed column answers "is it still valid?" and clean-up deletes
both kinds; activity moves it forward, written at most once a minute so pages do not write per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice.models import StaffSession, StaffUser
from backoffice.settings import Settings

SESSION_COOKIE = "balie_session"
# Before sign-in there is no session yet; this cookie carries a nonce the sign-in form's CSRF token is bound to.
PRESESSION_COOKIE = "balie_presession"


def _sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffContext:
    """The signed-in colleague of one request."""

    user: StaffUser
    session: StaffSession

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


def _deadline(settings: Settings, created_at: datetime, seen_at: datetime) -> datetime:
    """Idle timeout after the last request, but never past the absolute lifetime."""
    return min(created_at + settings.session_lifetime, seen_at + settings.session_idle_timeout)


def start_session(db: Session, settings: Settings, user: StaffUser) -> str:
    """A new session; returns the cookie token (the database keeps only its hash)."""
    token = secrets.token_urlsafe(32)
    now = settings.clock()
    db.add(
        StaffSession(
            token_hash=_sha256(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=_deadline(settings, now, now),
        )
    )
    db.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    return token


def find_session(db: Session, settings: Settings, token: str | None) -> StaffContext | None:
    """The valid session of `token`, its idle deadline moved forward by this request (committed at once)."""
    if not token:
        return None
    found = db.scalar(select(StaffSession).where(StaffSession.token_hash == _sha256(token)))
    now = settings.clock()
    if found is None or found.expires_at <= now or not found.user.active:
        return None
    deadline = _deadline(settings, found.created_at, now)
    # Only when the deadline moves by a minute or more: a page with ten requests writes once, not ten times.
    if deadline - found.expires_at >= settings.session_touch_interval:
        found.expires_at = deadline
        db.commit()
    return StaffContext(user=found.user, session=found)


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(StaffSession).where(StaffSession.token_hash == _sha256(token)))


def presession_csrf(settings: Settings, nonce: str) -> str:
    """The sign-in form's CSRF token: an HMAC of the pre-session nonce, so no table row is needed per visitor."""
    return hmac.new(settings.secret_key, f"signin:{nonce}".encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())
