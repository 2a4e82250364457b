"""Printer drivers the registry can build, with their options; imports no driver until used.

The profile module is small and already loaded with this package, so the code page and
paper width choices come straight from it; pyserial and the driver load only in build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import Choice, DriverFactory, Flag, Names, Number, Text, WholeChoice
from drivers.printer.profile import CODE_PAGES, PAPER_DOTS, PrinterProfile

if TYPE_CHECKING:
    from drivers.printer.escpos import EscPosPrinter
    from drivers.printer.serial_link import Flow
    from drivers.printer.simulated_line import SimulatedLinePrinter
    from drivers.printer.simulator import Paper
    from drivers.unavailable import UnavailablePrinter

BAUD_RATES = (9600, 19200, 38400, 57600, 115200)  # what receipt printers' DIP switches offer
FLOW_CONTROLS = ("none", "rtscts", "xonxoff", "dsrdtr")  # drivers.printer.serial_link.Flow
PORT_HINT = "a serial port or URL such as '/dev/ttyUSB0' or 'socket://192.168.1.20:9100'"
_DEFAULT = PrinterProfile()


def _simulated(
    paper: Paper, cover_open: bool, online: bool, present: bool, paper_mm: int, native_qr: bool, baudrate: int
) -> SimulatedLinePrinter:
    from drivers.printer.simulated_line import SimulatedLinePrinter

    profile = PrinterProfile.for_paper(paper_mm, native_qr=native_qr)
    return SimulatedLinePrinter(
        profile, paper=paper, cover_open=cover_open, online=online, present=present, baud=baudrate
    )


def _escpos(
    port: str,
    baudrate: int,
    flow: Flow,
    paper_mm: int,
    code_pages: tuple[str, ...],
    native_qr: bool,
    timeout: float,
) -> EscPosPrinter:
    """The port opens on first use, so a printer that is off at start-up reports its health."""
    from drivers.printer.escpos import EscPosPrinter
    from drivers.printer.serial_link import SerialLink

    profile = PrinterProfile.for_paper(paper_mm, code_pages=code_pages, native_qr=native_qr)
    return EscPosPrinter(SerialLink(port, baudrate, flow), profile, timeout)


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
        "paper_mm": WholeChoice(_DEFAULT.paper_mm, tuple(PAPER_DOTS)),
        "native_qr": Flag(True),
        "baudrate": WholeChoice(115200, BAUD_RATES),  # how fast the simulated line takes bytes
    },
)
escpos = DriverFactory(
    _escpos,
    {
        "port": Text("", PORT_HINT, required=True),
        "baudrate": WholeChoice(115200, BAUD_RATES),
        "flow": Choice("none", FLOW_CONTROLS),
        "paper_mm": WholeChoice(_DEFAULT.paper_mm, tuple(PAPER_DOTS)),
        "code_pages": Names(_DEFAULT.code_pages, tuple(CODE_PAGES), "code page"),
        "native_qr": Flag(True),
        "timeout": Number(0.5, 0.05, 10.0),
    },
)
none = DriverFactory(_none)
