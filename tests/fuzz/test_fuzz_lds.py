"""Property: whatever bytes a chip returns, the LDS parsers answer with data or an IcaoError.

Inputs are random bytes and random truncations and byte flips of valid files (the invented
specimens), which reach far deeper into the parsers than random bytes alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.cardreader.emrtd.specimens import id_card_specimen, passport_specimen
from drivers.cardreader.icao.document import ImageFormat
from drivers.cardreader.icao.errors import IcaoError
from drivers.cardreader.icao.lds import build_dg14, parse_dg1, parse_dg2, parse_dg11, parse_dg14, parse_ef_com
from drivers.cardreader.icao.tlv import encode_tlv, parse_tlvs, read_tlv, total_file_length

TODAY = dt.date(2026, 5, 1)
_PASSPORT = passport_specimen(ImageFormat.JPEG2000, face_bytes_target=4_000)
_ID_CARD = id_card_specimen(ImageFormat.JPEG, face_bytes_target=4_000)

PARSERS: dict[str, Callable[[bytes], object]] = {
    "com": parse_ef_com,
    "dg1": lambda data: parse_dg1(data, today=TODAY),
    "dg2": parse_dg2,
    "dg11": parse_dg11,
    "dg14": parse_dg14,
    "tlvs": parse_tlvs,
    "tlv": read_tlv,
    "length": total_file_length,
}
VALID: dict[str, list[bytes]] = {
    "com": [_PASSPORT.ef_com(extra=[14]), _ID_CARD.ef_com()],
    "dg1": [_PASSPORT.data_groups()[1], _ID_CARD.data_groups()[1]],
    "dg2": [_PASSPORT.data_groups()[2], _ID_CARD.data_groups()[2]],
    "dg11": [_PASSPORT.data_groups()[11]],
    "dg14": [build_dg14(encode_tlv(0x31, encode_tlv(0x30, bytes.fromhex("060304010202010102"))))],
}
VALID["tlvs"] = VALID["tlv"] = VALID["length"] = [file for files in VALID.values() for file in files]


def _accepts_or_icao_error(parse: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(IcaoError):
        parse(data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(data=st.binary(max_size=300))
def test_random_bytes(name: str, data: bytes) -> None:
    _accepts_or_icao_error(PARSERS[name], data)


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(choice=st.data())
def test_truncated_and_mutated_files(name: str, choice: st.DataObject) -> None:
    original = choice.draw(st.sampled_from(VALID[name]))
    data = bytearray(original[: choice.draw(st.integers(0, len(original)))])
    for _ in range(choice.draw(st.integers(0, 4))):
        if not data:
            break
        position = choice.draw(st.integers(0, len(data) - 1))
        data[position] = choice.draw(st.integers(0, 255))
    _accepts_or_icao_error(PARSERS[name], bytes(data))


@pytest.mark.parametrize("name", ["dg1", "dg2", "dg11", "com"])
@given(choice=st.data())
def test_mutated_headers_of_whole_files(name: str, choice: st.DataObject) -> None:
    """Flips within the first 80 bytes: the tags, lengths and 19794-5 headers, not just image data."""
    data = bytearray(choice.draw(st.sampled_from(VALID[name])))
    for _ in range(choice.draw(st.integers(1, 3))):
        position = choice.draw(st.integers(0, min(len(data), 80) - 1))
        data[position] = choice.draw(st.integers(0, 255))
    _accepts_or_icao_error(PARSERS[name], bytes(data))
