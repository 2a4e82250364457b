"""Document + PrinterProfile -> ESC/POS bytes: the only place that decides how a ticket is spelled.

The encoder knows what one printer model can do (paper width, code pages, native QR) and
chooses per block: a code page per text line, a raster image for text no code page can
hold, GS ( k or a raster image for a QR code. Everything that cannot print is found here,
as a DocumentError, before a byte reaches the printer. Settings are sent only when they
change, and the job starts with ESC @, so no setting leaks in from an earlier job.
"""

from __future__ import annotations

from dataclasses import dataclass

from drivers.printer import commands
from drivers.printer.document import (
    Align,
    Block,
    Cut,
    Document,
    DocumentError,
    Feed,
    QrCode,
    Raster,
    Text,
    TextRasterizer,
)
from drivers.printer.profile import CODE_PAGES, PrinterProfile

# Model 2, level M, byte mode, version 40: 2334 data codewords less the 20-bit mode and count
# header (ISO/IEC 18004:2015 table 7) leave 2331 bytes.
QR_MAX_BYTES = 2331
QR_QUIET_ZONE = 4  # modules of white on every side (ISO/IEC 18004:2015 §6.3.8)
QR_MODULE_DOTS = range(1, 17)  # GS ( k function 167 takes 1..16
RASTER_BAND_ROWS = 1024  # below every printer's GS v 0 limit and small enough for its buffer
MAX_FEED = 255  # ESC d n
CUT_FEED = 3  # GS V m n: motion units past the cutting position
REPLACEMENT = "?"  # what Python's "replace" error handler prints for a character a page lacks


@dataclass(slots=True)
class _Settings:
    """What the printer is set to now, so a command goes out only when it changes something.

    ESC @ sets left alignment, emphasis off and size 1; the code page after ESC @ comes
    from the printer's memory switches, so it is unknown until the first ESC t.
    """

    align: Align = Align.LEFT
    bold: bool = False
    size: int = 1
    code_page: str | None = None


def encode(document: Document, profile: PrinterProfile, rasterizer: TextRasterizer | None = None) -> bytes:
    """The whole job as ESC/POS bytes; raises DocumentError when a block cannot be printed.

    `rasterizer` draws lines no code page of the printer can encode; without one such
    characters print as "?".
    """
    return _Encoder(profile, rasterizer).encode(document)


def qr_modules(payload: str | bytes) -> int:
    """The side of the QR symbol in modules (no quiet zone), model 2, level M, byte mode.

    Byte mode is what the 2331-byte limit assumes; a printer that picks a denser mode for
    GS ( k makes a symbol no larger than this, so a size checked with it always fits.
    """
    return len(_qr_symbol(_qr_data(payload)))


def qr_raster(payload: str | bytes, module_dots: int, align: Align = Align.CENTER) -> Raster:
    """The QR code as a 1-bit image with its 4-module quiet zone, `module_dots` dots a module.

    Also what a simulator can draw for the data of a GS ( k function 180.
    """
    if module_dots < 1:
        raise DocumentError(f"a QR module must be at least 1 dot, not {module_dots}")
    return _symbol_raster(_qr_symbol(_qr_data(payload)), module_dots, align)


def _symbol_raster(symbol: list[list[bool]], module_dots: int, align: Align) -> Raster:
    blank = [False] * QR_QUIET_ZONE
    quiet_rows = [[False] * (len(symbol) + 2 * QR_QUIET_ZONE)] * QR_QUIET_ZONE
    rows = quiet_rows + [blank + row + blank for row in symbol] + quiet_rows
    side = len(rows) * module_dots
    row_bytes = (side + 7) // 8
    bits = bytearray()
    for row in rows:
        dots = "".join(("1" if module else "0") * module_dots for module in row)
        bits += int(dots.ljust(row_bytes * 8, "0"), 2).to_bytes(row_bytes, "big") * module_dots
    return Raster(side, side, bytes(bits), align)


