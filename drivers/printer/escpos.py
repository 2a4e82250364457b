"""The printer driver proper: ESC/POS over any byte link, checking status before each job.

A ticket is only sent when the printer has just said it can print, so a citizen is told
"paper is out" at once instead of walking away without a ticket; and asked again after the
job, so a roll that ran out or a cable pulled during the ticket is reported, not missed.
"""

from __future__ import annotations

import threading
from typing import Protocol

from drivers.health import Health, HealthState
from drivers.printer.document import Document, TextRasterizer
from drivers.printer.encoder import encode
from drivers.printer.profile import PrinterProfile
from drivers.printer.protocol import PrinterError, PrinterStatus
from drivers.printer.status import STATUS_REQUESTS, decode_status, health_from_status

NO_ANSWER = "Printer does not answer"
# After a job the status request queues behind the job's bytes on a slow or flow-controlled
# line (a 600-row image is 40 kB, about 4 s at 115200 baud), so the answer may take longer.
AFTER_JOB_TIMEOUT = 10.0
DEFAULT_PROFILE = PrinterProfile()  # 80 mm, Western European code pages, native QR


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

    def __init__(
        self,
        link: PrinterLink,
        profile: PrinterProfile = DEFAULT_PROFILE,
        timeout: float = 0.5,
        *,
        after_job_timeout: float = AFTER_JOB_TIMEOUT,
    ) -> None:
        self._link = link
        self._profile = profile
        self.timeout = timeout
        self.after_job_timeout = after_job_timeout
        self._lock = threading.Lock()  # one exchange at a time, or answers get mixed up

    @property
    def profile(self) -> PrinterProfile:
        return self._profile

    def status(self) -> PrinterStatus:
        with self._lock:
            return self._query(self.timeout)

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
            _refuse_unless_usable(self._query(self.timeout))
            self._link.write(bytes(data))

    def print(self, document: Document, rasterizer: TextRasterizer | None = None) -> PrinterStatus:
        """Encode, check, send, check again; see `drivers.printer.protocol.Printer.print`.

        Encoding comes first, so a DocumentError leaves the printer untouched. A printer
        that cannot print after the job (paper ran out during it, cover opened) raises
        PrinterError with the reason: the ticket may not have come out whole.
        """
        data = encode(document, self.profile, rasterizer)
        with self._lock:
            _refuse_unless_usable(self._query(self.timeout))
            self._link.write(data)
            after = self._query(max(self.timeout, self.after_job_timeout))
        _refuse_unless_usable(after)
        return after

    def close(self) -> None:
        """Close the link if it can be closed (a serial port); the kiosk calls this at exit."""
        close = getattr(self._link, "close", None)
        if callable(close):
            close()

    def _query(self, timeout: float) -> PrinterStatus:
        """DLE EOT 1..4, one at a time: a silent printer costs one timeout, not four."""
        self._link.reset_input_buffer()
        answers = bytearray()
        for request in STATUS_REQUESTS:
            self._link.write(request)
            answer = self._link.read(1, timeout=timeout)
            if not answer:
                raise PrinterNotAnswering(NO_ANSWER)
            answers += answer
        try:
            return decode_status(bytes(answers))
        except ValueError:
            raise PrinterError("Printer gave an answer that makes no sense") from None


def _refuse_unless_usable(status: PrinterStatus) -> None:
    health = health_from_status(status)
    if not health.usable:
        raise PrinterError(health.reason)
