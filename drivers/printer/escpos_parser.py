"""Reads the host → printer ESC/POS byte stream back into typed events, as a printer would.

Used by the simulators (and by tests) so what the encoder sends is checked by what a printer
would do with it, not by comparing byte strings. Bytes may arrive split anywhere: the parser
keeps an incomplete command until the rest comes. It never raises and never skips silently:
what it does not understand becomes `Unknown`, consuming the prefix and the command byte (or
the whole command when its length is known), so the stream always moves on.

Byte layouts follow the Epson ESC/POS command reference; each handler names its command.
Real-time commands (DLE EOT n) are recognised between commands, not inside the data of a
raster image or a QR code, so image bits never turn into status requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from drivers.printer.document import Align as Alignment

LF = 0x0A
CR = 0x0D
ESC = 0x1B
GS = 0x1D
DLE = 0x10
FS = 0x1C
EOT = 0x04
DC4 = 0x14

_CONTROL = re.compile(rb"[\x00-\x1f]")  # text runs until the next control byte

# ESC a n, GS ( k, GS v 0 m: small arguments may come as a value or as its ASCII digit.
_ASCII_ZERO = 0x30

# GS V m: m -> (partial, takes a feed argument n). ESC/POS "GS V — Select cut mode and cut paper".
_CUT_MODES: dict[int, tuple[bool, bool]] = {
    0: (False, False),
    48: (False, False),
    1: (True, False),
    49: (True, False),
    65: (False, True),  # function B: feed n, then full cut
    66: (True, True),
    97: (False, True),  # function C: feed n, cut, reverse-feed (cut position only matters here)
    98: (True, True),
    103: (False, True),  # function D
    104: (True, True),
}

# GS ( k, symbol type cn = 49 (QR code). ESC/POS "GS ( k <Function 165..181>".
QR_SYMBOL = 49
QR_MODEL_FN = 65  # function 165: pL pH cn fn n1 n2 (n1: 49 model 1, 50 model 2, 51 micro)
QR_MODULE_FN = 67  # function 167: pL pH cn fn n (dots per module, 1..16)
QR_EC_FN = 69  # function 169: pL pH cn fn n (48 L, 49 M, 50 Q, 51 H)
QR_STORE_FN = 80  # function 180: pL pH cn fn m=48 d1..dk, k = pL + pH * 256 - 3
QR_PRINT_FN = 81  # function 181: pL pH cn fn m=48
QR_EC_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}

# GS v 0 m xL xH yL yH: the largest image this parser waits for. A printer's own limits are
# smaller (yL + yH * 256 <= 4095 on Epson models); a header beyond them is garbage, and
# waiting for gigabytes of "image" would stall the stream forever.
MAX_RASTER_ROW_BYTES = 255
MAX_RASTER_HEIGHT = 4095

# GS r n: n = 1 or 49 asks for the paper sensor status (ESC/POS "GS r — Transmit status").
_PAPER_SENSOR_REQUESTS = frozenset((1, 49))

# Commands this parser does not act on but whose argument count is fixed, so the arguments
# are consumed with them instead of being printed as text. Keys are the byte after ESC / GS.
_ESC_ARGUMENTS: dict[int, int] = {
    **dict.fromkeys(b"@2<LSim", 0),
    **dict.fromkeys(b" !%-3=?EGJKMRTUVadertu{", 1),
    **dict.fromkeys(b"$\\c", 2),  # ESC c 3 n, ESC c 4 n, ESC c 5 n
    **dict.fromkeys(b"p", 3),
    **dict.fromkeys(b"W", 8),
}
_GS_ARGUMENTS: dict[int, int] = {
    **dict.fromkeys(b":", 0),
    **dict.fromkeys(b"!/BEHITabfhrw", 1),
    **dict.fromkeys(b"$LPW\\", 2),
    **dict.fromkeys(b"^", 3),
}
_FS_ARGUMENTS: dict[int, int] = {
    **dict.fromkeys(b"&.", 0),
    **dict.fromkeys(b"!-C", 1),
    **dict.fromkeys(b"p", 2),
}
_DLE_DC4_ARGUMENTS = {1: 3, 2: 2, 3: 2, 7: 1, 8: 7}  # DLE DC4 fn …: real-time pulse, power off, …


_ALIGNMENTS = {0: Alignment.LEFT, 1: Alignment.CENTER, 2: Alignment.RIGHT}


def _number(n: int) -> int:
    """Small arguments may be sent as a value or as its ASCII digit ("0" for 0); ESC/POS takes both."""
    return n - _ASCII_ZERO if n >= _ASCII_ZERO else n


# -- the events -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Initialise:
    """ESC @: settings back to power-on values; the unprinted line is dropped."""


@dataclass(frozen=True, slots=True)
class CodePage:
    """ESC t n: the character table text bytes are read in from now on."""

    n: int


@dataclass(frozen=True, slots=True)
class Align:
    """ESC a n: 0/48 left, 1/49 centre, 2/50 right."""

    n: int

    @property
    def alignment(self) -> Alignment:
        return _ALIGNMENTS.get(_number(self.n), Alignment.LEFT)


@dataclass(frozen=True, slots=True)
class Emphasis:
    """ESC E n (bit 0), or bit 3 of ESC ! n: bold."""

    on: bool


@dataclass(frozen=True, slots=True)
class CharacterSize:
    """GS ! n: width and height multipliers 1..8, or bits 5 and 4 of ESC ! n (1 or 2)."""

    width: int
    height: int


@dataclass(frozen=True, slots=True)
class PrintText:
    """The line buffer printed at LF (or before a feed, cut or image). Bytes in the current
    code page; the consumer decodes them, since it tracks ESC t."""

    data: bytes


@dataclass(frozen=True, slots=True)
class FeedLines:
    """ESC d n: blank lines."""

    n: int


@dataclass(frozen=True, slots=True)
class Cut:
    """GS V m [n]: cut, after feeding n vertical motion units (0 for modes without n)."""

    partial: bool
    feed: int = 0


@dataclass(frozen=True, slots=True)
class QrModel:
    """GS ( k function 165: n1 = 49 model 1, 50 model 2, 51 micro QR."""

    model: int


@dataclass(frozen=True, slots=True)
class QrModuleSize:
    """GS ( k function 167: dots per module."""

    n: int


@dataclass(frozen=True, slots=True)
class QrErrorCorrection:
    """GS ( k function 169: "L", "M", "Q" or "H"."""

    level: str


@dataclass(frozen=True, slots=True)
class QrStore:
    """GS ( k function 180: the symbol's data, kept until the next store."""

    data: bytes


@dataclass(frozen=True, slots=True)
class QrPrint:
    """GS ( k function 181: print the stored symbol."""


@dataclass(frozen=True, slots=True)
class RasterImage:
    """GS v 0 m xL xH yL yH d1…dk: rows of width_dots / 8 bytes, most significant bit left,
    a set bit black. `mode` is m: 0 normal, 1 double width, 2 double height, 3 both."""

    width_dots: int
    height: int
    bits: bytes
    mode: int = 0


@dataclass(frozen=True, slots=True)
class StatusRequest:
    """DLE EOT n (n = 1..4): answer one status byte now."""

    n: int


@dataclass(frozen=True, slots=True)
class PaperSensorRequest:
    """GS r 1: answer the paper sensor byte (bits 0-1 near end, bits 2-3 paper end)."""


@dataclass(frozen=True, slots=True)
class Unknown:
    """Bytes the parser does not act on: a command it does not know, or a stray control byte."""

    data: bytes


Event = (
    Initialise
    | CodePage
    | Align
    | Emphasis
    | CharacterSize
    | PrintText
    | FeedLines
    | Cut
    | QrModel
    | QrModuleSize
    | QrErrorCorrection
    | QrStore
    | QrPrint
    | RasterImage
    | StatusRequest
    | PaperSensorRequest
    | Unknown
)

NEED_MORE = 0  # a handler's answer when the command has not fully arrived


class EscPosParser:
    """Incremental: `feed()` any slice of the stream, get the events it completes."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._line = bytearray()
        self._handlers: dict[int, Callable[[bytearray, list[Event]], int]] = {
            ESC: self._escape,
            GS: self._group_separator,
            DLE: self._data_link_escape,
            FS: self._file_separator,
        }

    @property
    def pending_text(self) -> bytes:
        """Text received but not printed yet: a printer waits for LF."""
        return bytes(self._line)

    @property
    def pending_bytes(self) -> int:
        """Bytes of an incomplete command still waiting for the rest."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[Event]:
        self._buffer += data
        events: list[Event] = []
        while self._buffer:
            consumed = self._step(self._buffer, events)
            if consumed == NEED_MORE:
                break
            del self._buffer[:consumed]
        return events

    # -- one command at the start of the buffer; returns bytes consumed or NEED_MORE -----

    def _step(self, buf: bytearray, events: list[Event]) -> int:
        first = buf[0]
        if first >= 0x20:
            end = _CONTROL.search(buf)
            size = end.start() if end else len(buf)
            self._line += buf[:size]
            return size
        if first == LF:  # LF: print the line buffer and feed one line
            events.append(self._take_line())
            return 1
        if first == CR:  # CR: with auto line feed off (the default) it does nothing
            return 1
        handler = self._handlers.get(first)
        if handler is None:
            events.append(Unknown(bytes(buf[:1])))
            return 1
        return handler(buf, events)

    def _take_line(self) -> PrintText:
        line = PrintText(bytes(self._line))
        self._line.clear()
        return line

    def _flush_line(self, events: list[Event]) -> None:
        """A feed, cut or image starts on a new line: print what is in the line buffer first."""
        if self._line:
            events.append(self._take_line())

    def _escape(self, buf: bytearray, events: list[Event]) -> int:
        if len(buf) < 2:
            return NEED_MORE
        command = buf[1]
        size = 2 + _ESC_ARGUMENTS.get(command, 0)
        if len(buf) < size:
            return NEED_MORE
        n = buf[2] if size > 2 else 0
        if command == ord("@"):  # ESC @ — initialise printer (clears the print buffer)
            self._line.clear()
            events.append(Initialise())
        elif command == ord("t"):  # ESC t n — select character code table
            events.append(CodePage(n))
        elif command == ord("a"):  # ESC a n — select justification
            events.append(Align(n))
        elif command == ord("E"):  # ESC E n — emphasised mode, bit 0
            events.append(Emphasis(bool(n & 0x01)))
        elif command == ord("!"):  # ESC ! n — print mode: bit 3 bold, bit 4 double height, bit 5 double width
            events.append(Emphasis(bool(n & 0x08)))
            events.append(CharacterSize(2 if n & 0x20 else 1, 2 if n & 0x10 else 1))
        elif command == ord("d"):  # ESC d n — print the buffer and feed n lines
            if self._line:
                events.append(self._take_line())  # printing the buffer is the first line fed
                n -= 1
            if n > 0:
                events.append(FeedLines(n))
        elif command == ord("*"):  # ESC * m nL nH d1…dk — bit image, k = n or 3n
            return self._skip_bit_image(buf, events)
        else:
            events.append(Unknown(bytes(buf[:size])))
        return size

    def _skip_bit_image(self, buf: bytearray, events: list[Event]) -> int:
        if len(buf) < 5:
            return NEED_MORE
        columns = buf[3] + buf[4] * 256
        size = 5 + columns * (3 if buf[2] in (32, 33) else 1)
        if len(buf) < size:
            return NEED_MORE
        events.append(Unknown(bytes(buf[:size])))
        return size

    def _group_separator(self, buf: bytearray, events: list[Event]) -> int:
        if len(buf) < 2:
            return NEED_MORE
        command = buf[1]
        if command == ord("V"):
            return self._cut(buf, events)
        if command == ord("("):
            return self._extended(buf, events)
        if command == ord("v"):
            return self._raster(buf, events)
        if command == ord("k"):
            return self._barcode(buf, events)
        size = 2 + _GS_ARGUMENTS.get(command, 0)
        if len(buf) < size:
            return NEED_MORE
        n = buf[2] if size > 2 else 0
        if command == ord("!"):  # GS ! n — character size: bits 4-7 width - 1, bits 0-3 height - 1
            events.append(CharacterSize((n >> 4) + 1, (n & 0x0F) + 1))
        elif command == ord("r") and n in _PAPER_SENSOR_REQUESTS:  # GS r n — transmit status
            events.append(PaperSensorRequest())
        else:
            events.append(Unknown(bytes(buf[:size])))
        return size

    def _cut(self, buf: bytearray, events: list[Event]) -> int:
        """GS V m (m = 0, 1, 48, 49) or GS V m n (m = 65, 66, 97, 98, 103, 104)."""
        if len(buf) < 3:
            return NEED_MORE
        mode = _CUT_MODES.get(buf[2])
        if mode is None:
            events.append(Unknown(bytes(buf[:3])))
            return 3
        partial, has_feed = mode
        size = 4 if has_feed else 3
        if len(buf) < size:
            return NEED_MORE
        self._flush_line(events)
        events.append(Cut(partial, buf[3] if has_feed else 0))
        return size

    def _extended(self, buf: bytearray, events: list[Event]) -> int:
        """GS ( fn pL pH …: every GS ( command says its own length, so unknown ones are skipped whole."""
        if len(buf) < 5:
            return NEED_MORE
        size = 5 + buf[3] + buf[4] * 256
        if len(buf) < size:
            return NEED_MORE
        body = bytes(buf[5:size])
        event = _qr_event(body) if buf[2] == ord("k") else None
        if isinstance(event, QrPrint):
            self._flush_line(events)
        events.append(event if event is not None else Unknown(bytes(buf[:size])))
        return size

    def _raster(self, buf: bytearray, events: list[Event]) -> int:
        """GS v 0 m xL xH yL yH d1…dk, k = (xL + xH * 256) * (yL + yH * 256)."""
        if len(buf) < 8:
            return NEED_MORE
        row_bytes = buf[4] + buf[5] * 256
        height = buf[6] + buf[7] * 256
        mode = _number(buf[3])
        valid = buf[2] in (0, _ASCII_ZERO) and 0 <= mode <= 3
        if not (valid and 0 < row_bytes <= MAX_RASTER_ROW_BYTES and 0 < height <= MAX_RASTER_HEIGHT):
            events.append(Unknown(bytes(buf[:8])))  # no printer prints this: skip the header, not the stream
            return 8
        size = 8 + row_bytes * height
        if len(buf) < size:
            return NEED_MORE
        self._flush_line(events)
        events.append(RasterImage(row_bytes * 8, height, bytes(buf[8:size]), mode))
        return size

    def _barcode(self, buf: bytearray, events: list[Event]) -> int:
        """GS k m d1…dk NUL (m = 0..6) or GS k m n d1…dn (m = 65..79): skipped whole."""
        if len(buf) < 3:
            return NEED_MORE
        if buf[2] <= 6:
            end = buf.find(b"\x00", 3)
            if end < 0:
                return NEED_MORE
            size = end + 1
        else:
            if len(buf) < 4:
                return NEED_MORE
            size = 4 + buf[3]
            if len(buf) < size:
                return NEED_MORE
        self._flush_line(events)
        events.append(Unknown(bytes(buf[:size])))
        return size

    def _data_link_escape(self, buf: bytearray, events: list[Event]) -> int:
        if len(buf) < 2:
            return NEED_MORE
        if buf[1] == DC4:  # DLE DC4 fn …
            if len(buf) < 3:
                return NEED_MORE
            size = 3 + _DLE_DC4_ARGUMENTS.get(buf[2], 0)
        else:
            size = 3 if buf[1] in (EOT, 0x05) else 2  # DLE EOT n, DLE ENQ n
        if len(buf) < size:
            return NEED_MORE
        if buf[1] == EOT and 1 <= buf[2] <= 4:  # DLE EOT n — transmit real-time status
            events.append(StatusRequest(buf[2]))
        else:
            events.append(Unknown(bytes(buf[:size])))
        return size

    def _file_separator(self, buf: bytearray, events: list[Event]) -> int:
        if len(buf) < 2:
            return NEED_MORE
        size = 2 + _FS_ARGUMENTS.get(buf[1], 0)
        if len(buf) < size:
            return NEED_MORE
        events.append(Unknown(bytes(buf[:size])))
        return size


def _qr_event(body: bytes) -> Event | None:
    """The body (cn fn …) of a GS ( k command as a QR event; None if it is not one this parser handles."""
    if len(body) < 3 or body[0] != QR_SYMBOL:
        return None
    function, argument = body[1], body[2]
    if function == QR_MODEL_FN and len(body) == 4:
        return QrModel(argument)
    if function == QR_MODULE_FN and len(body) == 3:
        return QrModuleSize(argument)
    if function == QR_EC_FN and len(body) == 3 and argument in QR_EC_LEVELS:
        return QrErrorCorrection(QR_EC_LEVELS[argument])
    if function == QR_STORE_FN and argument == _ASCII_ZERO:
        return QrStore(body[3:])
    if function == QR_PRINT_FN and len(body) == 3 and argument == _ASCII_ZERO:
        return QrPrint()
    return None
