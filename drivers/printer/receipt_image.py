"""What a receipt printer would put on paper, drawn from ESC/POS events: a record and a picture.

The simulators print with this, so a test (or a technician looking at a PNG) sees the
ticket a citizen would get — the text decoded through the code page the encoder chose, the
QR code as a phone would scan it — instead of trusting that the bytes look right.

Geometry follows an Epson-style 203 dpi head: font A is 12 × 24 dots (ESC/POS "ESC M"),
line spacing 1/6 inch (ESC 2), and GS ! scales each character by whole dots. The renderer
applies the settings in force when a line is printed (ESC/POS applies ESC a, ESC E and GS !
per line for alignment and per character for the others; Balie's encoder changes them only
between lines).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import qrcode  # type: ignore[import-untyped]
from PIL import Image, ImageDraw, ImageFont

from drivers.printer import escpos_parser as ev
from drivers.printer.document import Align
from drivers.printer.profile import CODE_PAGES

log = logging.getLogger(__name__)

CHAR_WIDTH_DOTS = 12  # font A
CHAR_HEIGHT_DOTS = 24
FONT_PIXELS = 20  # DejaVu Sans Mono at 20 px: 12 px advance, ascent + descent = 24 px
LINE_SPACING_DOTS = 34  # ESC 2 default: 1/6 inch at 203 dpi
CUT_MARK_DOTS = 12  # the strip the dashed cut line is drawn in
DASH_DOTS = 8
QR_BORDER_MODULES = 4  # the quiet zone printers leave around a QR code
QR_DEFAULT_MODULE_DOTS = 3  # GS ( k function 167 power-on value
QR_DEFAULT_EC = "L"  # GS ( k function 169 power-on value
POWER_ON_CODEC = "cp437"  # ESC t 0 (PC437) after ESC @

PAPER = 255  # mode "L": white paper, black print
INK = 0

_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
_BUNDLED_FONTS = Path(__file__).resolve().parents[2] / "assets" / "fonts"
_CODECS_BY_NUMBER = {number: codec for number, codec in CODE_PAGES.values()}
_QR_EC = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}
_RASTER_SCALE = {0: (1, 1), 1: (2, 1), 2: (1, 2), 3: (2, 2)}  # GS v 0 m: double width / height


@dataclass(frozen=True, slots=True)
class PrintedLine:
    """One printed text line as sent (before the printer wraps it)."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1  # GS ! multipliers
    height: int = 1


@dataclass(frozen=True, slots=True)
class Receipt:
    """One piece of paper, from one cut to the next: what is on it and how it looks."""

    lines: list[PrintedLine] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)  # payloads of the QR codes printed
    images: int = 0  # raster images printed
    cuts: list[bool] = field(default_factory=list)  # True for a partial cut
    unknown: list[bytes] = field(default_factory=list)  # commands the printer did not understand
    png: bytes = b""

    def image(self) -> Image.Image:
        return Image.open(io.BytesIO(self.png))


@lru_cache(maxsize=2)
def _font(bold: bool) -> tuple[ImageFont.FreeTypeFont, bool]:
    """The receipt font and whether bold must be faked by drawing twice."""
    candidates = [_FONT_DIR / "DejaVuSansMono-Bold.ttf"] if bold else []
    candidates += [_FONT_DIR / "DejaVuSansMono.ttf", _BUNDLED_FONTS / "DejaVuSans.ttf"]
    found = next((index for index, path in enumerate(candidates) if path.exists()), len(candidates) - 1)
    return ImageFont.truetype(str(candidates[found]), FONT_PIXELS), bold and found > 0


@dataclass(slots=True)
class _Settings:
    """What ESC @ resets: the printer's modes, not the paper."""

    codec: str = POWER_ON_CODEC
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1
    qr_module: int = QR_DEFAULT_MODULE_DOTS
    qr_ec: str = QR_DEFAULT_EC
    qr_data: bytes | None = None


