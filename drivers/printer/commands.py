"""The ESC/POS words the encoder speaks, each a small function that returns its bytes.

One function per command keeps every byte layout in one place, next to the clause of the
Epson ESC/POS command reference it comes from, so the encoder reads as a list of intents
and a test can compare a command with the manual. Parameters out of the command's range
raise ValueError: that is a bug in the caller, not something a printer should guess at.
"""

from __future__ import annotations

from drivers.printer.document import Align
from drivers.printer.status import StatusRequest, status_request

ESC = 0x1B
GS = 0x1D
LF = b"\n"  # ESC/POS "LF": print the line buffer and feed one line

# Second bytes of the commands below (ESC/POS command reference, command index).
_INITIALIZE = ord("@")  # ESC @
_CODE_PAGE = ord("t")  # ESC t n
_JUSTIFY = ord("a")  # ESC a n
_EMPHASIS = ord("E")  # ESC E n
_FEED_LINES = ord("d")  # ESC d n
_CHARACTER_SIZE = ord("!")  # GS ! n
_CUT = ord("V")  # GS V m n
_RASTER = ord("v")  # GS v 0 m xL xH yL yH d1...dk
_TRANSMIT_STATUS = ord("r")  # GS r n

# ESC a n: 0 left, 1 centre, 2 right.
JUSTIFICATION = {Align.LEFT: 0, Align.CENTER: 1, Align.RIGHT: 2}

# GS V m n, function B: feed the paper to the cutting position plus n motion units, then cut.
CUT_FULL = 65
CUT_PARTIAL = 66

# GS ( k for the QR code symbol: cn = 49 selects QR code; fn is the byte after it.
QR_CN = 49
QR_SELECT_MODEL = 65  # function 165
QR_MODULE_SIZE = 67  # function 167
QR_ERROR_CORRECTION = 69  # function 169
QR_STORE = 80  # function 180
QR_PRINT = 81  # function 181
QR_MODEL_2 = 50
QR_ERROR_CORRECTION_M = 49  # 48 L, 49 M, 50 Q, 51 H
QR_SYMBOL = 48  # m = 48 in functions 180 and 181
QR_MAX_STORE = 7089  # function 180: 4 <= (pL + pH * 256) <= 7092, three of which are cn fn m

RASTER_NORMAL = 0  # GS v 0 m: normal density, no doubling
RASTER_MAX_ROW_BYTES = 0xFFFF
RASTER_MAX_ROWS = 2303  # GS v 0: 1 <= (yL + yH * 256) <= 2303 on TM printers (the smallest limit)

PAPER_SENSOR_STATUS = 1  # GS r n: n = 1 (or 49) asks for the paper sensor status


def _byte(name: str, value: int, low: int = 0, high: int = 255) -> int:
    if not low <= value <= high:
        raise ValueError(f"{name} must be {low}..{high}, not {value}")
    return value


def _little_endian(value: int) -> bytes:
    """The pL pH / xL xH / yL yH pairs: low byte first."""
    return value.to_bytes(2, "little")


def initialize() -> bytes:
    """ESC @: clear the print buffer and restore default settings (left, not bold, size 1)."""
    return bytes((ESC, _INITIALIZE))


def code_page(n: int) -> bytes:
    """ESC t n: select character code table n (numbers in drivers.printer.profile.CODE_PAGES)."""
    return bytes((ESC, _CODE_PAGE, _byte("code page", n)))


def justify(align: Align) -> bytes:
    """ESC a n: align the following lines; it also positions GS v 0 images and QR codes."""
    return bytes((ESC, _JUSTIFY, JUSTIFICATION[align]))


def emphasis(on: bool) -> bytes:
    """ESC E n: emphasized (bold) on when the lowest bit of n is 1."""
    return bytes((ESC, _EMPHASIS, int(on)))


def character_size(width: int, height: int) -> bytes:
    """GS ! n: magnification, bits 4-6 the width and bits 0-2 the height, each minus one."""
    n = (_byte("width", width, 1, 8) - 1) << 4 | (_byte("height", height, 1, 8) - 1)
    return bytes((GS, _CHARACTER_SIZE, n))


def feed_lines(n: int) -> bytes:
    """ESC d n: print the buffer and feed n lines (0..255)."""
    return bytes((ESC, _FEED_LINES, _byte("lines", n)))


def cut(partial: bool = True, feed: int = 3) -> bytes:
    """GS V m n (function B): feed to the cutter plus `feed` motion units, then cut.

    Function B feeds first, so the last printed line clears the cutter instead of being
    cut through; a partial cut leaves a tab that keeps the ticket from falling.
    """
    return bytes((GS, _CUT, CUT_PARTIAL if partial else CUT_FULL, _byte("feed", feed)))


def _qr(fn: int, parameters: bytes) -> bytes:
    """GS ( k pL pH cn fn [parameters]: pL pH count the bytes from cn on."""
    return bytes((GS, ord("("), ord("k"))) + _little_endian(len(parameters) + 2) + bytes((QR_CN, fn)) + parameters


def qr_select_model_2() -> bytes:
    """GS ( k function 165: model 2, the model every phone reader expects (n2 = 0)."""
    return _qr(QR_SELECT_MODEL, bytes((QR_MODEL_2, 0)))


def qr_module_size(dots: int) -> bytes:
    """GS ( k function 167: each QR module is `dots` x `dots` dots (1..16)."""
    return _qr(QR_MODULE_SIZE, bytes((_byte("module size", dots, 1, 16),)))


def qr_error_correction_m() -> bytes:
    """GS ( k function 169: error correction level M (about 15 % of the code may be lost)."""
    return _qr(QR_ERROR_CORRECTION, bytes((QR_ERROR_CORRECTION_M,)))


def qr_store(data: bytes) -> bytes:
    """GS ( k function 180: store the symbol data in the printer (m = 48)."""
    _byte("QR data length", len(data), 1, QR_MAX_STORE)
    return _qr(QR_STORE, bytes((QR_SYMBOL,)) + data)


def qr_print() -> bytes:
    """GS ( k function 181: print the stored symbol (m = 48)."""
    return _qr(QR_PRINT, bytes((QR_SYMBOL,)))


def raster_image(row_bytes: int, rows: int, data: bytes) -> bytes:
    """GS v 0 m xL xH yL yH d1...dk: a 1-bit image, `row_bytes` bytes a row, `rows` rows.

    Bits are packed most significant first, a set bit is a black dot: the layout of
    drivers.printer.document.Raster, so its bits go out unchanged.
    """
    _byte("raster row bytes", row_bytes, 1, RASTER_MAX_ROW_BYTES)
    _byte("raster rows", rows, 1, RASTER_MAX_ROWS)
    if len(data) != row_bytes * rows:
        raise ValueError(f"raster data is {len(data)} bytes, {row_bytes} x {rows} expected")
    header = bytes((GS, _RASTER, ord("0"), RASTER_NORMAL)) + _little_endian(row_bytes) + _little_endian(rows)
    return header + data


def real_time_status(request: StatusRequest | int) -> bytes:
    """DLE EOT n: answered at once with one byte, even while the printer is busy or offline."""
    return status_request(request)


def paper_sensor_status() -> bytes:
    """GS r 1: the paper sensor status, answered only after the data before it is processed.

    Unlike DLE EOT it waits its turn in the receive buffer, so its answer tells when a
    job has been taken in.
    """
    return bytes((GS, _TRANSMIT_STATUS, PAPER_SENSOR_STATUS))