class _Encoder:
    def __init__(self, profile: PrinterProfile, rasterizer: TextRasterizer | None) -> None:
        self.profile = profile
        self.rasterizer = rasterizer
        self.out = bytearray()
        self.now = _Settings()

    def encode(self, document: Document) -> bytes:
        self.out += commands.initialize()
        for block in document.blocks:
            self._block(block)
        if self.now.bold:  # leave the printer as ESC @ would, for anything written after
            self.out += commands.emphasis(False)
        if self.now.size != 1:
            self.out += commands.character_size(1, 1)
        return bytes(self.out)

    def _block(self, block: Block) -> None:
        if isinstance(block, Text):
            self._text(block)
        elif isinstance(block, QrCode):
            self._qr(block)
        elif isinstance(block, Raster):
            self._raster(block)
        elif isinstance(block, Feed):
            self._feed(block.lines)
        elif isinstance(block, Cut):
            self.out += commands.cut(block.partial, CUT_FEED)
        else:
            raise DocumentError(f"cannot print a {type(block).__name__}")

    # -- text ---------------------------------------------------------------------------

    def _text(self, block: Text) -> None:
        """One line in the first code page that holds all of it, else drawn as an image."""
        text = _printable(block.text)
        for name in self.profile.code_pages:
            try:
                encoded = text.encode(CODE_PAGES[name][1])
            except UnicodeEncodeError:
                continue
            self._line(block, name, encoded)
            return
        if self.rasterizer is not None:
            self._raster(self.rasterizer.rasterize(block, self.profile.dots_per_line))
            return
        first = self.profile.code_pages[0]
        self._line(block, first, text.encode(CODE_PAGES[first][1], errors="replace"))

    def _line(self, block: Text, page: str, encoded: bytes) -> None:
        if page != self.now.code_page:
            self.out += commands.code_page(CODE_PAGES[page][0])
            self.now.code_page = page
        self._align(block.align)
        if block.bold != self.now.bold:
            self.out += commands.emphasis(block.bold)
            self.now.bold = block.bold
        if block.size != self.now.size:
            self.out += commands.character_size(block.size, block.size)
            self.now.size = block.size
        self.out += encoded + commands.LF

    def _align(self, align: Align) -> None:
        if align != self.now.align:
            self.out += commands.justify(align)
            self.now.align = align

    # -- QR codes -----------------------------------------------------------------------

    def _qr(self, block: QrCode) -> None:
        data = _qr_data(block.payload)
        if block.module_dots not in QR_MODULE_DOTS:
            raise DocumentError(f"QR module size must be 1 to 16 dots, not {block.module_dots}")
        symbol = _qr_symbol(data)
        modules = len(symbol)
        if self.profile.native_qr:
            dots = self._fitting_module_dots(modules, block.module_dots)
            self._align(block.align)
            self.out += commands.qr_select_model_2()
            self.out += commands.qr_module_size(dots)
            self.out += commands.qr_error_correction_m()
            self.out += commands.qr_store(data)
            self.out += commands.qr_print()
        else:
            dots = self._fitting_module_dots(modules + 2 * QR_QUIET_ZONE, block.module_dots)
            self._raster(_symbol_raster(symbol, dots, block.align))

    def _fitting_module_dots(self, modules: int, wanted: int) -> int:
        """The largest module size up to `wanted` that keeps `modules` within the paper."""
        dots = min(wanted, self.profile.dots_per_line // modules)
        if dots < 1:
            raise DocumentError(
                f"QR code is too wide for the paper: {modules} modules, the paper takes "
                f"{self.profile.dots_per_line} dots"
            )
        return dots

    # -- images and paper ---------------------------------------------------------------

    def _raster(self, raster: Raster) -> None:
        """GS v 0 in bands, so a long image never overruns a small printer's buffer."""
        if raster.width > self.profile.dots_per_line:
            raise DocumentError(
                f"image is {raster.width} dots wide, the paper takes at most {self.profile.dots_per_line}"
            )
        self._align(raster.align)
        for start in range(0, raster.height, RASTER_BAND_ROWS):
            rows = min(RASTER_BAND_ROWS, raster.height - start)
            offset = start * raster.row_bytes
            data = raster.bits[offset : offset + rows * raster.row_bytes]
            self.out += commands.raster_image(raster.row_bytes, rows, data)

    def _feed(self, lines: int) -> None:
        if lines < 0:
            raise DocumentError(f"cannot feed {lines} lines")
        while lines > 0:
            step = min(lines, MAX_FEED)
            self.out += commands.feed_lines(step)
            lines -= step


def _printable(text: str) -> str:
    """Control characters would reach the printer as commands (ESC, GS, DLE EOT): print "?"."""
    return "".join(REPLACEMENT if ord(char) < 0x20 or ord(char) == 0x7F else char for char in text)


def _qr_data(payload: str | bytes) -> bytes:
    data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
    if not data:
        raise DocumentError("QR code payload is empty")  # GS ( k function 180 needs a byte
    if len(data) > QR_MAX_BYTES:
        raise DocumentError(f"QR code payload too long: {len(data)} bytes, at most {QR_MAX_BYTES}")
    return data


def _qr_symbol(data: bytes) -> list[list[bool]]:
    """The modules of the smallest model 2 symbol at level M that holds `data` in byte mode.

    qrcode is imported here: it takes 30 ms, and building the printer driver at kiosk
    start-up should not pay for it.
    """
    import qrcode  # type: ignore[import-untyped]
    import qrcode.util  # type: ignore[import-untyped]

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_8BIT_BYTE))
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]
