"""Card reader drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import Choice, DriverFactory, Flag

if TYPE_CHECKING:
    from drivers.cardreader.simulator import SimulatedCardReader
    from drivers.unavailable import UnavailableCardReader


def _simulated(present: bool, card: str) -> SimulatedCardReader:
    from drivers.cardreader.simulator import SimulatedCardReader
    from drivers.cardreader.virtual_card import BlankCard

    return SimulatedCardReader(present=present, card=BlankCard() if card == "blank" else None)


def _none() -> UnavailableCardReader:
    from drivers.unavailable import UnavailableCardReader

    return UnavailableCardReader("No card reader configured")


simulated = DriverFactory(_simulated, {"present": Flag(True), "card": Choice("none", ("none", "blank"))})
none = DriverFactory(_none)
