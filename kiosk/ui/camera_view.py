"""The live camera picture with an overlay that guides: a frame around what was found,
and one short instruction in large type ("Houd het dichterbij", "Stilhouden")."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

GOOD = QColor("#2e9d4a")
SEARCHING = QColor("#ffb612")


class CameraView(QWidget):
    advice_changed = Signal(str)  # so a screen can say it aloud for someone who cannot see it

    def __init__(self, object_name: str = "cameraView") -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setMinimumHeight(360)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._image: QImage | None = None
        self._outline: list[tuple[float, float]] = []
        self._frame_size = (1, 1)
        self._outline_good = False
        self.message = ""
        self.frames_shown = 0

    # -- fed from the camera feed's signals ---------------------------------------------
    def show_image(self, image: QImage) -> None:
        self._image = image
        self.frames_shown += 1
        self.update()

    def set_outline(self, corners: Sequence[tuple[float, float]], frame_size: tuple[int, int], good: bool) -> None:
        """Corners in camera-frame pixels; drawn mirrored, like the picture."""
        self._outline, self._frame_size, self._outline_good = list(corners), frame_size, good
        self.update()

    def set_message(self, text: str) -> None:
        if text != self.message:
            self.message = text
            self.setAccessibleDescription(text)
            self.update()
            if text:
                self.advice_changed.emit(text)

    def clear(self) -> None:
        self._image, self._outline, self.message = None, [], ""
        self.update()

    # -- drawing ---------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#101820"))
        target = self._picture_rect()
        if self._image is not None:
            painter.drawImage(target, self._image)
        if len(self._outline) == 4:
            width, height = self._frame_size
            sx, sy = target.width() / width, target.height() / height
            points = [QPointF(target.left() + (width - x) * sx, target.top() + y * sy) for x, y in self._outline]
            painter.setPen(QPen(GOOD if self._outline_good else SEARCHING, 8))
            painter.drawPolygon(QPolygonF(points))
        if self.message:
            band = QRectF(0, self.height() - 110, self.width(), 110)
            painter.fillRect(band, QColor(0, 0, 0, 190))
            font = QFont(self.font())
            font.setPixelSize(44)
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(QColor("white"))
            painter.drawText(band, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), self.message)
        painter.end()

    def _picture_rect(self) -> QRectF:
        if self._image is None or self._image.width() == 0:
            return QRectF(self.rect())
        scale = min(self.width() / self._image.width(), self.height() / self._image.height())
        w, h = self._image.width() * scale, self._image.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)
