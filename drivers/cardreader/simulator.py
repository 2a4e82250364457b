"""A PC/SC-like reader without hardware: cards are inserted and removed by calls.

Tests and the demo kiosk put a virtual card on it; technicians can unplug it to see how
the kiosk explains a missing reader.
"""

from __future__ import annotations

import threading

from drivers.cardreader.apdu import HEADER_LENGTH, MAX_COMMAND_LENGTH
from drivers.cardreader.protocol import CardAbsentError
from drivers.cardreader.virtual_card import VirtualCard
from drivers.health import Health

NOT_CONNECTED = "Card reader not connected"


class SimulatedCardReader:
    """Implements `drivers.cardreader.protocol.CardReader` around a `VirtualCard`.

    Unplugging hides the card but does not take it away: it is still lying on the reader
    when the reader comes back, as it would be in the kiosk.
    """

    def __init__(
        self, name: str = "Balie virtual reader", *, present: bool = True, card: VirtualCard | None = None
    ) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._present = present
        self._card = card

    def health(self) -> Health:
        with self._lock:
            return Health.ok() if self._present else Health.missing(NOT_CONNECTED)

    def card_present(self) -> bool:
        with self._lock:
            return self._present and self._card is not None

    def atr(self) -> bytes | None:
        with self._lock:
            return self._card.atr if self._present and self._card is not None else None

    def transmit(self, apdu: bytes) -> bytes:
        """Pass one command APDU to the card; the length bounds are ISO/IEC 7816-4 §5.1's."""
        if not isinstance(apdu, bytes | bytearray | memoryview):
            raise TypeError("an APDU is bytes")
        apdu = bytes(apdu)
        if not HEADER_LENGTH <= len(apdu) <= MAX_COMMAND_LENGTH:
            raise ValueError(f"a command APDU is {HEADER_LENGTH} to {MAX_COMMAND_LENGTH} bytes, not {len(apdu)}")
        with self._lock:
            if not self._present:
                raise CardAbsentError(NOT_CONNECTED)
            if self._card is None:
                raise CardAbsentError("No card on the reader")
            return self._card.process_apdu(apdu)

    # -- what a person (or a test) does to the reader ------------------------------------

    @property
    def card(self) -> VirtualCard | None:
        with self._lock:
            return self._card

    def insert(self, card: VirtualCard) -> None:
        with self._lock:
            self._card = card

    def remove(self) -> None:
        with self._lock:
            self._card = None

    def unplug(self) -> None:
        with self._lock:
            self._present = False

    def plug_in(self) -> None:
        with self._lock:
            self._present = True
