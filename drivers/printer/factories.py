"""Printer drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import Choice, DriverFactory, Flag

if TYPE_CHECKING:
    from drivers.printer.simulator import Paper, SimulatedPrinterDriver
    from drivers.unavailable import UnavailablePrinter


def _simulated(paper: Paper, cover_open: bool, online: bool, present: bool) -> SimulatedPrinterDriver:
    from drivers.printer.simulator import SimulatedPrinter, SimulatedPrinterDriver

    endpoint = SimulatedPrinter(paper=paper, cover_open=cover_open, online=online, present=present)
    return SimulatedPrinterDriver(endpoint)


def _none() -> UnavailablePrinter:
    from drivers.unavailable import UnavailablePrinter

    return UnavailablePrinter("No printer configured")


simulated = DriverFactory(
    _simulated,
    {
        "paper": Choice("ok", ("ok", "low", "out")),
        "cover_open": Flag(False),
        "online": Flag(True),
        "present": Flag(True),
    },
)
none = DriverFactory(_none)
