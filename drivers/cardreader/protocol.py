"""A PC/SC-style reader: is a card (or passport) there, and exchange APDUs with it."""

from __future__ import annotations

from typing import Protocol

from drivers.health import Health


class CardAbsentError(Exception):
    """No card on the reader when an APDU was to be sent."""


class CardReader(Protocol):
    def health(self) -> Health: ...

    def card_present(self) -> bool: ...

    def atr(self) -> bytes | None:
        """The answer-to-reset of the card on the reader, or None without a card."""

    def transmit(self, apdu: bytes) -> bytes:
        """Send one command APDU (ISO 7816-4) and return the response data plus SW1 SW2.

        Raises CardAbsentError when no card is present.
        """
