"""The eMRTD Logical Data Structure (ICAO 9303-10): which files exist and what is inside them.

Each elementary file has a file identifier for SELECT, a short file identifier for READ
BINARY with SFI (9303-10 §3.11.2 table 39) and the tag its content starts with (§4.6 table 41).
This module parses and builds EF.COM, DG11 and DG14 and re-exports the DG1 (``lds_mrz``) and
DG2 (``lds_face``) functions, so callers import one module: the reader parses with it, the
virtual chip builds with it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from drivers.cardreader.icao.document import PersonalDetails
from drivers.cardreader.icao.errors import MalformedDataError
from drivers.cardreader.icao.lds_face import build_dg2, parse_dg2
from drivers.cardreader.icao.lds_mrz import build_dg1, parse_dg1
from drivers.cardreader.icao.tlv import Tlv, encode_tlv, read_file_tlv, read_tlv

__all__ = [
    "DataGroup",
    "EfCom",
    "build_dg1",
    "build_dg2",
    "build_dg11",
    "build_dg14",
    "build_ef_com",
    "parse_dg1",
    "parse_dg2",
    "parse_dg11",
    "parse_dg14",
    "parse_ef_com",
]


class DataGroup(enum.Enum):
    """The LDS files: (data group number or None, file identifier, short file identifier, tag or None)."""

    number: int | None
    fid: int
    sfi: int
    tag: int | None

    COM = (None, 0x011E, 0x1E, 0x60)
    DG1 = (1, 0x0101, 0x01, 0x61)
    DG2 = (2, 0x0102, 0x02, 0x75)
    DG3 = (3, 0x0103, 0x03, 0x63)
    DG4 = (4, 0x0104, 0x04, 0x76)
    DG5 = (5, 0x0105, 0x05, 0x65)
    DG6 = (6, 0x0106, 0x06, 0x66)
    DG7 = (7, 0x0107, 0x07, 0x67)
    DG8 = (8, 0x0108, 0x08, 0x68)
    DG9 = (9, 0x0109, 0x09, 0x69)
    DG10 = (10, 0x010A, 0x0A, 0x6A)
    DG11 = (11, 0x010B, 0x0B, 0x6B)
    DG12 = (12, 0x010C, 0x0C, 0x6C)
    DG13 = (13, 0x010D, 0x0D, 0x6D)
    DG14 = (14, 0x010E, 0x0E, 0x6E)
    DG15 = (15, 0x010F, 0x0F, 0x6F)
    DG16 = (16, 0x0110, 0x10, 0x70)
    SOD = (None, 0x011D, 0x1D, 0x77)
    CARD_ACCESS = (None, 0x011C, 0x1C, None)  # a bare SecurityInfos SET, 9303-11 §9.2.11

    def __init__(self, number: int | None, fid: int, sfi: int, tag: int | None) -> None:
        self.number = number
        self.fid = fid
        self.sfi = sfi
        self.tag = tag

    @classmethod
    def by_number(cls, number: int) -> DataGroup:
        """DG1 … DG16 by number; MalformedDataError for anything else."""
        for group in cls:
            if group.number == number:
                return group
        raise MalformedDataError(f"there is no data group {number}")

    @classmethod
    def by_tag(cls, tag: int) -> DataGroup:
        """The file whose content starts with ``tag`` (e.g. 0x75 → DG2)."""
        for group in cls:
            if group.tag == tag:
                return group
        raise MalformedDataError(f"tag {tag:X} does not belong to any LDS file")


# --- EF.COM, ICAO 9303-10 §4.6.1 -----------------------------------------------------------

LDS_VERSION_TAG = 0x5F01
UNICODE_VERSION_TAG = 0x5F36
TAG_LIST_TAG = 0x5C


@dataclass(frozen=True, slots=True)
class EfCom:
    """EF.COM: the LDS and Unicode versions ("0107", "040000") and the data groups present."""

    lds_version: str
    unicode_version: str
    data_groups: tuple[int, ...]


def _digits(value: bytes, length: int, what: str) -> str:
    text = value.decode("ascii", errors="replace")
    if len(text) != length or not text.isdigit():
        raise MalformedDataError(f"the {what} in EF.COM should be {length} digits")
    return text


def _only(children: list[Tlv], tag: int, what: str) -> Tlv:
    found = [tlv for tlv in children if tlv.tag == tag]
    if len(found) != 1:
        raise MalformedDataError(f"EF.COM should hold one {what}, it holds {len(found)}")
    return found[0]


def parse_ef_com(data: bytes) -> EfCom:
    """EF.COM (``60 { 5F01 version, 5F36 Unicode version, 5C tag list }``); tags become DG numbers."""
    children = read_file_tlv(data, DataGroup.COM.tag or 0, "EF.COM").children()
    lds = _digits(_only(children, LDS_VERSION_TAG, "LDS version").value, 4, "LDS version")
    unicode = _digits(_only(children, UNICODE_VERSION_TAG, "Unicode version").value, 6, "Unicode version")
    groups = []
    for tag in _only(children, TAG_LIST_TAG, "tag list").value:
        number = DataGroup.by_tag(tag).number
        if number is None:
            raise MalformedDataError(f"the EF.COM tag list names {tag:X}, which is not a data group")
        groups.append(number)
    return EfCom(lds_version=lds, unicode_version=unicode, data_groups=tuple(groups))


def build_ef_com(data_groups: Iterable[int], lds_version: str = "0107", unicode_version: str = "040000") -> bytes:
    """EF.COM listing ``data_groups`` (numbers 1–16) in the order given."""
    tags = bytes(DataGroup.by_number(number).tag or 0 for number in data_groups)
    content = (
        encode_tlv(LDS_VERSION_TAG, lds_version.encode("ascii"))
        + encode_tlv(UNICODE_VERSION_TAG, unicode_version.encode("ascii"))
        + encode_tlv(TAG_LIST_TAG, tags)
    )
    return encode_tlv(DataGroup.COM.tag or 0, content)


# --- DG11 additional personal details, ICAO 9303-10 §4.7.11 --------------------------------

FULL_NAME = 0x5F0E
OTHER_NAME = 0x5F0F
OTHER_NAMES_TEMPLATE = 0xA0
COUNT = 0x02
PERSONAL_NUMBER = 0x5F10
FULL_DATE_OF_BIRTH = 0x5F2B
PLACE_OF_BIRTH = 0x5F11
ADDRESS = 0x5F42
TELEPHONE = 0x5F12
PROFESSION = 0x5F13
TITLE = 0x5F14

# How "<" reads in each field: between the parts of a name it is a space and "<<" separates
# surname from given names; in a place or address it separates lines (9303-10 §4.7.11).
_NAME_FIELDS = (FULL_NAME, OTHER_NAME)
_LIST_FIELDS = (PLACE_OF_BIRTH, ADDRESS)


def _readable(tag: int, value: bytes) -> str:
    try:
        raw = value.decode("utf-8")
    except UnicodeDecodeError:
        raw = value.decode("latin-1")  # older chips store ISO/IEC 8859-1
    if tag in _NAME_FIELDS:
        parts = raw.strip("<").split("<<", 1)
        return ", ".join(" ".join(p for p in part.split("<") if p) for part in parts)
    if tag in _LIST_FIELDS:
        return ", ".join(p.strip() for p in raw.split("<") if p.strip())
    return " ".join(p for p in raw.split("<") if p)


def _stored(tag: int, text: str) -> bytes:
    """Inverse of ``_readable`` for the text our own builder writes."""
    if tag in _NAME_FIELDS:
        raw = "<<".join(part.strip().replace(" ", "<") for part in text.split(",", 1))
    elif tag in _LIST_FIELDS:
        raw = "<".join(part.strip() for part in text.split(","))
    else:
        raw = text.replace(" ", "<")
    return raw.encode("utf-8")


def _full_date(value: bytes) -> dt.date | None:
    """5F2B: eight ASCII digits YYYYMMDD, or four BCD bytes on some chips; None if not a date."""
    text = value.hex() if len(value) == 4 else value.decode("ascii", errors="replace")
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def parse_dg11(data: bytes) -> PersonalDetails:
    """DG11 to readable text; unknown tags (custody, proof of citizenship, …) are skipped."""
    fields: dict[int, str] = {}
    other_names: list[str] = []
    birth: dt.date | None = None
    for tlv in read_file_tlv(data, DataGroup.DG11.tag or 0, "DG11").children():
        if tlv.tag == OTHER_NAMES_TEMPLATE:
            other_names.extend(_readable(OTHER_NAME, t.value) for t in tlv.children() if t.tag == OTHER_NAME)
        elif tlv.tag == OTHER_NAME:
            other_names.append(_readable(OTHER_NAME, tlv.value))
        elif tlv.tag == FULL_DATE_OF_BIRTH:
            birth = _full_date(tlv.value)
        elif tlv.tag != TAG_LIST_TAG:
            fields[tlv.tag] = _readable(tlv.tag, tlv.value)
    return PersonalDetails(
        full_name=fields.get(FULL_NAME),
        other_names=tuple(other_names),
        personal_number=fields.get(PERSONAL_NUMBER),
        date_of_birth=birth,
        place_of_birth=fields.get(PLACE_OF_BIRTH),
        address=fields.get(ADDRESS),
        telephone=fields.get(TELEPHONE),
        profession=fields.get(PROFESSION),
        title=fields.get(TITLE),
    )


def build_dg11(details: PersonalDetails) -> bytes:
    """DG11 with the fields that are set, preceded by their tag list (5C), in table order."""
    simple = (
        (FULL_NAME, details.full_name),
        (PERSONAL_NUMBER, details.personal_number),
        (PLACE_OF_BIRTH, details.place_of_birth),
        (ADDRESS, details.address),
        (TELEPHONE, details.telephone),
        (PROFESSION, details.profession),
        (TITLE, details.title),
    )
    tags: list[int] = []
    body = b""
    for tag, text in simple:
        if text is not None:
            tags.append(tag)
            body += encode_tlv(tag, _stored(tag, text))
    if details.other_names:
        tags.append(OTHER_NAME)
        names = b"".join(encode_tlv(OTHER_NAME, _stored(OTHER_NAME, name)) for name in details.other_names)
        body += encode_tlv(OTHER_NAMES_TEMPLATE, encode_tlv(COUNT, bytes([len(details.other_names)])) + names)
    if details.date_of_birth is not None:
        tags.append(FULL_DATE_OF_BIRTH)
        body += encode_tlv(FULL_DATE_OF_BIRTH, details.date_of_birth.strftime("%Y%m%d").encode("ascii"))
    tag_list = b"".join(tag.to_bytes(2, "big") for tag in tags)
    return encode_tlv(DataGroup.DG11.tag or 0, encode_tlv(TAG_LIST_TAG, tag_list) + body)


# --- DG14 security options, ICAO 9303-10 §4.7.14 -------------------------------------------

SET_TAG = 0x31


def parse_dg14(data: bytes) -> bytes:
    """The SecurityInfos SET (DER, tag 31) inside DG14, for the ASN.1 layer to decode."""
    outer = read_file_tlv(data, DataGroup.DG14.tag or 0, "DG14")
    inner, end = read_tlv(outer.value)
    if inner.tag != SET_TAG or end != len(outer.value):
        raise MalformedDataError("DG14 should hold exactly one SecurityInfos SET")
    return outer.value


def build_dg14(security_infos_der: bytes) -> bytes:
    """DG14 around a DER-encoded SecurityInfos SET."""
    inner, end = read_tlv(security_infos_der)
    if inner.tag != SET_TAG or end != len(security_infos_der):
        raise MalformedDataError("DG14 content must be one DER SET of SecurityInfo")
    return encode_tlv(DataGroup.DG14.tag or 0, security_infos_der)
