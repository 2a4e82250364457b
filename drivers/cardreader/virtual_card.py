"""Cards that live in memory, for the simulated reader.

A card is anything with an `atr` and `process_apdu()`; it answers with response data
followed by the status bytes SW1 SW2 (ISO/IEC 7816-4 §5.1), exactly what a reader returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from drivers.cardreader.apdu import MalformedApduError, parse_command_apdu

# ATR of a contactless ISO 14443-4 card without historical bytes, as PC/SC readers build it
# (PC/SC Part 3, ATR of contactless cards): TS=3B, T0=80, TD1=80, TD2=01, TCK = XOR of T0..TD2 = 01.
CONTACTLESS_ATR = bytes.fromhex("3B80800101")

# Status bytes SW1 SW2, ISO/IEC 7816-4 §5.6.
SW_OK = bytes.fromhex("9000")
SW_WRONG_LENGTH = bytes.fromhex("6700")
SW_FILE_NOT_FOUND = bytes.fromhex("6A82")
SW_WRONG_P1_P2 = bytes.fromhex("6A86")
SW_INS_NOT_SUPPORTED = bytes.fromhex("6D00")
SW_CLA_NOT_SUPPORTED = bytes.fromhex("6E00")

INS_SELECT = 0xA4
P1_SELECT_BY_DF_NAME = 0x04  # ISO/IEC 7816-4 SELECT: P1 04 = select by DF name (AID)
CLA_INVALID = 0xFF  # reserved for PPS (ISO/IEC 7816-3), never a valid command class


class VirtualCard(Protocol):
    @property
    def atr(self) -> bytes: ...

    def process_apdu(self, apdu: bytes) -> bytes:
        """Answer one command APDU with response data plus SW1 SW2."""
        ...


class BlankCard:
    """A card that only knows which applications (AIDs) it holds.

    Enough for the kiosk to tell "a card is there, but not one we can read" from "this is
    an ID card", and to exercise the reader path end to end.
    """

    def __init__(self, applications: Iterable[bytes] = (), atr: bytes = CONTACTLESS_ATR) -> None:
        self.applications: frozenset[bytes] = frozenset(bytes(aid) for aid in applications)
        self._atr = bytes(atr)

    @property
    def atr(self) -> bytes:
        return self._atr

    def process_apdu(self, apdu: bytes) -> bytes:
        try:
            command = parse_command_apdu(apdu)
        except MalformedApduError:
            return SW_WRONG_LENGTH
        if command.cla == CLA_INVALID:
            return SW_CLA_NOT_SUPPORTED
        if command.ins != INS_SELECT:
            return SW_INS_NOT_SUPPORTED
        if command.p1 != P1_SELECT_BY_DF_NAME:
            return SW_WRONG_P1_P2
        return SW_OK if command.data in self.applications else SW_FILE_NOT_FOUND
