"""The printer driver proper: ESC/POS over any byte link, checking status before each job.

A ticket is only sent when the printer has just said it can print, so a citizen is told
"paper is out" at once instead of walking away without a ticket.
"""

from __future__ import annotations

import threading
from typing import Protocol

from drivers.health import Health, HealthState
from drivers.printer.protocol import PrinterError, PrinterStatus
from drivers.printer.status import STATUS_REQUESTS, decode_status, health_from_status

NO_ANSWER = "Printer does not answer"


class PrinterLink(Protocol):
    """A two-way byte pipe to the printer (a serial port, a USB endpoint, a simulator)."""

    def write(self, data: bytes) -> None: ...

    def read(self, n: int, timeout: float = 0.0) -> bytes:
        """Up to `n` bytes, waiting at most `timeout` seconds for them."""
        ...

    def reset_input_buffer(self) -> None: ...


class PrinterNotAnswering(PrinterError):
    """Nothing came back to a status request: cable, power or wrong port."""


class EscPosPrinter:
    """Implements `drivers.printer.protocol.Printer` over a `PrinterLink`."""

    def __init__(self, link: PrinterLink, timeout: float = 0.5) -> None:
        self._link = link
        self.timeout = timeout
        self._lock = threading.Lock()  # one exchange at a time, or answers get mixed up

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._query()

    def health(self) -> Health:
        try:
            status = self.status()
        except PrinterNotAnswering:
            return Health.missing(NO_ANSWER)
        except PrinterError as exc:
            return Health(HealthState.FAILED, str(exc))
        return health_from_status(status)

    def write(self, data: bytes) -> None:
        with self._lock:
            health = health_from_status(self._query())
            if not health.usable:
                raise PrinterError(health.reason)
            self._link.write(bytes(data))

    def _query(self) -> PrinterStatus:
        """DLE EOT 1..4, one at a time: a silent printer costs one timeout, not four."""
        self._link.reset_input_buffer()
        answers = bytearray()
        for request in STATUS_REQUESTS:
            self._link.write(request)
            answer = self._link.read(1, timeout=self.timeout)
            if not answer:
                raise PrinterNotAnswering(NO_ANSWER)
            answers += answer
        try:
            return decode_status(bytes(answers))
        except ValueError:
            raise PrinterError("Printer gave an answer that makes no sense") from None
