"""The enrollment rate limit: failed enrollments per client address, counted in the database like sign-ins.

Every instance behind the load balancer counts the same rows. The address is stored only as a keyed
hash, in the sign-in failures table under its own kind, so it never matches a sign-in subject. Only
failures count: a technician enrolling a whole branch from one address is never held up.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from backoffice.models import SignInFailure
from backoffice.settings import Settings

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 10


def subject_for(settings: Settings, address: str) -> str:
    return hmac.new(settings.secret_key, f"enroll-address:{address}".encode(), hashlib.sha256).hexdigest()


def retry_after(db: Session, settings: Settings, subject: str) -> int | None:
    """Seconds until this address may try again, or None when it may now (checked before the code)."""
    now = settings.clock()
    recent = db.scalars(
        select(SignInFailure.at)
        .where(SignInFailure.subject_hash == subject, SignInFailure.at > now - WINDOW)
        .order_by(SignInFailure.at.desc())
        .limit(MAX_FAILURES_PER_ADDRESS)
    ).all()
    if len(recent) < MAX_FAILURES_PER_ADDRESS:
        return None
    # Free again when the oldest of the last MAX failures leaves the window.
    return max(1, math.ceil((recent[-1] + WINDOW - now).total_seconds()))


def record_failure(db: Session, settings: Settings, subject: str) -> None:
    now = settings.clock()
    db.add(SignInFailure(subject_hash=subject, at=now))
    # This address's old rows count for nothing (the sign-in limit clears its own the same way).
    db.execute(delete(SignInFailure).where(SignInFailure.subject_hash == subject, SignInFailure.at <= now - WINDOW))
