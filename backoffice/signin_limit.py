"""The sign-in rate limit, kept in the database so every instance behind the load balancer counts the same.

Subjects (the username and the client address) are stored only as keyed hashes: the table says how
often something failed, not who tried from where.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from backoffice.models import SignInFailure
from backoffice.settings import Settings


@dataclass(frozen=True)
class Subjects:
    user: str
    address: str


def subjects_for(settings: Settings, username: str, address: str) -> Subjects:
    def keyed(kind: str, value: str) -> str:
        return hmac.new(settings.secret_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()

    return Subjects(user=keyed("user", username), address=keyed("address", address))


def _failures_since(db: Session, settings: Settings, subject: str) -> int:
    since = settings.clock() - settings.signin_window
    recent = (SignInFailure.subject_hash == subject, SignInFailure.at > since)
    count = db.scalar(select(func.count()).select_from(SignInFailure).where(*recent))
    return int(count or 0)


def is_limited(db: Session, settings: Settings, subjects: Subjects) -> bool:
    """Checked before the password, so a locked-out guesser learns nothing from further tries."""
    return (
        _failures_since(db, settings, subjects.user) >= settings.signin_max_failures_per_user
        or _failures_since(db, settings, subjects.address) >= settings.signin_max_failures_per_address
    )


def record_failure(db: Session, settings: Settings, subjects: Subjects) -> None:
    now = settings.clock()
    db.add_all([SignInFailure(subject_hash=subject, at=now) for subject in (subjects.user, subjects.address)])
    # Old rows count for nothing; dropping them here keeps the table small without a separate job.
    db.execute(delete(SignInFailure).where(SignInFailure.at <= now - settings.signin_window))


def clear_user_failures(db: Session, subjects: Subjects) -> None:
    db.execute(delete(SignInFailure).where(SignInFailure.subject_hash == subjects.user))
