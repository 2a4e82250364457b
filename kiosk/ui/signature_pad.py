"""A box to sign in with a finger, a stylus or a mouse, and the signature's 600 dpi picture.

Touch arrives as QTouchEvent (accepted here, so Qt does not also make mouse events of it), a mouse or
a test's mouse events as QMouseEvent; both become the same strokes in millimetres, measured with the
screen's physical DPI, with milliseconds since the first touch. What is drawn on screen is only a view
of those strokes, so the picture the desk gets is rendered again from the vectors at 600 dpi.
"""

from __future__ import annotations

import io
import time

import numpy as np
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTouchEvent,
)
from PySide6.QtWidgets import QWidget

from kiosk.counter.signature import PEN_MM, PNG_DPI, InkPoint, Signature, Stroke

MM_PER_INCH = 25.4
SCREEN_PEN_MM = 1.2  # on the glass a finger's line is bolder than the pen the picture is drawn with


class SignaturePad(QWidget):
    changed = Signal()  # a stroke began or the pad was cleared

    def __init__(self, object_name: str = "signaturePad") -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setMinimumHeight(360)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._strokes: list[list[InkPoint]] = []
        self._drawing = False
        self._started: float | None = None  # monotonic time of the first touch
        self._ink, self._paper, self._line = QColor("#000000"), QColor("#ffffff"), QColor("#8a94a6")

    # -- geometry -----------------------------------------------------------------------------
    def mm_per_px(self) -> tuple[float, float]:
        """From the screen's physical DPI: a millimetre on the glass is a millimetre in the signature."""
        return MM_PER_INCH / max(self.physicalDpiX(), 1), MM_PER_INCH / max(self.physicalDpiY(), 1)

    def signature(self) -> Signature:
        sx, sy = self.mm_per_px()
        strokes: tuple[Stroke, ...] = tuple(tuple(stroke) for stroke in self._strokes if stroke)
        return Signature(strokes, round(self.width() * sx, 2), round(self.height() * sy, 2))

    def clear(self) -> None:
        """Forget the strokes (the citizen's "Clear", and the wipe)."""
        self._strokes = []
        self._drawing = False
        self._started = None
        self.update()
        self.changed.emit()

    def set_colours(self, ink: str, paper: str, line: str) -> None:
        self._ink, self._paper, self._line = QColor(ink), QColor(paper), QColor(line)
        self.update()

    # -- input --------------------------------------------------------------------------------
    def _point(self, position: QPointF) -> InkPoint:
        now = time.monotonic()
        if self._started is None:
            self._started = now
        sx, sy = self.mm_per_px()
        x = min(max(position.x(), 0.0), float(self.width()))
        y = min(max(position.y(), 0.0), float(self.height()))
        return InkPoint(round(x * sx, 2), round(y * sy, 2), round((now - self._started) * 1000))

    def _begin(self, position: QPointF) -> None:
        self._strokes.append([self._point(position)])
        self._drawing = True
        self.update()
        self.changed.emit()

    def _extend(self, position: QPointF) -> None:
        if self._drawing and self._strokes:
            self._strokes[-1].append(self._point(position))
            self.update()

    def _end(self, position: QPointF) -> None:
        self._extend(position)
        self._drawing = False

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._extend(event.position())
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._end(event.position())
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QTouchEvent) and kind in (
            QEvent.Type.TouchBegin,
            QEvent.Type.TouchUpdate,
            QEvent.Type.TouchEnd,
            QEvent.Type.TouchCancel,
        ):
            points = event.points()
            if points:  # one finger signs; a second resting on the glass is ignored
                position = points[0].position()
                if kind == QEvent.Type.TouchBegin:
                    self._begin(position)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(position)
                else:
                    self._end(position)
            event.accept()
            return True
        return super().event(event)

    # -- drawing ------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), self._paper)
        painter.setPen(QPen(self._line, 3))
        painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        baseline = round(self.height() * 0.75)  # where to sign, as on a paper form
        painter.setPen(QPen(self._line, 2, Qt.PenStyle.DashLine))
        painter.drawLine(40, baseline, self.width() - 40, baseline)
        sx, sy = self.mm_per_px()
        pen = QPen(
            self._ink,
            max(3.0, PEN_MM / sx * 2),
            Qt.PenStyle.SolidLine,
            Qt.PenCapStyle.RoundCap,
            Qt.PenJoinStyle.RoundJoin,
        )
        painter.setPen(pen)
        for stroke in self._strokes:
            _draw(painter, stroke, 1 / sx, 1 / sy)
        painter.end()


def _round_pen(colour: QColor, width: float) -> QPen:
    """A ballpoint's line: round ends and joins, so a dot is a dot and corners are not spiky."""
    return QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)


def _draw(painter: QPainter, stroke: Stroke | list[InkPoint], x_scale: float, y_scale: float) -> None:
    """One stroke at the given pixels per millimetre; a tap without movement is a dot (a zero-length
    path would draw nothing), as a pen touching paper leaves one."""
    if not stroke:
        return
    first = stroke[0]
    if all(p.x_mm == first.x_mm and p.y_mm == first.y_mm for p in stroke):
        painter.drawPoint(QPointF(first.x_mm * x_scale, first.y_mm * y_scale))
        return
    path = QPainterPath()
    path.moveTo(first.x_mm * x_scale, first.y_mm * y_scale)
    for point in stroke[1:]:
        path.lineTo(point.x_mm * x_scale, point.y_mm * y_scale)
    painter.drawPath(path)


def signature_png(signature: Signature, dpi: int = PNG_DPI) -> bytes:
    """The ink, black on white, greyscale at `dpi`, cropped to the ink with the margin (DESK.md)."""
    box = signature.crop_box()
    if box is None:
        raise ValueError("an empty signature has no picture")
    left, top, right, bottom = box
    scale = dpi / MM_PER_INCH  # pixels per millimetre
    width, height = max(1, round((right - left) * scale)), max(1, round((bottom - top) * scale))
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#ffffff"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(-left * scale, -top * scale)
    painter.setPen(
        QPen(
            QColor("#000000"), PEN_MM * scale, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin
        )
    )
    for stroke in signature.strokes:
        _draw(painter, stroke, scale, scale)
    painter.end()
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    # Rows are padded to 4 bytes in the QImage; PIL writes the PNG with its pHYs chunk (the 600 dpi).
    rows = np.frombuffer(grey.constBits(), np.uint8, grey.bytesPerLine() * height).reshape(height, -1)
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rows[:, :width])).save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()
