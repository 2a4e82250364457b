"""A receipt printer reached by bytes: ESC/POS out, real-time status back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from drivers.health import Health
from drivers.printer.document import Document, TextRasterizer
from drivers.printer.profile import PrinterProfile


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """Decoded from the printer's real-time status bytes (ESC/POS DLE EOT n)."""

    online: bool
    cover_open: bool = False
    paper_end: bool = False
    paper_near_end: bool = False
    cutter_error: bool = False
    unrecoverable_error: bool = False


class PrinterError(Exception):
    """The printer did not take the job (offline, paper out, no answer)."""


class PrinterPortError(PrinterError):
    """The port or address the printer is configured on cannot be opened."""


class PrinterDisconnected(PrinterError):
    """The link broke while talking to the printer: cable pulled, power off, USB reset."""


class PrinterNotTakingData(PrinterError):
    """The printer holds off the data for too long: flow control wrong or the printer stuck."""


class Printer(Protocol):
    def health(self) -> Health: ...

    def status(self) -> PrinterStatus:
        """Ask the printer now (DLE EOT 1..4); raises PrinterError if it does not answer."""

    @property
    def profile(self) -> PrinterProfile: ...

    def write(self, data: bytes) -> None:
        """Send ESC/POS bytes; raises PrinterError if the printer cannot print."""

    def print(self, document: Document, rasterizer: TextRasterizer | None = None) -> PrinterStatus:
        """Encode for this printer, check it can print, send, and check again afterwards.

        Returns the status after printing (paper may have run low). Raises PrinterError
        with a plain reason (paper out, cover open, no answer, disconnected), or
        DocumentError when the document cannot be printed as asked.
        """

    def close(self) -> None:
        """Release the port (and, for the simulator, its thread) at shutdown."""
