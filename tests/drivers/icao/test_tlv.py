"""BER-TLV decoding and encoding (ICAO 9303-10 §4.4, ISO/IEC 7816-4 §5.2)."""

from __future__ import annotations

import pytest

from drivers.cardreader.icao.errors import IcaoError, MalformedDataError
from drivers.cardreader.icao.tlv import (
    Tlv,
    TlvError,
    encode_length,
    encode_tlv,
    parse_tlvs,
    read_file_tlv,
    read_tlv,
    total_file_length,
)

h = bytes.fromhex

# ICAO 9303-10 / 9303-11 Appendix D: EF.COM with LDS 1.6, Unicode 4.0.0, DG1 and DG2.
EF_COM = h("60145F0104303130365F36063034303030305C026175")


def test_tlv_error_is_an_icao_error() -> None:
    assert issubclass(TlvError, MalformedDataError)
    assert issubclass(TlvError, IcaoError)


def test_reads_the_ef_com_vector_and_its_children() -> None:
    tlv, end = read_tlv(EF_COM)
    assert (tlv.tag, end, tlv.constructed) == (0x60, len(EF_COM), True)
    assert tlv.children() == [Tlv(0x5F01, b"0106"), Tlv(0x5F36, b"040000"), Tlv(0x5C, h("6175"))]


@pytest.mark.parametrize(
    ("encoded", "tag", "length"),
    [
        (h("5F1F00"), 0x5F1F, 0),
        (h("7F6181") + bytes([0x80]), 0x7F61, 0x80),
        (h("758201F4"), 0x75, 500),
        (h("7783010000"), 0x77, 0x10000),
        (h("6E8400000003"), 0x6E, 3),
        (h("9F810102"), 0x9F8101, 2),
    ],
)
def test_multi_byte_tags_and_long_form_lengths(encoded: bytes, tag: int, length: int) -> None:
    data = encoded + bytes(length)
    tlv, end = read_tlv(data)
    assert (tlv.tag, len(tlv.value), end) == (tag, length, len(data))
    assert total_file_length(encoded) == len(data)


@pytest.mark.parametrize("length", [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x1000000, 0xFFFFFFFF])
def test_encode_length_is_shortest_and_reads_back(length: int) -> None:
    encoded = encode_length(length)
    expected_size = 1 if length < 0x80 else 1 + (length.bit_length() + 7) // 8
    assert len(encoded) == expected_size
    assert total_file_length(b"\x04" + encoded) == 1 + len(encoded) + length


def test_encode_length_refuses_what_four_bytes_cannot_hold() -> None:
    with pytest.raises(TlvError):
        encode_length(1 << 32)
    with pytest.raises(TlvError):
        encode_length(-1)


def test_encode_round_trips_through_parse() -> None:
    objects = [Tlv(0x5F1F, b"P<UTO"), Tlv(0x7F61, bytes(300)), Tlv(0x02, b"\x01"), Tlv(0x5F2E, b"")]
    encoded = b"".join(obj.encode() for obj in objects)
    assert parse_tlvs(encoded) == objects
    assert encode_tlv(0x5F2E, b"ab") == h("5F2E026162")


def test_read_tlv_at_offset_returns_next_offset() -> None:
    data = encode_tlv(0x80, b"\x01\x01") + encode_tlv(0x87, b"\x01\x01")
    first, offset = read_tlv(data)
    second, end = read_tlv(data, offset)
    assert (first.tag, second.tag, offset, end) == (0x80, 0x87, 4, 8)


@pytest.mark.parametrize(
    "head",
    [b"", h("60"), h("5F"), h("5F1F"), h("7F61"), h("7F6182"), h("7F618201"), h("778400")],
)
def test_total_file_length_asks_for_more_bytes(head: bytes) -> None:
    assert total_file_length(head) is None


def test_total_file_length_needs_only_the_header() -> None:
    assert total_file_length(h("758250E87F61")) == 4 + 0x50E8
    assert total_file_length(EF_COM[:2]) == len(EF_COM)


@pytest.mark.parametrize(
    "data",
    [
        h("6080"),  # indefinite length
        h("608500000000"),  # five length bytes
        h("5F8181810100"),  # four-byte tag
        h("6005010203"),  # value shorter than its length
        h("5F1F"),  # no length
        b"",
    ],
)
def test_malformed_input_is_a_typed_error(data: bytes) -> None:
    with pytest.raises(TlvError):
        read_tlv(data)


@pytest.mark.parametrize("head", [h("6080"), h("60850000000000"), h("5F81818101")])
def test_total_file_length_rejects_malformed_headers(head: bytes) -> None:
    with pytest.raises(TlvError):
        total_file_length(head)


def test_parse_tlvs_rejects_trailing_fragments() -> None:
    with pytest.raises(TlvError):
        parse_tlvs(EF_COM + b"\x5c")


def test_read_file_tlv_checks_the_tag() -> None:
    assert read_file_tlv(EF_COM + b"\x00\x00", 0x60, "EF.COM").tag == 0x60
    with pytest.raises(TlvError, match=r"EF\.COM should start with tag 60"):
        read_file_tlv(EF_COM.replace(b"\x60", b"\x61", 1), 0x60, "EF.COM")


def test_negative_offset_and_oversized_tag_are_refused() -> None:
    with pytest.raises(TlvError):
        read_tlv(EF_COM, -1)
    with pytest.raises(TlvError):
        encode_tlv(1 << 24, b"")
