"""The contact history's rules: the pseudonymous citizen key, channel keys, recording and reading contacts.

The identity a caller sends (BSN, or name and date of birth) is turned into a keyed hash at once and
dropped; nothing here stores, returns or logs it. The key comes from the server secret, so a copy of
the database alone cannot be searched for a known BSN (a plain hash of a 9-digit number could be).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.models import Location, StaffUser
from backoffice.models_contacts import ChannelKey, Contact
from backoffice.settings import Settings

CITIZEN_KEY_INFO = b"balie citizen key v1"
CHANNEL_KEY_PREFIX = "bck1"


class Channel(StrEnum):
    KIOSK = "kiosk"
    VIDEO = "video"
    COUNTER = "counter"
    PHONE = "phone"
    CHAT = "chat"
    EMAIL = "email"
    LETTER = "letter"


class IdentityError(ValueError):
    """The identity data cannot name one citizen (bad BSN, a missing part); the message names no value."""


@dataclass(frozen=True)
class Identity:
    """What a caller knows of the citizen: a BSN, or surname + given names + date of birth."""

    personal_number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    date_of_birth: date | None = None

    @property
    def has_personal_number(self) -> bool:
        return bool(self.personal_number and self.personal_number.strip())

    @property
    def has_name(self) -> bool:
        return bool(self.surname and self.surname.strip() and self.given_names and self.given_names.strip()) and (
            self.date_of_birth is not None
        )


def _passes_eleven_test(digits: str) -> bool:
    # The BSN check digit ("elfproef"): a mistyped number is refused instead of silently finding nobody.
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0 and digits != "000000000"


def normalise_personal_number(value: str) -> str:
    digits = re.sub(r"[\s.\-]", "", value)
    if not digits.isdigit() or len(digits) not in (8, 9):
        raise IdentityError("a personal number (BSN) has 8 or 9 digits")
    digits = digits.zfill(9)
    if not _passes_eleven_test(digits):
        raise IdentityError("this personal number (BSN) does not pass the check digit test")
    return digits


def normalise_name(value: str) -> str:
    """Uppercase, accents folded (Müller = MULLER, Çelik = CELIK), whitespace collapsed: spelling variants agree."""
    decomposed = unicodedata.normalize("NFKD", value)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.upper().split())


def _hash_key(settings: Settings) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CITIZEN_KEY_INFO)
    return hkdf.derive(settings.secret_key)


def citizen_key(settings: Settings, identity: Identity) -> str:
    """The pseudonym a citizen's contacts are stored under: HMAC-SHA256 of the normalised identity.

    A BSN wins when given (it is unique and stable); otherwise name and date of birth. The two give
    different keys for the same person, so a search with both looks under both (`citizen_keys`).
    """
    if identity.has_personal_number:
        message = "bsn:" + normalise_personal_number(identity.personal_number or "")
    elif identity.has_name and identity.date_of_birth is not None:
        parts = (normalise_name(identity.surname or ""), normalise_name(identity.given_names or ""))
        message = "name:" + "\x1f".join((*parts, identity.date_of_birth.isoformat()))
    else:
        raise IdentityError("give a personal number (BSN), or surname, given names and date of birth")
    return hmac.new(_hash_key(settings), message.encode(), hashlib.sha256).hexdigest()


def citizen_keys(settings: Settings, identity: Identity) -> list[str]:
    """Every key this identity may have been recorded under: by BSN and by name, when both are known."""
    keys = []
    if identity.has_personal_number:
        keys.append(citizen_key(settings, Identity(personal_number=identity.personal_number)))
    if identity.has_name:
        keys.append(
            citizen_key(
                settings,
                Identity(
                    surname=identity.surname, given_names=identity.given_names, date_of_birth=identity.date_of_birth
                ),
            )
        )
    if not keys:
        raise IdentityError("give a personal number (BSN), or surname, given names and date of birth")
    return keys


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_channel_key(db: Session, settings: Settings, name: str) -> str:
    """Create a key for another channel's system; returns the key, which is never shown again.

    A name whose key was revoked gets a new key in the same row (a leaked key is replaced, the name
    stays the one its contacts were recorded by); a name with a key in use raises `IntegrityError`.
    """
    secret = f"{CHANNEL_KEY_PREFIX}.{secrets.token_urlsafe(32)}"
    revoked = db.scalar(select(ChannelKey).where(ChannelKey.name == name, ChannelKey.revoked_at.is_not(None)))
    if revoked is not None:
        revoked.key_hash, revoked.created_at, revoked.revoked_at = _sha256(secret), settings.clock(), None
    else:
        db.add(ChannelKey(name=name, key_hash=_sha256(secret), created_at=settings.clock()))
    db.commit()
    return secret


class ChannelKeyUnknown(LookupError):
    """No channel key has this name."""


def revoke_channel_key(db: Session, settings: Settings, name: str) -> datetime:
    """Refuse the named channel's key from the next request on; returns when it was revoked (the first time)."""
    found = db.scalar(select(ChannelKey).where(ChannelKey.name == name))
    if found is None:
        raise ChannelKeyUnknown(name)
    if found.revoked_at is None:
        found.revoked_at = settings.clock()
        db.commit()
    return found.revoked_at


def channel_for_key(db: Session, key: str) -> ChannelKey | None:
    """The key's channel, revoked or not (the caller tells the two apart); None for an unknown key."""
    # The secret has 256 bits of entropy: a plain SHA-256 lookup is enough, no slow hash needed.
    return db.scalar(select(ChannelKey).where(ChannelKey.key_hash == _sha256(key)))


def add_contact(db: Session, settings: Settings, key: str, recorded_by: str, **fields: Any) -> Contact:
    """Store one contact under `key` (already hashed); the caller commits."""
    contact = Contact(id=uuid.uuid4(), citizen_key=key, recorded_by=recorded_by, recorded_at=settings.clock(), **fields)
    db.add(contact)
    return contact


@dataclass(frozen=True)
class HistoryRow:
    contact: Contact
    location: str | None
    caseworker: str | None


def history(db: Session, keys: list[str]) -> list[HistoryRow]:
    """All contacts under these keys, newest first, with the location's and the caseworker's names."""
    rows = db.execute(
        select(Contact, Location.name, StaffUser.username)
        .outerjoin(Location, Location.id == Contact.location_id)
        .outerjoin(StaffUser, StaffUser.id == Contact.caseworker_id)
        .where(Contact.citizen_key.in_(keys))
        .order_by(Contact.started_at.desc(), Contact.recorded_at.desc())
    )
    return [HistoryRow(contact=c, location=loc, caseworker=user) for c, loc, user in rows]


def local_day(moment: datetime, settings: Settings) -> date:
    return moment.astimezone(ZoneInfo(settings.display_timezone)).date()


def relative_words(then: date, today: date) -> tuple[str, int]:
    """How long ago, as a text key and a number: ("yesterday", 1), ("weeks_ago", 3), ("last_week", 1)…

    Calendar days in local time, so "yesterday" means the day before today where the caseworker sits.
    A contact dated in the future (a clock off on another channel) reads as today rather than as nonsense.
    """
    days = max((today - then).days, 0)
    if days == 0:
        return "today", 0
    if days == 1:
        return "yesterday", 1
    if days < 7:
        return "days_ago", days
    if days < 14:
        return "last_week", 1
    if days < 35:
        return "weeks_ago", days // 7
    if days < 60:
        return "last_month", 1
    if days < 365:
        return "months_ago", days // 30
    if days < 730:
        return "last_year", 1
    return "years_ago", days // 365
