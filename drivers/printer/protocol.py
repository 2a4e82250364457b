"""A receipt printer reached by bytes: ESC/POS out, real-time status back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from drivers.health import Health


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


class Printer(Protocol):
    def health(self) -> Health: ...

    def status(self) -> PrinterStatus:
        """Ask the printer now (DLE EOT 1..4); raises PrinterError if it does not answer."""

    def write(self, data: bytes) -> None:
        """Send ESC/POS bytes; raises PrinterError if the printer cannot print."""
