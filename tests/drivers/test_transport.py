"""ApduTransport: GET RESPONSE on 61xx, resend on 6Cxx, counting; ATR card capabilities."""

from __future__ import annotations

import functools

import pytest

from drivers.cardreader.apdu import parse_command_apdu
from drivers.cardreader.pcsc import PcscCardReader
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.cardreader.transport import (
    ApduTransport,
    CardAbsentError,
    CardCommunicationError,
    ResponseApdu,
    parse_atr_extended_length,
)
from drivers.cardreader.virtual_card import CONTACTLESS_ATR
from tests.drivers.conftest import VPCD_READER, wait_until

PAYLOAD = bytes(range(256)) + bytes(range(44))  # 300 bytes: more than one short response


class ChainingCard:
    """Answers like a T=0 card: GET DATA (CA) with 61xx and GET RESPONSE, READ BINARY (B0) with 6C10."""

    atr = CONTACTLESS_ATR

    def __init__(self) -> None:
        self.pending = b""
        self.commands: list[bytes] = []

    def process_apdu(self, apdu: bytes) -> bytes:
        self.commands.append(apdu)
        command = parse_command_apdu(apdu)
        if command.ins == 0xCA:
            self.pending = PAYLOAD
            return bytes((0x61, 0x00))  # 00: 256 or more bytes waiting
        if command.ins == 0xC0:
            size = command.ne or 256
            chunk, self.pending = self.pending[:size], self.pending[size:]
            more = len(self.pending)
            return chunk + (bytes((0x61, more if more < 256 else 0)) if more else bytes.fromhex("9000"))
        if command.ins == 0xB0:
            if command.ne != 16:
                return bytes.fromhex("6C10")
            return PAYLOAD[:16] + bytes.fromhex("9000")
        return bytes.fromhex("6D00")


def build_atr(historical: bytes) -> bytes:
    """TS 3B, T0 with TD1 (T=1), the historical bytes and TCK, as ISO/IEC 7816-3 lays them out."""
    body = bytes((0x80 | len(historical), 0x01)) + historical
    return b"\x3b" + body + bytes((functools.reduce(lambda a, b: a ^ b, body),))


def check_chaining(transport: ApduTransport, card: ChainingCard) -> None:
    response = transport.transmit(bytes.fromhex("80CA000000"))
    assert (response.data, response.sw, response.ok) == (PAYLOAD, 0x9000, True)
    assert card.commands[1:] == [bytes.fromhex("00C0000000"), bytes.fromhex("00C000002C")]
    assert transport.apdu_count == 3
    response = transport.transmit(bytes.fromhex("00B0000000"))
    assert response == ResponseApdu(PAYLOAD[:16], 0x90, 0x00)
    assert card.commands[-1] == bytes.fromhex("00B0000010")
    assert transport.apdu_count == 5
    assert transport.elapsed > 0


def test_get_response_and_wrong_le_in_process():
    card = ChainingCard()
    check_chaining(ApduTransport(SimulatedCardReader(card=card)), card)


def test_get_response_and_wrong_le_through_pcscd(bridge):
    card = ChainingCard()
    bridge.insert(card)
    reader = PcscCardReader(VPCD_READER)
    try:
        assert wait_until(reader.card_present)
        check_chaining(ApduTransport(reader), card)
    finally:
        reader.close()


def test_a_response_without_status_word_is_an_error():
    class Mute:
        atr = CONTACTLESS_ATR

        def process_apdu(self, apdu: bytes) -> bytes:
            return b"\x90"

    transport = ApduTransport(SimulatedCardReader(card=Mute()))
    with pytest.raises(CardCommunicationError, match="no status word"):
        transport.transmit(bytes.fromhex("00A4040000"))
    assert transport.apdu_count == 1


def test_reader_errors_pass_through_and_counters_reset():
    transport = ApduTransport(SimulatedCardReader())
    with pytest.raises(CardAbsentError):
        transport.transmit(bytes.fromhex("00A4040000"))
    assert transport.apdu_count == 1
    transport.reset_counters()
    assert (transport.apdu_count, transport.elapsed) == (0, 0.0)


def test_wrong_le_on_an_extended_command_keeps_the_extended_form():
    seen: list[bytes] = []

    class Card:
        atr = CONTACTLESS_ATR

        def process_apdu(self, apdu: bytes) -> bytes:
            seen.append(apdu)
            return bytes.fromhex("6C20") if len(seen) == 1 else bytes(32) + bytes.fromhex("9000")

    transport = ApduTransport(SimulatedCardReader(card=Card()))
    assert transport.transmit(bytes.fromhex("00B00000000100")).data == bytes(32)
    assert seen[1] == bytes.fromhex("00B00000000020")


# Card capabilities (compact-TLV tag 7) with the third software function table: C0 = command
# chaining and extended Lc/Le, 40 = extended Lc/Le only, 80 = chaining only.
CONTACT_EXTENDED = build_atr(bytes.fromhex("8073000040"))
CONTACT_CHAINING_AND_EXTENDED = build_atr(bytes.fromhex("807300C0C0"))
CONTACT_CHAINING_ONLY = build_atr(bytes.fromhex("8073000080"))
# Category 00: the last three bytes are a status indicator, outside the TLV objects.
CATEGORY_00_EXTENDED = build_atr(bytes.fromhex("0073000040") + bytes.fromhex("019000"))
# A contactless ISO 14443-4 card as PC/SC Part 3 builds its ATR: 3B 8n 80 01, the ATS historical
# bytes (here a card service data object and card capabilities announcing extended length), TCK.
CONTACTLESS_EXTENDED = bytes.fromhex("3B8A80018031F873F741E0829000") + b"\x75"
# Type B: 3B 88 80 01, ATQB application data and protocol info (not compact-TLV), TCK.
CONTACTLESS_TYPE_B = bytes.fromhex("3B888001000000000000000009")


@pytest.mark.parametrize(
    ("atr", "extended"),
    [
        (CONTACT_EXTENDED, True),
        (CONTACT_CHAINING_AND_EXTENDED, True),
        (CONTACT_CHAINING_ONLY, False),
        (CATEGORY_00_EXTENDED, True),
        (CONTACTLESS_EXTENDED, True),
        (CONTACTLESS_TYPE_B, False),
        (CONTACTLESS_ATR, False),  # no historical bytes
        (build_atr(bytes.fromhex("80310100")), False),  # no card capabilities object
        (build_atr(bytes.fromhex("807300")), False),  # capabilities cut short
        (bytes.fromhex("3B"), False),
        (b"", False),
        (bytes.fromhex("3B8F8001"), False),  # promises 15 historical bytes, has none
    ],
)
def test_parse_atr_extended_length(atr, extended):
    assert parse_atr_extended_length(atr) is extended


def test_build_atr_matches_the_pcsc_part3_layout():
    atr = build_atr(bytes.fromhex("8073000040"))
    assert atr[:4] == bytes.fromhex("3B850180")
    assert functools.reduce(lambda a, b: a ^ b, atr[1:]) == 0  # TCK makes T0..TCK XOR to zero


def test_extended_length_from_the_atr_or_set_explicitly():
    class Card:
        atr = CONTACT_EXTENDED

        def process_apdu(self, apdu: bytes) -> bytes:
            return bytes.fromhex("9000")

    reader = SimulatedCardReader(card=Card())
    transport = ApduTransport(reader)
    assert transport.extended_length is True
    reader.remove()
    assert transport.extended_length is False
    transport.extended_length = True
    assert transport.extended_length is True
    assert ApduTransport(reader, extended_length=True).extended_length is True
