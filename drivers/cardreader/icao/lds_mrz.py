"""DG1: the machine readable zone on the chip (ICAO 9303-10 §4.7.1), split into its fields.

DG1 is ``61 { 5F1F <MRZ> }`` with the printed MRZ lines concatenated, no line breaks. The
length tells the format: 90 characters for TD1 (ID card, 9303-5), 72 for TD2 (9303-6) and
88 for TD3 (passport, 9303-4). Check digits (9303-3 §4.9) are verified but a mismatch does
not reject the file: the kiosk shows the data and ``check_digits_valid`` says whether to trust it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mrz.base.functions import hash_string  # type: ignore[import-untyped]

from drivers.cardreader.icao.document import DocumentType, MrzData
from drivers.cardreader.icao.errors import MalformedDataError
from drivers.cardreader.icao.tlv import encode_tlv, read_file_tlv

DG1_TAG = 0x61
MRZ_TAG = 0x5F1F
FILLER = "<"
_MRZ_CHARACTERS = re.compile(r"[A-Z0-9<]*")  # ICAO 9303-3 §4.3: upper-case Latin letters, digits, filler


@dataclass(frozen=True, slots=True)
class _Layout:
    format: DocumentType
    lines: int
    width: int


_LAYOUTS = {
    90: _Layout(DocumentType.TD1, 3, 30),
    72: _Layout(DocumentType.TD2, 2, 36),
    88: _Layout(DocumentType.TD3, 2, 44),
}


def check_digit(field: str) -> str:
    """ICAO 9303-3 §4.9 check digit (weights 7-3-1), computed by the ``mrz`` package."""
    return str(hash_string(field))


def _digit_ok(field: str, digit: str, *, filler_allowed: bool = False) -> bool:
    """Whether ``digit`` is the check digit of ``field``.

    An empty optional field may carry "<" instead of 0 (ICAO 9303-4 §4.2.2, personal number).
    """
    if filler_allowed and digit == FILLER and set(field) <= {FILLER}:
        return True
    return digit == check_digit(field)


def _text(field: str) -> str:
    """Fillers become single spaces, as a person would write the field."""
    return " ".join(part for part in field.split(FILLER) if part)


def _names(field: str) -> tuple[str, str]:
    """Primary and secondary identifier, separated by "<<" (ICAO 9303-3 §4.6)."""
    surname, _sep, given = field.strip(FILLER).partition(FILLER * 2)
    return _text(surname), _text(given)


def _date(field: str, *, today: dt.date, birth: bool) -> dt.date | None:
    """YYMMDD to a date; None when unknown ("<") or not a calendar date.

    The MRZ has no century: a birth date is put in the latest century that keeps it in the
    past, an expiry date in the 2000s (no valid eMRTD expires before 2000).
    """
    if len(field) != 6 or not field.isdigit():
        return None
    yy, month, day = int(field[:2]), int(field[2:4]), int(field[4:])
    try:
        if not birth:
            return dt.date(2000 + yy, month, day)
        candidate = dt.date(2000 + yy, month, day)
        return candidate if candidate <= today else dt.date(1900 + yy, month, day)
    except ValueError:
        return None


def _sex(field: str) -> str:
    return field if field in ("F", "M") else "X"


def _split(mrz: str) -> tuple[_Layout, tuple[str, ...]]:
    layout = _LAYOUTS.get(len(mrz))
    if layout is None:
        raise MalformedDataError(f"an MRZ of {len(mrz)} characters is not TD1 (90), TD2 (72) or TD3 (88)")
    if not _MRZ_CHARACTERS.fullmatch(mrz):
        raise MalformedDataError("the MRZ contains characters other than A–Z, 0–9 and <")
    lines = tuple(mrz[i * layout.width : (i + 1) * layout.width] for i in range(layout.lines))
    return layout, lines


def parse_mrz(mrz: str, *, today: dt.date | None = None) -> MrzData:
    """Split the concatenated MRZ lines into fields (ICAO 9303-4 §4.2.2, 9303-5 §4.2.2, 9303-6 §4.2.2)."""
    layout, lines = _split(mrz)
    now = today or dt.date.today()
    if layout.format is DocumentType.TD1:
        return _parse_td1(lines, now)
    return _parse_td2_td3(layout, lines, now)


def _parse_td1(lines: tuple[str, ...], today: dt.date) -> MrzData:
    top, middle, bottom = lines
    number, number_digit, optional_1 = top[5:14], top[14], top[15:30]
    if number_digit == FILLER and optional_1[0] != FILLER:
        # ICAO 9303-5 §4.2.2 note j: a number over 9 characters continues in the optional
        # data, ending with its check digit, then a filler.
        overflow, _sep, optional_1 = optional_1.partition(FILLER)
        number, number_digit = number + overflow[:-1], overflow[-1]
    surname, given = _names(bottom)
    composite = top[5:30] + middle[0:7] + middle[8:15] + middle[18:29]
    valid = (
        _digit_ok(number, number_digit)
        and _digit_ok(middle[0:6], middle[6])
        and _digit_ok(middle[8:14], middle[14])
        and _digit_ok(composite, middle[29])
    )
    optional = " ".join(part for part in (_text(optional_1), _text(middle[18:29])) if part)
    return MrzData(
        format=DocumentType.TD1,
        document_code=top[0:2].strip(FILLER),
        issuing_state=top[2:5].replace(FILLER, ""),
        document_number=number.strip(FILLER),
        surname=surname,
        given_names=given,
        nationality=middle[15:18].replace(FILLER, ""),
        date_of_birth=_date(middle[0:6], today=today, birth=True),
        sex=_sex(middle[7]),
        date_of_expiry=_date(middle[8:14], today=today, birth=False),
        optional_data=optional,
        lines=lines,
        check_digits_valid=valid,
    )


def _parse_td2_td3(layout: _Layout, lines: tuple[str, ...], today: dt.date) -> MrzData:
    top, bottom = lines
    surname, given = _names(top[5:])
    last = layout.width - 1
    if layout.format is DocumentType.TD3:
        # 9303-4: personal number in 28–41 with its own check digit at 42.
        optional = bottom[28:42]
        valid_optional = _digit_ok(optional, bottom[42], filler_allowed=True)
    else:
        optional = bottom[28:last]
        valid_optional = True
    composite = bottom[0:10] + bottom[13:20] + bottom[21:last]
    valid = (
        _digit_ok(bottom[0:9], bottom[9])
        and _digit_ok(bottom[13:19], bottom[19])
        and _digit_ok(bottom[21:27], bottom[27])
        and valid_optional
        and _digit_ok(composite, bottom[last])
    )
    return MrzData(
        format=layout.format,
        document_code=top[0:2].strip(FILLER),
        issuing_state=top[2:5].replace(FILLER, ""),
        document_number=bottom[0:9].strip(FILLER),
        surname=surname,
        given_names=given,
        nationality=bottom[10:13].replace(FILLER, ""),
        date_of_birth=_date(bottom[13:19], today=today, birth=True),
        sex=_sex(bottom[20]),
        date_of_expiry=_date(bottom[21:27], today=today, birth=False),
        optional_data=_text(optional),
        lines=lines,
        check_digits_valid=valid,
    )


def parse_dg1(data: bytes, *, today: dt.date | None = None) -> MrzData:
    """DG1 (``61 { 5F1F MRZ }``) to its fields; ``today`` decides the birth century (default: today)."""
    outer = read_file_tlv(data, DG1_TAG, "DG1")
    inner = next((tlv for tlv in outer.children() if tlv.tag == MRZ_TAG), None)
    if inner is None:
        raise MalformedDataError("DG1 holds no MRZ (tag 5F1F)")
    try:
        mrz = inner.value.decode("ascii")
    except UnicodeDecodeError:
        raise MalformedDataError("the MRZ in DG1 is not plain ASCII text") from None
    return parse_mrz(mrz, today=today)


def build_dg1(lines: Sequence[str]) -> bytes:
    """DG1 for the given printed MRZ lines (two of 44 or 36 characters, or three of 30)."""
    mrz = "".join(lines)
    layout, _split_lines = _split(mrz)
    if len(lines) != layout.lines or any(len(line) != layout.width for line in lines):
        raise MalformedDataError(f"{len(lines)} MRZ lines do not form a TD1, TD2 or TD3 zone")
    return encode_tlv(DG1_TAG, encode_tlv(MRZ_TAG, mrz.encode("ascii")))