class ReceiptRenderer:
    """Consumes parser events; keeps the printer's settings and the paper printed so far."""

    def __init__(self, dots_per_line: int = 576) -> None:
        if dots_per_line < CHAR_WIDTH_DOTS:
            raise ValueError("the paper must be at least one character wide")
        self.dots_per_line = dots_per_line
        self._settings = _Settings()
        self._start_paper()

    def _start_paper(self) -> None:
        self.lines: list[PrintedLine] = []
        self.qr_codes: list[str] = []
        self.images = 0
        self.cuts: list[bool] = []
        self.unknown: list[bytes] = []
        self._strips: list[Image.Image] = []

    @property
    def blank(self) -> bool:
        """Nothing has been printed on this piece of paper yet."""
        return not self._strips

    # -- events -------------------------------------------------------------------------

    def handle_all(self, events: list[ev.Event]) -> None:
        for event in events:
            self.handle(event)

    def handle(self, event: ev.Event) -> None:
        settings = self._settings
        match event:
            case ev.Initialise():
                self._settings = _Settings()
            case ev.CodePage(n):
                if n in _CODECS_BY_NUMBER:
                    settings.codec = _CODECS_BY_NUMBER[n]
                else:
                    self.unknown.append(bytes((ev.ESC, ord("t"), n)))
            case ev.Align():
                settings.align = event.alignment
            case ev.Emphasis(on):
                settings.bold = on
            case ev.CharacterSize(width, height):
                settings.width, settings.height = min(max(width, 1), 8), min(max(height, 1), 8)
            case ev.PrintText(data):
                self._text(data.decode(settings.codec, errors="replace"))
            case ev.FeedLines(n):
                self._strips.append(_blank(self.dots_per_line, n * LINE_SPACING_DOTS))
            case ev.Cut(partial, feed):
                self._cut(partial, feed)
            case ev.QrModuleSize(n):
                settings.qr_module = min(max(n, 1), 16)
            case ev.QrErrorCorrection(level):
                settings.qr_ec = level
            case ev.QrStore(data):
                settings.qr_data = data
            case ev.QrPrint():
                self._qr()
            case ev.RasterImage(width_dots, height, bits, mode):
                self._raster(width_dots, height, bits, mode)
            case ev.Unknown(data):
                self.unknown.append(data)
            case _:  # QrModel (model 2 is drawn whatever was chosen), status requests: no ink
                pass

    # -- output -------------------------------------------------------------------------

    def image(self) -> Image.Image:
        """The paper so far, white with black print, `dots_per_line` wide."""
        height = max(1, sum(strip.height for strip in self._strips))
        paper = _blank(self.dots_per_line, height)
        y = 0
        for strip in self._strips:
            paper.paste(strip, (0, y))
            y += strip.height
        return paper

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image().save(buffer, format="PNG")
        return buffer.getvalue()

    def receipt(self) -> Receipt:
        """A snapshot of the paper so far."""
        return Receipt(
            list(self.lines), list(self.qr_codes), self.images, list(self.cuts), list(self.unknown), self.png()
        )

    def tear_off(self) -> Receipt:
        """The paper so far, as one receipt; the printer keeps its settings for the next."""
        receipt = self.receipt()
        self._start_paper()
        return receipt

    # -- drawing ------------------------------------------------------------------------

    def _text(self, text: str) -> None:
        settings = self._settings
        pitch = max(LINE_SPACING_DOTS, CHAR_HEIGHT_DOTS * settings.height)
        per_row = max(1, self.dots_per_line // (CHAR_WIDTH_DOTS * settings.width))
        rows = [text[start : start + per_row] for start in range(0, len(text), per_row)] or [""]
        for row in rows:  # the printer wraps at the paper edge, character by character
            strip = _blank(self.dots_per_line, pitch)
            if row:
                glyphs = _draw_row(row, settings.bold).resize(
                    (len(row) * CHAR_WIDTH_DOTS * settings.width, CHAR_HEIGHT_DOTS * settings.height),
                    Image.Resampling.NEAREST,  # GS ! enlarges dots, it does not smooth them
                )
                strip.paste(glyphs, (self._x(glyphs.width), pitch - glyphs.height))
            self._strips.append(strip)
        if text:
            self.lines.append(PrintedLine(text, settings.align, settings.bold, settings.width, settings.height))

    def _qr(self) -> None:
        settings = self._settings
        if settings.qr_data is None:
            return  # ESC/POS: printing with no stored data prints nothing
        try:
            symbol = _qr_image(settings.qr_data, settings.qr_ec, settings.qr_module)
        except qrcode.exceptions.DataOverflowError:
            log.warning("QR data of %d bytes does not fit a QR code; nothing printed", len(settings.qr_data))
            return
        if symbol.width > self.dots_per_line:  # a printer does not print a symbol that does not fit
            log.warning("QR code %d dots wide does not fit %d dots; nothing printed", symbol.width, self.dots_per_line)
            return
        self._paste(symbol)
        self.qr_codes.append(settings.qr_data.decode("utf-8", errors="replace"))

    def _raster(self, width_dots: int, height: int, bits: bytes, mode: int) -> None:
        # GS v 0: a set bit is a black dot; Pillow's "1;I" raw mode reads exactly that
        image = Image.frombytes("1", (width_dots, height), bits, "raw", "1;I").convert("L")
        x_scale, y_scale = _RASTER_SCALE.get(mode, (1, 1))
        if (x_scale, y_scale) != (1, 1):
            image = image.resize((width_dots * x_scale, height * y_scale), Image.Resampling.NEAREST)
        self._paste(image.crop((0, 0, min(image.width, self.dots_per_line), image.height)))
        self.images += 1

    def _cut(self, partial: bool, feed: int) -> None:
        if feed:
            self._strips.append(_blank(self.dots_per_line, feed))
        mark = _blank(self.dots_per_line, CUT_MARK_DOTS)
        draw = ImageDraw.Draw(mark)
        for x in range(0, self.dots_per_line, 2 * DASH_DOTS):
            draw.line([(x, CUT_MARK_DOTS // 2), (x + DASH_DOTS - 1, CUT_MARK_DOTS // 2)], fill=INK)
        self._strips.append(mark)
        self.cuts.append(partial)

    def _paste(self, image: Image.Image) -> None:
        strip = _blank(self.dots_per_line, image.height)
        strip.paste(image, (self._x(image.width), 0))
        self._strips.append(strip)

    def _x(self, width: int) -> int:
        free = max(0, self.dots_per_line - width)
        return {Align.LEFT: 0, Align.CENTER: free // 2, Align.RIGHT: free}[self._settings.align]


def render(data: bytes, dots_per_line: int = 576) -> ReceiptRenderer:
    """Parse and draw a whole byte stream at once (tests, the `balie printer` tool)."""
    renderer = ReceiptRenderer(dots_per_line)
    renderer.handle_all(ev.EscPosParser().feed(data))
    return renderer


def _blank(width: int, height: int) -> Image.Image:
    return Image.new("L", (width, height), PAPER)


def _draw_row(row: str, bold: bool) -> Image.Image:
    """One row at size 1, each character centred in its 12-dot cell (a fixed pitch, as the printer)."""
    font, fake_bold = _font(bold)
    image = _blank(len(row) * CHAR_WIDTH_DOTS, CHAR_HEIGHT_DOTS)
    draw = ImageDraw.Draw(image)
    for index, char in enumerate(row):
        x = index * CHAR_WIDTH_DOTS + (CHAR_WIDTH_DOTS - font.getlength(char)) / 2
        draw.text((x, 0), char, font=font, fill=INK)
        if fake_bold:
            draw.text((x + 1, 0), char, font=font, fill=INK)
    return image


def _qr_image(data: bytes, level: str, module_dots: int) -> Image.Image:
    """Model 2, the stored error correction, `module_dots` per module, a 4-module quiet zone."""
    code = qrcode.QRCode(
        version=None, error_correction=_QR_EC.get(level, _QR_EC[QR_DEFAULT_EC]), box_size=1, border=QR_BORDER_MODULES
    )
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix)
    modules = Image.frombytes("L", (size, size), bytes(INK if cell else PAPER for row in matrix for cell in row))
    return modules.resize((size * module_dots, size * module_dots), Image.Resampling.NEAREST)
