"""APDU exchange over any CardReader, with the ISO/IEC 7816-4 status-word conventions handled once.

Readers return raw response bytes; cards on T=0 (and many on T=1) answer a long response with
SW 61xx ("xx more bytes, ask with GET RESPONSE") or a wrong Le with SW 6Cxx ("send again with
Le = xx", §5.6). Doing that here keeps every application layer (ICAO, eMRTD) free of it, and
gives one place to count APDUs and time for the benchmarks.

The errors of talking to a card live here too, so that every reader driver raises the same ones.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from drivers.cardreader.apdu import MalformedApduError, parse_command_apdu
from drivers.cardreader.protocol import CardAbsentError, CardReader

__all__ = [
    "ApduTransport",
    "CardAbsentError",
    "CardCommunicationError",
    "CardTimeoutError",
    "ReaderUnavailableError",
    "ResponseApdu",
    "ServiceUnavailableError",
    "parse_atr_extended_length",
]

log = logging.getLogger(__name__)

SW_OK = 0x9000
SW1_MORE_DATA = 0x61
SW1_WRONG_LE = 0x6C
INS_GET_RESPONSE = 0xC0
# A card that keeps answering 61xx would loop us forever; 256 × 256 bytes is far beyond any EF.
MAX_GET_RESPONSES = 256

# ISO/IEC 7816-4 §8.1.1.2.7: card capabilities, compact-TLV tag 7; its third byte is the third
# software function table, where b7 announces extended Lc and Le fields.
TAG_CARD_CAPABILITIES = 0x7
EXTENDED_LC_LE = 0x40


class CardCommunicationError(Exception):
    """The reader or card did not complete an APDU exchange (bad response, transmission error)."""


class CardTimeoutError(CardCommunicationError):
    """The card did not answer within the APDU timeout; the connection was dropped."""


class ReaderUnavailableError(CardAbsentError):
    """No reader (or no PC/SC service): a CardAbsentError too, as the simulator's unplugged reader is."""


class ServiceUnavailableError(ReaderUnavailableError):
    """The PC/SC service (pcscd) is not running or stopped answering."""


@dataclass(frozen=True, slots=True)
class ResponseApdu:
    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return self.sw1 << 8 | self.sw2

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK

    @classmethod
    def from_bytes(cls, raw: bytes) -> ResponseApdu:
        if len(raw) < 2:
            raise CardCommunicationError(f"response of {len(raw)} bytes has no status word")
        return cls(bytes(raw[:-2]), raw[-2], raw[-1])


def parse_atr_extended_length(atr: bytes) -> bool:
    """Whether the ATR's historical bytes announce extended Lc/Le (ISO/IEC 7816-4 §8.1.1.2.7).

    Only historical bytes in compact-TLV form (category indicator 00 or 80) can say so; anything
    else, including a malformed ATR, answers False: short APDUs always work.
    """
    historical = _historical_bytes(atr)
    if not historical or historical[0] not in (0x00, 0x80):
        return False
    # With category 00 the last three bytes are a status indicator outside the TLV objects.
    objects = historical[1:-3] if historical[0] == 0x00 else historical[1:]
    position = 0
    while position < len(objects):
        tag, length = objects[position] >> 4, objects[position] & 0x0F
        value = objects[position + 1 : position + 1 + length]
        if len(value) < length:
            return False
        if tag == TAG_CARD_CAPABILITIES:
            return length >= 3 and bool(value[2] & EXTENDED_LC_LE)
        position += 1 + length
    return False


def _historical_bytes(atr: bytes) -> bytes:
    """The historical bytes of an ATR (ISO/IEC 7816-3 §8.2), or b"" when it is too short."""
    if len(atr) < 2:
        return b""
    count = atr[1] & 0x0F
    indicator = atr[1] >> 4
    position = 2
    while True:
        position += bin(indicator & 0x7).count("1")  # TAi, TBi, TCi
        if not indicator & 0x8:  # no TDi: interface bytes end here
            break
        if position >= len(atr):
            return b""
        indicator = atr[position] >> 4
        position += 1
    historical = atr[position : position + count]
    return bytes(historical) if len(historical) == count else b""


class ApduTransport:
    """Sends command APDUs through a CardReader and returns whole responses.

    Not thread-safe by design: one card session is driven by one thread at a time.
    """

    def __init__(self, reader: CardReader, *, extended_length: bool | None = None) -> None:
        self.reader = reader
        self._extended_length = extended_length
        self.apdu_count = 0
        self.elapsed = 0.0  # seconds spent in reader.transmit, all APDUs together

    @property
    def extended_length(self) -> bool:
        """Use extended-length APDUs: as set explicitly, else as the card's ATR announces."""
        if self._extended_length is not None:
            return self._extended_length
        atr = self.reader.atr()
        return atr is not None and parse_atr_extended_length(atr)

    @extended_length.setter
    def extended_length(self, value: bool | None) -> None:
        self._extended_length = value

    def reset_counters(self) -> None:
        self.apdu_count = 0
        self.elapsed = 0.0

    def transmit(self, apdu: bytes) -> ResponseApdu:
        """One command, with 61xx answered by GET RESPONSE and 6Cxx by a resend with the right Le."""
        response = self._exchange(apdu)
        if response.sw1 == SW1_WRONG_LE:
            resend = _with_le(apdu, response.sw2)
            if resend is not None:
                response = self._exchange(resend)
        data = bytearray(response.data)
        for _ in range(MAX_GET_RESPONSES):
            if response.sw1 != SW1_MORE_DATA:
                break
            response = self._exchange(bytes((0x00, INS_GET_RESPONSE, 0x00, 0x00, response.sw2)))
            data += response.data
        else:
            raise CardCommunicationError(f"card still had more data after {MAX_GET_RESPONSES} GET RESPONSE")
        return ResponseApdu(bytes(data), response.sw1, response.sw2)

    def _exchange(self, apdu: bytes) -> ResponseApdu:
        started = time.perf_counter()
        try:
            raw = self.reader.transmit(apdu)
        finally:
            self.apdu_count += 1
            self.elapsed += time.perf_counter() - started
        response = ResponseApdu.from_bytes(raw)
        log.debug("APDU %d bytes -> %d bytes, SW %04X", len(apdu), len(response.data), response.sw)
        return response


def _with_le(apdu: bytes, le: int) -> bytes | None:
    """The same command with Le = `le` (00 means 256), or None when it cannot be parsed."""
    try:
        command = parse_command_apdu(apdu)
    except MalformedApduError:
        return None
    header = bytes((command.cla, command.ins, command.p1, command.p2))
    if command.extended:
        body = len(command.data).to_bytes(2, "big") + command.data if command.data else b""
        return header + b"\x00" + body + bytes((0, le))
    body = bytes((len(command.data),)) + command.data if command.data else b""
    return header + body + bytes((le,))
