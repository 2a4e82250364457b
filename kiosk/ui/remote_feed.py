"""The call's two pictures, the caseworker's and the citizen's own, made ready off the UI thread.

`RemoteMedia.latest_image()` turns the newest decoded frame into RGB when asked, a few
milliseconds at 720p; asked from a QTimer that would be the UI thread's time, at every frame.
So a small pump thread waits for each new picture, makes the QImage, and hands it over as a
signal, as `CameraFeed` does for the camera screens; the UI only paints. `OwnPictureFeed` does
the same for the citizen's mirror picture on the waiting and call screens.

Both pictures also arrive at the size they are painted (`FittedView` reports its size in device
pixels) and in the window's own pixel format. Qt's QPainter scales and converts an image in the
UI thread's paint while that thread holds Python's GIL (PySide6 does not release it around
drawImage, and Qt's helper threads for it need CPU the call needs too): 2–5 ms for 640×480 to a
portrait kiosk's 1016×762, at every frame, and longer when the two cores are busy. The call's own
thread, which sends the citizen's picture, waited for it, and the caseworker saw the citizen up to
several times later than in a browser-to-browser call (benchmarks/call.py). FFmpeg's and OpenCV's
scalers do that work on the pump threads without the GIL, and the paint is a plain copy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QResizeEvent

from drivers.camera.preview import mirrored_rgb
from kiosk.ui.camera_view import CameraView

if TYPE_CHECKING:  # aiortc and PyAV load with the first call, not with this screen
    from drivers.camera.protocol import Camera
    from kiosk.call.media import RemoteMedia

MAX_FPS = 30.0
BACKGROUND = QColor("#101820")  # CameraView's, around a picture of another shape than the view


class FittedView(CameraView):
    """A camera view for the call's pictures: it says what size to deliver pictures in, and covers
    its whole area itself (so its parents are not repainted under every frame).

    A picture of its own size is painted as a copy with only the bands beside it filled, the
    least the UI thread can do with the GIL held; anything else (a picture of the size before a
    resize, the "one moment" overlay) is painted as any camera view paints."""

    resized = Signal(int, int, float)  # width and height in device pixels, device pixel ratio

    def __init__(self, object_name: str) -> None:
        super().__init__(object_name)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self._picture: QImage | None = None
        self.picture_size = (0, 0)  # of the last picture shown, in pixels

    def show_image(self, image: QImage) -> None:
        self._picture = image
        self.picture_size = (image.width(), image.height())
        super().show_image(image)

    def clear(self) -> None:
        self._picture = None
        super().clear()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        ratio = self.devicePixelRatioF()
        self.resized.emit(round(self.width() * ratio), round(self.height() * ratio), ratio)

    def paintEvent(self, event: QPaintEvent) -> None:
        picture = self._picture
        if picture is None or self.message:
            super().paintEvent(event)
            return
        size = picture.deviceIndependentSize()
        width, height = round(size.width()), round(size.height())
        if not (width <= self.width() and height <= self.height()) or (
            width < self.width() - 2 and height < self.height() - 2
        ):
            super().paintEvent(event)  # not (yet) fitted to this size: let Qt scale it
            return
        left, top = (self.width() - width) // 2, (self.height() - height) // 2
        painter = QPainter(self)
        for band in (
            QRect(0, 0, self.width(), top),
            QRect(0, top + height, self.width(), self.height() - top - height),
            QRect(0, top, left, height),
            QRect(left + width, top, self.width() - left - width, height),
        ):
            if not band.isEmpty():
                painter.fillRect(band, BACKGROUND)
        painter.drawImage(QPoint(left, top), picture)
        painter.end()


class FittedFeed(QObject):
    """Pictures made the size of a `FittedView` on a pump thread, so that painting them is a plain copy.

    The call's two pictures share this: where a picture comes from is the subclass's `_pump`; starting,
    stopping and following the view's size are the same for both.
    """

    picture = Signal(QImage)
    thread_name = "fitted-picture"

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._fit: tuple[int, int] | None = None  # the view's size in device pixels, once known
        self._ratio = 1.0
        self.pictures = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def fit_to(self, view: FittedView) -> None:
        """Deliver pictures scaled to fit `view`, following its size."""
        view.resized.connect(self.set_fit)
        ratio = view.devicePixelRatioF()
        self.set_fit(round(view.width() * ratio), round(view.height() * ratio), ratio)

    def set_fit(self, width: int, height: int, ratio: float) -> None:
        """Called on the UI thread; the pump reads them at its next picture."""
        self._ratio = ratio
        self._fit = (width, height) if width > 1 and height > 1 else None

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._starting()
        self._thread = threading.Thread(target=self._pump, name=self.thread_name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        self._stop.set()
        if thread is not None:
            thread.join(timeout=5)
            self._stopped()

    def _emit(self, rgb: memoryview | bytes, width: int, height: int) -> None:
        """Hand one RGB picture to the view: its own pixels (the array goes with the next frame), in the
        format the window's backing store takes."""
        picture = QImage(rgb, width, height, 3 * width, QImage.Format.Format_RGB888)
        picture = picture.convertToFormat(QImage.Format.Format_RGB32)
        picture.setDevicePixelRatio(self._ratio)
        self.picture.emit(picture)
        self.pictures += 1

    def _starting(self) -> None:
        """Before the pump starts (e.g. take a handle on the camera)."""

    def _stopped(self) -> None:
        """After the pump has stopped."""

    def _pump(self) -> None:
        raise NotImplementedError


