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
from drivers.printer.escpos import EscPosPrinter

Paper = Literal["ok", "low", "out"]
PAPER_LEVELS: tuple[str, ...] = get_args(Paper)
_DLE_EOT = bytes((escpos.DLE, escpos.EOT))
_REQUEST_CODES = frozenset(int(n) for n in escpos.StatusRequest)


class SimulatedPrinter:
    """A receipt printer that handles ESC/POS DLE EOT n (n = 1..4) as it arrives.

    Real-time requests are answered at once and are not part of `received`, which holds the
    print data in order. A request split over two writes is still recognised. Unplugged,
    it neither receives nor answers anything.
    """

    paper: Paper

    def __init__(
        self,
        paper: Paper = "ok",
        cover_open: bool = False,
        online: bool = True,
        present: bool = True,
    ) -> None:
        self._condition = threading.Condition()
        self._received = bytearray()
        self._tail = b""  # the start of a DLE EOT n that has not fully arrived yet
        self._answers = bytearray()
        self.set_paper(paper)
        self.cover_open = cover_open
        self.online = online
        self.present = present
        self.cutter_error = False
        self.unrecoverable_error = False

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

    def set_paper(self, paper: Paper) -> None:
        if paper not in PAPER_LEVELS:
            raise ValueError(f"paper must be one of {', '.join(PAPER_LEVELS)}, not {paper!r}")
        self.paper = paper

    def open_cover(self) -> None:
        self.cover_open = True

    def close_cover(self) -> None:
        self.cover_open = False

    def go_offline(self) -> None:
        self.online = False

    def go_online(self) -> None:
        self.online = True

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
                self._answers.append(self._answer(escpos.StatusRequest(n)))
                self._condition.notify_all()
                start = found + 3
            else:  # not a request this printer knows: plain data
                self._received += buffer[start : found + 2]
                start = found + 2

    def _answer(self, request: escpos.StatusRequest) -> int:
        """One status byte, laid out as ESC/POS DLE EOT n specifies (see drivers.printer.status)."""
        paper_out = self.paper == "out"
        error = self.cutter_error or self.unrecoverable_error
        byte = escpos.FIXED_BITS
        if request is escpos.StatusRequest.PRINTER:
            if not self.online or self.cover_open or paper_out or error:
                byte |= escpos.OFFLINE
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


class SimulatedPrinterDriver(EscPosPrinter):
    """The kiosk's printer driver wired to a `SimulatedPrinter` instead of a cable."""

    def __init__(self, endpoint: SimulatedPrinter, timeout: float = 0.5) -> None:
        super().__init__(endpoint, timeout)
        self._endpoint = endpoint

    @property
    def endpoint(self) -> SimulatedPrinter:
        """The printer at the far end, to flip its faults."""
        return self._endpoint
