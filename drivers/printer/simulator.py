"""The far end of the printer cable, in memory: it receives bytes and answers status requests.

The host side (`SimulatedPrinterDriver`) talks to it only through bytes, the same way the
real driver talks to a serial or USB receipt printer, so the status decoding and the
"refuse to print" logic are exercised for real. Fault switches let tests and technicians
see how the kiosk reacts to low paper, an open cover or a pulled cable.
"""

from __future__ import annotations

import threading
from typing import Literal, get_args

from drivers.printer import status as escpos
from drivers.printer.escpos import DEFAULT_PROFILE, EscPosPrinter
from drivers.printer.profile import PrinterProfile

Paper = Literal["ok", "low", "out"]
PAPER_LEVELS: tuple[str, ...] = get_args(Paper)
_DLE_EOT = bytes((escpos.DLE, escpos.EOT))
_REQUEST_CODES = frozenset(int(n) for n in escpos.StatusRequest)


# GS r 1 answer bits (ESC/POS "GS r — Transmit status", n = 1: paper sensor status).
GS_R_PAPER_NEAR_END = 0b0000_0011  # bits 0-1
GS_R_PAPER_END = 0b0000_1100  # bits 2-3
GS_R_FIXED_MASK = 0b1001_0000  # bits 4 and 7 are always off


class PrinterState:
    """The printer's condition and how it reports it: the core every simulated printer shares.

    Holds the fault switches a technician or test flips and lays out the status bytes of
    DLE EOT n and GS r 1, so the in-memory and the serial simulators answer identically.
    The switches may be flipped from any thread.
    """

    paper: Paper

    def __init__(self, paper: Paper = "ok", cover_open: bool = False, online: bool = True) -> None:
        self._state_lock = threading.Lock()
        self.set_paper(paper)
        self.cover_open = cover_open
        self.online = online
        self.cutter_error = False
        self.unrecoverable_error = False

    def set_paper(self, paper: Paper) -> None:
        if paper not in PAPER_LEVELS:
            raise ValueError(f"paper must be one of {', '.join(PAPER_LEVELS)}, not {paper!r}")
        with self._state_lock:
            self.paper = paper

    def open_cover(self) -> None:
        self.cover_open = True

    def close_cover(self) -> None:
        self.cover_open = False

    def go_offline(self) -> None:
        self.online = False

    def go_online(self) -> None:
        self.online = True

    @property
    def can_print(self) -> bool:
        """A printer that reports itself offline (DLE EOT 1 bit 3) does not print either."""
        with self._state_lock:
            return not self._offline()

    def _offline(self) -> bool:
        error = self.cutter_error or self.unrecoverable_error
        return not self.online or self.cover_open or self.paper == "out" or error

    def status_byte(self, request: escpos.StatusRequest) -> int:
        """The answer to DLE EOT n, laid out as ESC/POS specifies (see drivers.printer.status)."""
        with self._state_lock:
            paper_out = self.paper == "out"
            error = self.cutter_error or self.unrecoverable_error
            byte = escpos.FIXED_BITS
            if request is escpos.StatusRequest.PRINTER:
                byte |= escpos.OFFLINE if self._offline() else 0
            elif request is escpos.StatusRequest.OFFLINE_CAUSE:
                byte |= escpos.COVER_OPEN if self.cover_open else 0
                byte |= escpos.PAPER_END_STOP if paper_out else 0
                byte |= escpos.ERROR_OCCURRED if error else 0
            elif request is escpos.StatusRequest.ERROR_CAUSE:
                byte |= escpos.AUTOCUTTER_ERROR if self.cutter_error else 0
                byte |= escpos.UNRECOVERABLE_ERROR if self.unrecoverable_error else 0
            else:  # PAPER_SENSOR: an empty roll also trips the near-end sensor
                byte |= escpos.PAPER_NEAR_END if self.paper != "ok" else 0
                byte |= escpos.PAPER_END if paper_out else 0
            return byte

    def paper_sensor_byte(self) -> int:
        """The answer to GS r 1: bits 0-1 paper near end, bits 2-3 paper end, the rest off."""
        with self._state_lock:
            byte = GS_R_PAPER_NEAR_END if self.paper != "ok" else 0
            return byte | (GS_R_PAPER_END if self.paper == "out" else 0)


class SimulatedPrinter(PrinterState):
    """A receipt printer that handles ESC/POS DLE EOT n (n = 1..4) as it arrives.

    Real-time requests are answered at once and are not part of `received`, which holds the
    print data in order. A request split over two writes is still recognised. Unplugged,
    it neither receives nor answers anything.
    """

    def __init__(
        self,
        paper: Paper = "ok",
        cover_open: bool = False,
        online: bool = True,
        present: bool = True,
    ) -> None:
        super().__init__(paper, cover_open, online)
        self._condition = threading.Condition()
        self._received = bytearray()
        self._tail = b""  # the start of a DLE EOT n that has not fully arrived yet
        self._answers = bytearray()
        self.present = present

    # -- the wire -----------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Bytes from the host arrive here."""
        with self._condition:
            if not self.present:
                return
            self._feed(bytes(data))

    def read(self, n: int, timeout: float = 0.0) -> bytes:
        """Up to `n` answer bytes; waits at most `timeout` seconds for `n` to be there."""
        with self._condition:
            self._condition.wait_for(lambda: len(self._answers) >= n, timeout)
            answer = bytes(self._answers[:n])
            del self._answers[:n]
            return answer

    def reset_input_buffer(self) -> None:
        """Drop answers the host did not read, as pyserial's method of this name does."""
        with self._condition:
            self._answers.clear()

    @property
    def received(self) -> bytes:
        """Everything received for printing, in order (real-time requests left out)."""
        with self._condition:
            return bytes(self._received) + self._tail

    def clear_received(self) -> None:
        with self._condition:
            self._received.clear()

    # -- fault switches -----------------------------------------------------------------

    def unplug(self) -> None:
        self.present = False

    def plug_in(self) -> None:
        self.present = True

    # -- inside the printer -------------------------------------------------------------

    def _feed(self, data: bytes) -> None:
        buffer = self._tail + data
        self._tail = b""
        start = 0
        while True:
            found = buffer.find(_DLE_EOT, start)
            if found < 0:
                if buffer.endswith(_DLE_EOT[:1]) and len(buffer) - 1 >= start:
                    self._received += buffer[start:-1]
                    self._tail = buffer[-1:]
                else:
                    self._received += buffer[start:]
                return
            if found + 2 >= len(buffer):  # DLE EOT, and n is still on its way
                self._received += buffer[start:found]
                self._tail = buffer[found:]
                return
            n = buffer[found + 2]
            if n in _REQUEST_CODES:
                self._received += buffer[start:found]
                self._answers.append(self.status_byte(escpos.StatusRequest(n)))
                self._condition.notify_all()
                start = found + 3
            else:  # not a request this printer knows: plain data
                self._received += buffer[start : found + 2]
                start = found + 2


class SimulatedPrinterDriver(EscPosPrinter):
    """The kiosk's printer driver wired to a `SimulatedPrinter` instead of a cable."""

    def __init__(
        self, endpoint: SimulatedPrinter, timeout: float = 0.5, *, profile: PrinterProfile = DEFAULT_PROFILE
    ) -> None:
        super().__init__(endpoint, profile, timeout)
        self._endpoint = endpoint

    @property
    def endpoint(self) -> SimulatedPrinter:
        """The printer at the far end, to flip its faults."""
        return self._endpoint
