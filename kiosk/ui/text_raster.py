"""Text the printer cannot print as characters, drawn as an image with Qt.

Receipt printers carry a few code pages; Arabic (which must be shaped and written right
to left), and often Cyrillic or Turkish, are not among them. Qt shapes every script
(HarfBuzz) and handles direction, so such a line is drawn here and printed as raster.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter

from drivers.printer.document import Align, Raster, Text

DOTS_PER_SIZE = 24  # font A is 24 dots high; size 2 is 48, and so on
THRESHOLD = 140  # grey below this prints as a black dot
FONT_FAMILY = "DejaVu Sans"

_ALIGN = {
    Align.LEFT: Qt.AlignmentFlag.AlignLeft,
    Align.CENTER: Qt.AlignmentFlag.AlignHCenter,
    Align.RIGHT: Qt.AlignmentFlag.AlignRight,
}


class QtTextRasterizer:
    """Implements drivers.printer.document.TextRasterizer; needs a Q(Gui)Application."""

    def rasterize(self, text: Text, width_dots: int) -> Raster:
        font = QFont(FONT_FAMILY)
        font.setPixelSize(round(DOTS_PER_SIZE * text.size * 0.85))
        font.setBold(text.bold)
        flags = _ALIGN[text.align] | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        probe = QImage(1, 1, QImage.Format.Format_Grayscale8)
        painter = QPainter(probe)
        painter.setFont(font)
        bounds = painter.boundingRect(QRect(0, 0, width_dots, 10_000), int(flags), text.text)
        painter.end()
        height = max(1, bounds.height())
        image = QImage(width_dots, height, QImage.Format.Format_Grayscale8)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.drawText(QRect(0, 0, width_dots, height), int(flags), text.text)
        painter.end()
        return Raster(width_dots, height, _pack(image), Align.LEFT)


def _pack(image: QImage) -> bytes:
    """Grey pixels to rows of bits, most significant bit first (ESC/POS GS v 0)."""
    width, height = image.width(), image.height()
    row_bytes = (width + 7) // 8
    stride = image.bytesPerLine()
    grey = bytes(image.constBits())
    packed = bytearray(row_bytes * height)
    for y in range(height):
        row = grey[y * stride : y * stride + width]
        out = y * row_bytes
        for x in range(width):
            if row[x] < THRESHOLD:
                packed[out + (x >> 3)] |= 0x80 >> (x & 7)
    return bytes(packed)
