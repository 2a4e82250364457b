"""The caseworker's picture for the call screen, made ready off the UI thread.

`RemoteMedia.latest_image()` turns the newest decoded frame into RGB when asked, a few
milliseconds at 720p; asked from a QTimer that would be the UI thread's time, at every frame.
So a small pump thread waits for each new picture, makes the QImage, and hands it over as a
signal, as `CameraFeed` does for the citizen's own picture; the UI only paints.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

if TYPE_CHECKING:  # aiortc and PyAV load with the first call, not with this screen
    from kiosk.call.media import RemoteMedia

MAX_FPS = 30.0


class RemoteFeed(QObject):
    picture = Signal(QImage)

    def __init__(self, source: Callable[[], RemoteMedia | None]) -> None:
        super().__init__()
        self._source = source  # the engine's RemoteMedia is a new one for every call
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.pictures = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._pump, name="call-picture", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

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
            image = remote.wait_for_image(last, timeout=0.2)
            if image is None:
                self._stop.wait(0.05)  # a stopped RemoteMedia answers at once: do not spin
                continue
            last = image.index
            picture = QImage(image.rgb.data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
            self.picture.emit(picture.copy())
            self.pictures += 1
            self._stop.wait(1 / MAX_FPS)
