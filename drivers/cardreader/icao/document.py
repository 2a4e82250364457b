"""What a chip read yields, as plain data: shared by the reader, the kiosk and `balie chip read`.

Everything here is personal data. It lives in memory for one citizen's session and is never
written to disk or logs; `__repr__` is suppressed on the personal fields so a stray log line
or traceback cannot print it.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class MrzKey:
    """BAC/PACE access data printed in the MRZ: document number, birth and expiry date (YYMMDD)."""

    document_number: str
    date_of_birth: str
    date_of_expiry: str

    def __repr__(self) -> str:
        return "MrzKey(…)"


@dataclass(frozen=True, slots=True)
class CanKey:
    """The 6-digit card access number printed on the front of PACE-only cards."""

    can: str

    def __repr__(self) -> str:
        return "CanKey(…)"


AccessKey = MrzKey | CanKey


class DocumentType(enum.Enum):
    TD1 = "TD1"  # ID card: three lines of 30 characters
    TD2 = "TD2"  # two lines of 36 characters
    TD3 = "TD3"  # passport: two lines of 44 characters


@dataclass(frozen=True, slots=True)
class MrzData:
    """DG1: the machine readable zone as stored on the chip (ICAO 9303-10 §4.7.1, 9303-4/-5)."""

    format: DocumentType
    document_code: str  # "P", "I", "ID", …
    issuing_state: str  # three-letter code, e.g. "NLD"
    document_number: str
    surname: str = field(repr=False)
    given_names: str = field(repr=False)
    nationality: str = field(repr=False)
    date_of_birth: dt.date | None = field(repr=False)  # None when the MRZ leaves it unknown ("<<")
    sex: str = field(repr=False)  # "F", "M" or "X"
    date_of_expiry: dt.date | None = field(repr=False)
    optional_data: str = field(repr=False)
    lines: tuple[str, ...] = field(repr=False)
    check_digits_valid: bool = True


class ImageFormat(enum.Enum):
    JPEG = "jpeg"
    JPEG2000 = "jpeg2000"


@dataclass(frozen=True, slots=True)
class FaceImage:
    """DG2: the facial image, with the size taken from the decoded image itself."""

    format: ImageFormat
    width: int
    height: int
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class PersonalDetails:
    """DG11 (ICAO 9303-10 §4.7.11): fields the issuing state chose to add; all optional."""

    full_name: str | None = field(default=None, repr=False)
    other_names: tuple[str, ...] = field(default=(), repr=False)
    personal_number: str | None = field(default=None, repr=False)
    date_of_birth: dt.date | None = field(default=None, repr=False)
    place_of_birth: str | None = field(default=None, repr=False)
    address: str | None = field(default=None, repr=False)
    telephone: str | None = field(default=None, repr=False)
    profession: str | None = field(default=None, repr=False)
    title: str | None = field(default=None, repr=False)


class AuthenticityStatus(enum.Enum):
    VERIFIED = "verified"
    FAILED = "failed"
    NOT_VERIFIABLE = "not_verifiable"


@dataclass(frozen=True, slots=True)
class Authenticity:
    """Passive authentication (ICAO 9303-11 §5.1): never a silent pass.

    ``reason`` names the check that decided the status, in plain words for a technician.
    """

    status: AuthenticityStatus
    reason: str
