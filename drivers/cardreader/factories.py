"""Card reader drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import Choice, DriverFactory, Flag, Number, Text

if TYPE_CHECKING:
    from drivers.cardreader.pcsc import PcscCardReader
    from drivers.cardreader.simulator import SimulatedCardReader
    from drivers.unavailable import UnavailableCardReader


def _simulated(present: bool, card: str) -> SimulatedCardReader:
    from drivers.cardreader.simulator import SimulatedCardReader
    from drivers.cardreader.virtual_card import BlankCard

    return SimulatedCardReader(present=present, card=BlankCard() if card == "blank" else None)


def _pcsc(reader: str, apdu_timeout: float) -> PcscCardReader:
    from drivers.cardreader.pcsc import PcscCardReader

    return PcscCardReader(reader.strip(), apdu_timeout=apdu_timeout)


def _none() -> UnavailableCardReader:
    from drivers.unavailable import UnavailableCardReader

    return UnavailableCardReader("No card reader configured")


simulated = DriverFactory(_simulated, {"present": Flag(True), "card": Choice("none", ("none", "blank"))})
# `reader`: a name pattern (glob or part of the name, any case); empty takes the first reader.
pcsc = DriverFactory(
    _pcsc,
    {
        "reader": Text("", "a reader name or pattern such as 'ACS*' or 'Omnikey'"),
        "apdu_timeout": Number(5.0, 0.1, 60.0),
    },
)
none = DriverFactory(_none)