class RemoteFeed(FittedFeed):
    """The caseworker's picture of the current call, fitted by FFmpeg as it is converted."""

    thread_name = "call-picture"

    def __init__(self, source: Callable[[], RemoteMedia | None]) -> None:
        super().__init__()
        self._source = source  # the engine's RemoteMedia is a new one for every call

    def _pump(self) -> None:
        seen: RemoteMedia | None = None
        last = -1
        while not self._stop.is_set():
            remote = self._source()
            if remote is None:
                self._stop.wait(0.1)
                continue
            if remote is not seen:
                seen, last = remote, -1
            image = remote.wait_for_image(last, timeout=0.2, fit=self._fit)
            if image is None:
                self._stop.wait(0.05)  # a stopped RemoteMedia answers at once: do not spin
                continue
            last = image.index
            self._emit(image.rgb.data, image.width, image.height)
            self._stop.wait(1 / MAX_FPS)


def _fitted_width(frame_width: int, frame_height: int, fit: tuple[int, int]) -> int:
    """The width that makes a frame of that shape fit inside `fit`, never wider than the frame."""
    return max(2, min(frame_width, fit[0], fit[1] * frame_width // max(1, frame_height)))


class OwnPictureFeed(FittedFeed):
    """The citizen's own picture on the call's screens: the camera's newest frame, mirrored and made
    the size of its `FittedView` on a pump thread (OpenCV, without the GIL). Starts and stops its
    camera handle with itself, like `CameraFeed`, whose 960-wide picture Qt would scale in paint."""

    thread_name = "call-own-picture"

    def __init__(self, camera: Camera) -> None:
        super().__init__()
        self._camera = camera

    def _starting(self) -> None:
        self._camera.start()

    def _stopped(self) -> None:
        self._camera.stop()  # this handle only: a call still sending keeps the camera running

    def _pump(self) -> None:
        last = -1
        while not self._stop.is_set():
            frame = self._camera.latest_frame()
            fit = self._fit
            if frame is not None and frame.index != last and fit is not None:
                last = frame.index
                rgb = mirrored_rgb(frame, _fitted_width(frame.width, frame.height, fit))
                height, width = rgb.shape[:2]
                self._emit(rgb.data, width, height)
            self._stop.wait(1 / MAX_FPS)
