"""Identify with a passport or ID card: what the citizen typed, and what a chip read means for them.

No Qt here: the screen (kiosk.ui.screens.identify) and the worker thread
(kiosk.ui.identity_service) share these plain functions. The chip's errors become one of a
few outcome kinds, each with one B1 sentence; the data that later steps need (the caseworker
compares the chip photo with the live image) is kept in a frozen `VerifiedIdentity` that lives
in the citizen's session only and prints nothing personal.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from drivers.cardreader.icao.document import AuthenticityStatus, CanKey, ImageFormat, MrzKey
from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError
from kiosk.i18n import N_

if TYPE_CHECKING:
    from drivers.cardreader.icao.reader import ChipRead

log = logging.getLogger(__name__)

DOCUMENT_NUMBER_MAX = 14  # 9 in the MRZ field plus the overflow some states use (ICAO 9303-3 §4.2.4)
DOCUMENT_NUMBER_MIN = 5
DATE_DIGITS = 8  # DD MM YYYY as the citizen reads it from the document
CAN_DIGITS = 6  # ICAO 9303-11 §9.7.3: the card access number is printed on the card


class ReadResult(StrEnum):
    """How a read ended, as the citizen needs to know it; also the only thing that is logged."""

    READ = "read"
    ACCESS_DENIED = "access_denied"  # wrong document number, dates or CAN
    CARD_REMOVED = "card_removed"
    NO_DOCUMENT = "no_document"  # nothing was laid on the reader in time
    CHIP_FAULT = "chip_fault"
    CANCELLED = "cancelled"  # the citizen stopped, or the kiosk closed


MESSAGES = {
    ReadResult.ACCESS_DENIED: N_("The details do not match this document. Check them and try again."),
    ReadResult.CARD_REMOVED: N_("The document was taken away. Put it back on the reader and try again."),
    ReadResult.NO_DOCUMENT: N_("We do not see a document on the reader. Lay it flat on the reader and try again."),
    ReadResult.CHIP_FAULT: N_("We cannot read the chip in this document. A staff member can help you."),
}
WRONG_CAN = N_(
    "The number does not match this card. Check the 6 digits on the front and try again. "
    "Is there no such number on your document? Then type the document number and dates."
)
LETTER_O_HINT = N_("Tip: Dutch documents use the digit 0 (zero), never the letter O.")


@dataclass(frozen=True, slots=True)
class Portrait:
    """The chip photo decoded to 8-bit RGB, so the screen can show it without decoding on the UI thread."""

    width: int
    height: int
    rgb: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """Who the citizen confirmed to be, from the chip: only what later steps need.

    `authenticity` says whether passive authentication vouched for the data; a caseworker
    still compares `photo` with the live camera image.
    """

    given_names: str
    surname: str
    document_number: str
    date_of_birth: dt.date | None
    date_of_expiry: dt.date | None
    photo: bytes | None  # as stored on the chip (JPEG or JPEG 2000)
    photo_format: ImageFormat | None
    authenticity: AuthenticityStatus
    access_control: str  # "PACE" or "BAC"
    nationality: str = ""
    # The MRZ's optional data when it is a Dutch BSN (9 digits): it links the citizen's contacts across
    # channels in the backoffice (hashed there), and is shown to no one at the kiosk.
    personal_number: str = ""
    authenticity_reason: str = ""

    def __repr__(self) -> str:
        return f"VerifiedIdentity(authenticity={self.authenticity.value}, …)"

    @property
    def first_names(self) -> str:
        """Given names as people write them ("ANNA MARIA" on the chip → "Anna Maria")."""
        return display_name(self.given_names)


@dataclass(frozen=True, slots=True)
class IdentityOutcome:
    """The end of one read: a kind, and the identity and photo when the chip was read."""

    kind: ReadResult
    identity: VerifiedIdentity | None = None
    portrait: Portrait | None = None
    message: str = ""  # msgid to show; empty for READ and CANCELLED

    def __repr__(self) -> str:
        return f"IdentityOutcome({self.kind.value})"


def display_name(mrz_name: str) -> str:
    return " ".join(word.title() for word in mrz_name.replace("<", " ").split())


def outcome_of_read(read: ChipRead) -> IdentityOutcome:
    mrz = read.mrz
    photo = read.photo
    identity = VerifiedIdentity(
        given_names=mrz.given_names,
        surname=mrz.surname,
        document_number=mrz.document_number,
        date_of_birth=mrz.date_of_birth,
        date_of_expiry=mrz.date_of_expiry,
        photo=photo.data if photo is not None else None,
        photo_format=photo.format if photo is not None else None,
        authenticity=read.authenticity.status,
        access_control=read.access_control,
        nationality=mrz.nationality,
        personal_number=_personal_number(mrz.optional_data),
        authenticity_reason=read.authenticity.reason,
    )
    portrait = decode_portrait(photo.data) if photo is not None else None
    log.info("identity read: %s, authenticity %s", ReadResult.READ.value, read.authenticity.status.value)
    return IdentityOutcome(ReadResult.READ, identity, portrait)


def outcome_of_error(error: Exception, key: MrzKey | CanKey) -> IdentityOutcome:
    """Turn what the reader raised into what the citizen is told (ICAO errors are typed in the driver)."""
    from drivers.cardreader.icao.reader import CardRemovedError

    if isinstance(error, AuthenticationFailed):
        kind, message = ReadResult.ACCESS_DENIED, WRONG_CAN if isinstance(key, CanKey) else ""
    elif isinstance(error, CardRemovedError):
        kind, message = ReadResult.CARD_REMOVED, ""
    elif isinstance(error, IcaoError):
        kind, message = ReadResult.CHIP_FAULT, ""
    else:  # a driver bug must not leave the citizen waiting: it is a fault like any other
        log.error("identity read failed unexpectedly: %s", type(error).__name__)
        kind, message = ReadResult.CHIP_FAULT, ""
    log.info("identity read: %s (%s)", kind.value, type(error).__name__)
    return IdentityOutcome(kind, message=message or MESSAGES[kind])


def ended(kind: ReadResult) -> IdentityOutcome:
    """An outcome without an error: nothing on the reader, or the read was stopped."""
    log.info("identity read: %s", kind.value)
    return IdentityOutcome(kind, message=MESSAGES.get(kind, ""))


def _personal_number(optional_data: str) -> str:
    digits = optional_data.replace(" ", "")
    return digits if len(digits) == 9 and digits.isdigit() else ""


def decode_portrait(data: bytes) -> Portrait | None:
    """JPEG or JPEG 2000 to RGB with Pillow (Qt may have no JPEG 2000 plug-in); None if it will not decode."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            rgb = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        log.warning("chip photo could not be decoded")
        return None
    return Portrait(rgb.width, rgb.height, rgb.tobytes())


