"""The simulated printer as the kiosk uses it: the real driver, over a real pseudo-terminal.

Nothing here fakes the driver: `EscPosPrinter` and `SerialLink` (pyserial) run exactly
as with a printer on /dev/ttyUSB0, and the simulator at the far end of the pty parses
what arrives. This is the embedded default and what the kiosk tests print to.
"""

from __future__ import annotations

from drivers.printer.escpos import EscPosPrinter
from drivers.printer.profile import PrinterProfile
from drivers.printer.serial_link import SerialLink
from drivers.printer.simulator import Paper
from drivers.printer.wire_simulator import WirePrinterSimulator


class SimulatedLinePrinter(EscPosPrinter):
    def __init__(
        self,
        profile: PrinterProfile,
        *,
        paper: Paper = "ok",
        cover_open: bool = False,
        online: bool = True,
        present: bool = True,
        baud: int | None = None,
        timeout: float = 0.5,
    ) -> None:
        self.simulator = WirePrinterSimulator(profile, paper=paper, cover_open=cover_open, online=online, baud=baud)
        self.simulator.start()
        if not present:
            self.simulator.mute(True)  # a printer with its cable pulled: nothing answers
        self._line = SerialLink(self.simulator.port, baudrate=baud or 115200)
        super().__init__(self._line, profile, timeout)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._line.close()
            self.simulator.stop()
