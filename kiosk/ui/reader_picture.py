"""The picture that shows a citizen where the document goes: a card settling onto the reader."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import QWidget


class ReaderPicture(QWidget):
    """A card settling onto the reader, whose outline pulses: where the document goes.

    Drawn, not a video, so it follows the theme's colours; it moves only while on screen.
    """

    FRAMES = 90  # one cycle, at 30 ms a frame

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setMinimumHeight(300)
        self._frame = 0
        self._timer = QTimer(self)
        self._timer.setInterval(30)
        self._timer.timeout.connect(self._advance)
        self._ink, self._accent, self._surface = QColor("#14213d"), QColor("#154273"), QColor("#ffffff")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)

    def set_colours(self, ink: str, accent: str, surface: str) -> None:
        self._ink, self._accent, self._surface = QColor(ink), QColor(accent), QColor(surface)
        self.update()

    def _advance(self) -> None:
        self._frame = (self._frame + 1) % self.FRAMES
        self.update()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        height = float(self.height())
        width = min(float(self.width()), height * 1.6)
        left = (self.width() - width) / 2
        reader = QRectF(left + width * 0.1, height * 0.55, width * 0.8, height * 0.38)
        line = max(3.0, height / 80)
        # The reader, with a pulsing outline where the document goes.
        painter.setPen(QPen(self._ink, line))
        painter.setBrush(self._surface)
        painter.drawRoundedRect(reader, line * 4, line * 4)
        pulse = 0.5 + 0.5 * math.sin(self._frame / self.FRAMES * 2 * math.pi)
        glow = QColor(self._accent)
        glow.setAlphaF(0.35 + 0.65 * pulse)
        target = reader.adjusted(reader.width() * 0.2, reader.height() * 0.12, -reader.width() * 0.2, 0)
        target.setHeight(reader.height() * 0.5)
        painter.setPen(QPen(glow, line, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(target, line * 2, line * 2)
        # The document comes down in the first half of the cycle and rests in the second.
        travel = min(1.0, self._frame / (self.FRAMES * 0.5))
        eased = 1 - (1 - travel) ** 3
        card = QRectF(target)
        card.moveTop(height * 0.04 + (target.top() - height * 0.04) * eased)
        painter.setPen(QPen(self._ink, line))
        painter.setBrush(self._surface)
        painter.drawRoundedRect(card, line * 2, line * 2)
        face = QRectF(card.left() + card.width() * 0.08, card.top() + card.height() * 0.2, 0, card.height() * 0.6)
        face.setWidth(face.height() * 0.8)
        painter.setBrush(self._accent)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawRoundedRect(face, line, line)
        painter.setPen(QPen(self._ink, line))
        for row in range(3):
            y = card.top() + card.height() * (0.32 + 0.2 * row)
            painter.drawLine(
                int(face.right() + card.width() * 0.1), int(y), int(card.right() - card.width() * 0.1), int(y)
            )
        # An arrow down while the card is on its way.
        if travel < 1.0:
            x = card.center().x()
            painter.setPen(QPen(glow, line * 1.5))
            tip = card.bottom() + height * 0.07
            painter.drawLine(int(x), int(card.bottom() + line * 3), int(x), int(tip))
            painter.drawLine(int(x - line * 4), int(tip - line * 4), int(x), int(tip))
            painter.drawLine(int(x + line * 4), int(tip - line * 4), int(x), int(tip))
        painter.end()
