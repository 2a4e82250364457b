"""The audit log: every look at citizen data is recorded, so the municipality can answer "who saw my file?"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from backoffice.models import AuditEntry
from backoffice.settings import utc_now


def audit(db: Session, actor: str, action: str, subject: str, *, at: datetime | None = None) -> AuditEntry:
    """Add an entry to the caller's unit of work: it is committed with the look it records, or not at all.

    `subject` names what was looked at by a pseudonymous key, never by BSN or name.
    """
    entry = AuditEntry(at=at or utc_now(), actor=actor, action=action, subject=subject)
    db.add(entry)
    return entry
