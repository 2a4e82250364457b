"""ESC/POS real-time status: the request bytes and what the answers mean.

Pure functions, shared by the simulator's host side and the real serial/USB driver, so the
bit layout lives in one place. Source: Epson ESC/POS command reference, "DLE EOT n —
Transmit real-time status". Every answer byte has bits 0 and 7 off and bits 1 and 4 on
(mask 0x93 == 0x12); a byte that breaks that is not a status answer.
"""

from __future__ import annotations

from enum import IntEnum

from drivers.health import Health, HealthState
from drivers.printer.protocol import PrinterStatus

DLE = 0x10
EOT = 0x04
FIXED_MASK = 0b1001_0011  # bits 0, 1, 4, 7
FIXED_BITS = 0b0001_0010  # bits 1 and 4 on, 0 and 7 off


class StatusRequest(IntEnum):
    """The n of DLE EOT n."""

    PRINTER = 1  # bit 3: offline
    OFFLINE_CAUSE = 2  # bit 2: cover open, bit 5: stopped by paper end, bit 6: error
    ERROR_CAUSE = 3  # bit 3: autocutter error, bit 5: unrecoverable error
    PAPER_SENSOR = 4  # bits 2+3: roll paper near end, bits 5+6: roll paper end


# Bits within each answer (ESC/POS DLE EOT n, n = 1..4).
OFFLINE = 1 << 3  # n=1
COVER_OPEN = 1 << 2  # n=2
PAPER_END_STOP = 1 << 5  # n=2
ERROR_OCCURRED = 1 << 6  # n=2
AUTOCUTTER_ERROR = 1 << 3  # n=3
UNRECOVERABLE_ERROR = 1 << 5  # n=3
PAPER_NEAR_END = (1 << 2) | (1 << 3)  # n=4
PAPER_END = (1 << 5) | (1 << 6)  # n=4


def status_request(n: StatusRequest | int) -> bytes:
    """The three bytes DLE EOT n; the printer answers with one byte, even while offline."""
    return bytes((DLE, EOT, StatusRequest(n)))


STATUS_REQUESTS: tuple[bytes, ...] = tuple(status_request(n) for n in StatusRequest)


def is_status_answer(byte: int) -> bool:
    return byte & FIXED_MASK == FIXED_BITS


def decode_status(answers: bytes) -> PrinterStatus:
    """Turn the answers to DLE EOT 1, 2, 3 and 4 (in that order) into a PrinterStatus.

    Raises ValueError when there are not four bytes or one is not a status answer.
    """
    if len(answers) != len(StatusRequest):
        raise ValueError(f"expected {len(StatusRequest)} status bytes, got {len(answers)}")
    if not all(is_status_answer(byte) for byte in answers):
        raise ValueError(f"not a real-time status answer: {answers.hex(' ')}")
    printer, offline_cause, error_cause, paper = answers
    return PrinterStatus(
        online=not printer & OFFLINE,
        cover_open=bool(offline_cause & COVER_OPEN),
        paper_end=bool(paper & PAPER_END) or bool(offline_cause & PAPER_END_STOP),
        paper_near_end=bool(paper & PAPER_NEAR_END),
        cutter_error=bool(error_cause & AUTOCUTTER_ERROR),
        unrecoverable_error=bool(error_cause & UNRECOVERABLE_ERROR),
    )


def health_from_status(status: PrinterStatus) -> Health:
    """The one reason a person should act on first; a paper-out printer is also offline,
    so causes are checked before the bare "offline"."""
    if status.unrecoverable_error:
        return Health(HealthState.FAILED, "Printer has an error and must be restarted by staff")
    if status.cutter_error:
        return Health(HealthState.FAILED, "Paper cutter is stuck")
    if status.cover_open:
        return Health(HealthState.FAILED, "Printer cover is open")
    if status.paper_end:
        return Health(HealthState.FAILED, "Paper is out")
    if not status.online:
        return Health(HealthState.FAILED, "Printer is offline")
    if status.paper_near_end:
        return Health(HealthState.DEGRADED, "Paper is running low")
    return Health.ok()
