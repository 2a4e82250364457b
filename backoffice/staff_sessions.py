"""Server-side staff sessions: a random token in the `balie_session` cookie, its hash and CSRF token in the database."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

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
            expires_at=now + settings.session_lifetime,
        )
    )
    db.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
    return token


def find_session(db: Session, settings: Settings, token: str | None) -> StaffContext | None:
    if not token:
        return None
    found = db.scalar(select(StaffSession).where(StaffSession.token_hash == _sha256(token)))
    if found is None or found.expires_at <= settings.clock() or not found.user.active:
        return None
    return StaffContext(user=found.user, session=found)


def end_session(db: Session, token: str | None) -> None:
    if token:
        db.execute(delete(StaffSession).where(StaffSession.token_hash == _sha256(token)))


def presession_csrf(settings: Settings, nonce: str) -> str:
    """The sign-in form's CSRF token: an HMAC of the pre-session nonce, so no table row is needed per visitor."""
    return hmac.new(settings.secret_key, f"signin:{nonce}".encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), given.encode())