# -- what the citizen types ---------------------------------------------------------------


def entry_date(digits: str) -> dt.date | None:
    """DDMMYYYY as typed; None when it is not a date that exists."""
    if len(digits) != DATE_DIGITS or not digits.isdigit():
        return None
    try:
        return dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None


def document_number_problem(number: str) -> str | None:
    """The msgid that explains what is wrong with a typed document number, or None."""
    if not number:
        return N_("Type the document number.")
    if len(number) < DOCUMENT_NUMBER_MIN:
        return N_("This number is too short. Type all letters and digits of the document number.")
    return None


def date_problem(digits: str, *, birth: bool, today: dt.date, born: dt.date | None = None) -> str | None:
    if not digits:
        return N_("Type the date of birth.") if birth else N_("Type the expiry date.")
    if len(digits) < DATE_DIGITS:
        return N_("Type day, month and year: 8 digits, for example 14-03-1985.")
    day = entry_date(digits)
    if day is None:
        return N_("This date does not exist. Check the day and the month.")
    if birth and day > today:
        return N_("The date of birth cannot be in the future.")
    if not birth and born is not None and day <= born:
        return N_("The expiry date must be after the date of birth.")
    return None


def can_problem(digits: str) -> str | None:
    if len(digits) != CAN_DIGITS:
        return N_("Type all 6 digits of the number on the front of your card.")
    return None


def mrz_key(number: str, birth_digits: str, expiry_digits: str) -> MrzKey:
    """The BAC/PACE key: dates as YYMMDD, as the MRZ has them (ICAO 9303-11 §4.3.2)."""
    birth, expiry = entry_date(birth_digits), entry_date(expiry_digits)
    if birth is None or expiry is None:
        raise ValueError("check the dates before making a key")
    return MrzKey(number.upper(), birth.strftime("%y%m%d"), expiry.strftime("%y%m%d"))
