"""Enrolling a device: a one-time code from `balie backoffice enroll-code` becomes a device and its token.

Token format `bd1.<device_id>.<secret>`: the id finds the device without a scan, the secret proves it;
only SHA-256 of the secret is stored (it has 256 bits, so no slow hash is needed).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backoffice.errors import EnrollmentRefused
from backoffice.models import Device, EnrollmentCode, Location
from backoffice.settings import Settings

TOKEN_PREFIX = "bd1"
# No 0/O, 1/I/L: a technician types the code on a touch screen, often reading it from a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def location_named(db: Session, settings: Settings, name: str) -> Location:
    """The location with this name, created when it is new (a technician enrolls the first kiosk of a branch)."""
    clean = " ".join(name.split())
    if not clean:
        raise EnrollmentRefused("the location name is empty")
    found = db.scalar(select(Location).where(Location.name == clean))
    if found is None:
        found = Location(name=clean, created_at=settings.clock())
        db.add(found)
        db.flush()
    return found


def new_enrollment_code(db: Session, settings: Settings, location_name: str) -> str:
    """A fresh code for `location_name`, valid once within the configured lifetime; committed here."""
    location = location_named(db, settings, location_name)
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * CODE_GROUP_LENGTH))
    now = settings.clock()
    db.add(
        EnrollmentCode(
            code_hash=sha256_hex(raw),
            location_id=location.id,
            created_at=now,
            expires_at=now + settings.enrollment_code_lifetime,
        )
    )
    db.commit()
    return "-".join(raw[i : i + CODE_GROUP_LENGTH] for i in range(0, len(raw), CODE_GROUP_LENGTH))


@dataclass(frozen=True)
class Enrolled:
    device: Device
    token: str


def enroll(db: Session, settings: Settings, code: str, name: str, version: str) -> Enrolled:
    """Spend `code` and create the device; the code cannot be spent twice, not even by two requests at once."""
    now = settings.clock()
    found = db.scalar(select(EnrollmentCode).where(EnrollmentCode.code_hash == sha256_hex(normalise_code(code))))
    if found is None:
        raise EnrollmentRefused("unknown enrollment code")
    if found.used_at is not None:
        raise EnrollmentRefused("this enrollment code has been used already")
    if found.expires_at <= now:
        raise EnrollmentRefused("this enrollment code has expired; ask for a new one")
    secret = secrets.token_urlsafe(32)
    device = Device(
        id=uuid.uuid4(),
        name=name,
        location_id=found.location_id,
        secret_hash=sha256_hex(secret),
        enrolled_at=now,
        version=version,
    )
    db.add(device)
    db.flush()
    # The conditional UPDATE is the real guard: of two concurrent enrollments only one changes the row.
    spent = db.execute(
        update(EnrollmentCode)
        .where(EnrollmentCode.id == found.id, EnrollmentCode.used_at.is_(None))
        .values(used_at=now, device_id=device.id)
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        db.rollback()
        raise EnrollmentRefused("this enrollment code has been used already")
    db.commit()
    return Enrolled(device=device, token=f"{TOKEN_PREFIX}.{device.id}.{secret}")
