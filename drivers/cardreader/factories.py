"""Card reader drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from drivers.options import Choice, DriverFactory, Flag, Number, Text

if TYPE_CHECKING:
    from drivers.cardreader.pcsc import PcscCardReader
    from drivers.cardreader.simulator import SimulatedCardReader
    from drivers.cardreader.virtual_card import VirtualCard
    from drivers.unavailable import UnavailableCardReader


def _simulated(present: bool, card: str, access: str) -> SimulatedCardReader:
    from drivers.cardreader.simulator import SimulatedCardReader
    from drivers.cardreader.virtual_card import BlankCard

    if card == "none":
        return SimulatedCardReader(present=present)
    if card == "blank":
        return SimulatedCardReader(present=present, card=BlankCard())
    return SimulatedCardReader(present=present, card=_LazyDocument(card, access))


class _LazyDocument:
    """A virtual passport or ID card made on first use: its keys and face image cost a few hundred
    milliseconds that the kiosk's start-up should not pay."""

    def __init__(self, kind: str, access: str) -> None:
        self.kind = kind
        self.access = access

    @functools.cached_property
    def _chip(self) -> VirtualCard:
        from drivers.cardreader.emrtd.factory import build_virtual_document

        return build_virtual_document(self.kind, access=self.access).chip

    @property
    def atr(self) -> bytes:
        return self._chip.atr

    def process_apdu(self, apdu: bytes) -> bytes:
        return self._chip.process_apdu(apdu)


def _pcsc(reader: str, apdu_timeout: float) -> PcscCardReader:
    from drivers.cardreader.pcsc import PcscCardReader

    return PcscCardReader(reader.strip(), apdu_timeout=apdu_timeout)


def _none() -> UnavailableCardReader:
    from drivers.unavailable import UnavailableCardReader

    return UnavailableCardReader("No card reader configured")


# `card`: what lies on the simulated reader — an invented person's passport (the default, so the
# kiosk's Identify task works without hardware), an ID card, a card without the eMRTD application, or nothing.
simulated = DriverFactory(
    _simulated,
    {
        "present": Flag(True),
        "card": Choice("passport", ("passport", "id-card", "blank", "none")),
        "access": Choice("pace", ("pace", "pace-only", "bac")),
    },
)
# `reader`: a name pattern (glob or part of the name, any case); empty takes the first reader.
pcsc = DriverFactory(
    _pcsc,
    {
        "reader": Text("", "a reader name or pattern such as 'ACS*' or 'Omnikey'"),
        "apdu_timeout": Number(5.0, 0.1, 60.0),
    },
)
none = DriverFactory(_none)
