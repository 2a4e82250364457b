"""The camera, seen from the UI: a preview pump and an analyser, both off the UI thread.

Two threads, because they have different clocks: the preview must keep ≥ 20 fps however
long an analysis takes, and the analysis (QR decoding, page finding) should always look
at the newest frame, never work through a backlog. Each takes `latest_frame()` when it
is ready for one; results reach the UI only as Qt signals.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from drivers.camera.preview import mirrored_rgb
from drivers.camera.protocol import Camera, Frame

log = logging.getLogger(__name__)

PREVIEW_INTERVAL = 1 / 30  # seconds between preview frames at most
PREVIEW_WIDTH = 960  # the preview is scaled down to this before it crosses to the UI

Analyse = Callable[[Frame], Any]


class CameraFeed(QObject):
    """Runs while a camera screen is visible; `stop()` when it is not (no idle CPU)."""

    preview = Signal(QImage)  # mirrored, as in a mirror: what citizens expect to see
    analysed = Signal(object)  # whatever `analyse` returned, with its frame's size
    frame_rate = Signal(float)

    def __init__(self, camera: Camera, analyse: Analyse | None = None) -> None:
        super().__init__()
        self._camera = camera
        self._analyse = analyse
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.preview_frames = 0
        self.analyses = 0

    @property
    def running(self) -> bool:
        return any(thread.is_alive() for thread in self._threads)

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._camera.start()
        self._threads = [threading.Thread(target=self._pump_preview, name="camera-preview", daemon=True)]
        if self._analyse is not None:
            self._threads.append(threading.Thread(target=self._pump_analysis, name="camera-analysis", daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        started = bool(self._threads)
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        if started:  # a feed that never ran leaves the camera alone: a video call may be using it
            self._camera.stop()

    # -- threads ---------------------------------------------------------------------
    def _pump_preview(self) -> None:
        last_index = -1
        window_start, window_frames = time.monotonic(), 0
        while not self._stop.is_set():
            frame = self._camera.latest_frame()
            if frame is not None and frame.index != last_index:
                last_index = frame.index
                self.preview.emit(to_preview(frame))
                self.preview_frames += 1
                window_frames += 1
            now = time.monotonic()
            if now - window_start >= 1.0:
                self.frame_rate.emit(window_frames / (now - window_start))
                window_start, window_frames = now, 0
            self._stop.wait(PREVIEW_INTERVAL)

    def _pump_analysis(self) -> None:
        assert self._analyse is not None
        last_index = -1
        while not self._stop.is_set():
            frame = self._camera.latest_frame()
            if frame is None or frame.index == last_index:
                self._stop.wait(0.01)
                continue
            last_index = frame.index
            try:
                result = self._analyse(frame)
            except Exception as exc:  # one bad frame must not end the scanning
                log.warning("frame analysis failed: %s", type(exc).__name__)
                continue
            self.analyses += 1
            self.analysed.emit(result)


def to_preview(frame: Frame) -> QImage:
    """Mirror, shrink and convert on the pump thread, so the UI only paints."""
    mirrored = mirrored_rgb(frame, PREVIEW_WIDTH)
    h, w = mirrored.shape[:2]
    return QImage(mirrored.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
