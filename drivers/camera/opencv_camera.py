"""A real camera through OpenCV: a USB webcam, a network stream, or a recorded file.

Everything that touches the device runs on the camera's own thread: cv2.VideoCapture is
opened, read and released there (a capture released on another thread can hang V4L2 or
crash the process). The thread reads continuously and keeps only the newest frame, so the
picture the kiosk analyses is never seconds old. A pulled cable is not an exception for
the kiosk to handle: health turns MISSING and the thread reopens the device every
`reconnect_interval` until it comes back or the camera is stopped.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from drivers.camera.capture import CaptureThread
from drivers.camera.protocol import Frame
from drivers.health import Health, HealthState

Image = npt.NDArray[np.uint8]

NOT_CONNECTED = "Camera not connected"
# FAILED, not DEGRADED: a covered or broken lens shows nothing, so camera tasks must not be offered.
BLACK_FRAMES = "Camera gives black frames"

# Below this mean brightness (0..255) the lens is covered or the sensor is dead: even a dim
# kiosk hall gives 30+.
BLACK_LEVEL = 8.0
_BRIGHTNESS_WINDOW = 15  # frames, half a second at 30 fps: one dark frame is not a fault
_RETRY_READ = 0.02  # seconds between failed reads, so a dead device does not spin a core


def cannot_open(source: int | str) -> str:
    """Why the camera does not open, with the fix, as far as its device node tells.

    A V4L2 camera is /dev/videoN: a missing node means unplugged (or a wrong number), a node
    this user may not open means the kiosk user lacks the video group. Cheap (a stat), so
    health() can say it every time it is asked.
    """
    node = f"/dev/video{source}" if isinstance(source, int) else source
    if not node.startswith("/dev/"):
        return f"Camera {source} cannot be opened"
    if not os.path.exists(node):
        return f"Camera {source} does not exist (is it plugged in? `balie provision detect` lists the cameras)"
    if not os.access(node, os.R_OK | os.W_OK):
        return (
            f"No permission on camera {node} (add the kiosk user to the video group: "
            "`balie provision lockdown` does this)"
        )
    return f"Camera {source} cannot be opened (in use by another program? stop the kiosk: systemctl stop balie-kiosk)"


def as_bgr(image: cv2.typing.MatLike) -> Image:
    """Any decoded picture (grey, BGRA, 16-bit) as 3-channel uint8 BGR, the shape of `Frame.image`."""
    array = np.asarray(image)
    if array.dtype == np.uint16:
        array = cv2.convertScaleAbs(array, alpha=255.0 / 65535.0)
    if array.ndim == 2:
        array = cv2.cvtColor(array, cv2.COLOR_GRAY2BGR)
    elif array.shape[2] == 4:
        array = cv2.cvtColor(array, cv2.COLOR_BGRA2BGR)
    return np.ascontiguousarray(array, dtype=np.uint8)


class OpenCVCamera(CaptureThread):
    """Implements `drivers.camera.protocol.Camera` with cv2.VideoCapture.

    `source` is a device index (V4L2 on Linux), a device path, a stream URL, a video file
    (looped at `fps`, so a recording can stand in for a camera) or an image file (given
    repeatedly at `fps`).
    """

    def __init__(
        self,
        source: int | str,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        open_timeout: float = 5.0,
        read_timeout: float = 2.0,
        reconnect_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (open_timeout > 0 and read_timeout > 0 and reconnect_interval > 0):
            raise ValueError("timeouts and the reconnect interval must be more than 0")
        self.source = source
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        self.reconnect_interval = reconnect_interval
        self._clock = clock
        super().__init__(width, height, fps)
        self._started_at: float | None = None
        self._last_frame_at: float | None = None
        self._problem: str | None = None  # why the last open or read failed
        self._brightness: deque[float] = deque(maxlen=_BRIGHTNESS_WINDOW)

    # -- Camera protocol ---------------------------------------------------------------

    def health(self) -> Health:
        """OK while frames flow, DEGRADED when they are black, MISSING otherwise.

        While stopped (most of the day: the camera runs only on screens that need it) the
        last known problem is reported, else a cheap check that the device or file exists.
        """
        with self._condition:
            now = self._clock()
            if self._thread is None or self._started_at is None:
                return Health.missing(self._problem) if self._problem else self._presence()
            if self._last_frame_at is not None and now - self._last_frame_at <= self.read_timeout:
                if self._brightness and sum(self._brightness) / len(self._brightness) < BLACK_LEVEL:
                    return Health(HealthState.FAILED, BLACK_FRAMES)
                return Health.ok()
            if self._problem:
                return Health.missing(self._problem)
            if self._last_frame_at is not None:
                return Health.missing(NOT_CONNECTED)
            if now - self._started_at > self.open_timeout:
                return Health.missing(cannot_open(self.source))
            return self._presence()  # still opening

    thread_name = "camera-opencv"

    def _on_start(self) -> None:
        self._started_at = self._clock()
        self._last_frame_at = None
        self._problem = None
        self._brightness.clear()

    def _on_stop(self) -> None:
        self._started_at = None

    def latest_frame(self) -> Frame | None:
        """The newest frame; None once none came for `read_timeout` (health is then MISSING),
        so nothing analyses a picture of a camera that is no longer there."""
        return super().latest_frame()

    def wait_for_health(self, state: HealthState, timeout: float = 1.0) -> bool:
        """True once health() is in `state`, False after `timeout`: for tests and the
        technician's camera check, which must not sleep. Some changes come from the clock
        alone (no frame for read_timeout), so it also looks again every 50 ms."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self.health().state is not state:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(min(left, 0.05))
            return True

    # -- state ------------------------------------------------------------------------------

    def _current(self) -> Frame | None:
        latest = self._latest
        if latest is not None and self._clock() - latest.timestamp > self.read_timeout:
            return None
        return latest

    def _presence(self) -> Health:
        """Before opening: a device node that is missing or closed to this user will not open."""
        if isinstance(self.source, int):
            if not sys.platform.startswith("linux"):
                return Health.ok()
            node = f"/dev/video{self.source}"
        elif "://" in self.source:
            return Health.ok()
        else:
            node = self.source
        if not os.path.exists(node) or (node.startswith("/dev/") and not os.access(node, os.R_OK | os.W_OK)):
            return Health.missing(cannot_open(self.source))
        return Health.ok()

    def _publish(self, image: Image, stopping: threading.Event) -> None:
        # A 1/256 sample is plenty for "is it black?" and costs microseconds.
        brightness = float(image[::16, ::16].mean())
        with self._condition:
            if stopping.is_set():
                return
            timestamp = self._clock()
            self._latest = Frame(image=image, timestamp=timestamp, index=self._next_index)
            self._next_index += 1
            self._delivered += 1
            self._last_frame_at = timestamp
            self._problem = None
            self._brightness.append(brightness)
            self._condition.notify_all()

    def _fail(self, problem: str) -> None:
        with self._condition:
            self._problem = problem
            self._latest = None
            self._brightness.clear()
            self._condition.notify_all()

    # -- capture thread ---------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            if isinstance(self.source, str) and cv2.haveImageReader(self.source):
                self._show_image(self.source, stopping)
            else:
                self._stream(stopping)
            stopping.wait(self.reconnect_interval)

    def _show_image(self, path: str, stopping: threading.Event) -> None:
        """An image file as a camera: the same picture at `fps` (a fixture for the QR CLI)."""
        image = cv2.imread(path, cv2.IMREAD_COLOR)
        if image is None:
            self._fail(cannot_open(path))
            return
        still = as_bgr(image)
        interval = 1.0 / self.fps
        while not stopping.is_set():
            self._publish(still.copy(), stopping)  # each frame its own pixels: a consumer may draw on one
            stopping.wait(interval)

    def _stream(self, stopping: threading.Event) -> None:
        """Open, read until the device stops answering for `read_timeout`, release: all here."""
        capture = self._open()
        try:
            if not capture.isOpened():
                self._fail(cannot_open(self.source))
                return
            if not self._read_until_lost(capture, stopping) and not stopping.is_set():
                self._fail(cannot_open(self.source))
            elif not stopping.is_set():
                self._fail(NOT_CONNECTED)
        finally:
            capture.release()

    def _open(self) -> cv2.VideoCapture:
        source = self.source
        if isinstance(source, int):
            backend = cv2.CAP_V4L2 if sys.platform.startswith("linux") else cv2.CAP_ANY
            capture = cv2.VideoCapture(source, backend)
        elif "://" in source:
            # Only network streams honour these; a local backend would refuse the parameters.
            timeouts = [
                cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
                int(self.open_timeout * 1000),
                cv2.CAP_PROP_READ_TIMEOUT_MSEC,
                int(self.read_timeout * 1000),
            ]
            capture = cv2.VideoCapture(source, cv2.CAP_ANY, timeouts)
        else:
            capture = cv2.VideoCapture(source)
        if capture.isOpened() and self._is_device:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.height)
            capture.set(cv2.CAP_PROP_FPS, self.fps)
            capture.set(cv2.CAP_PROP_BUFFERSIZE, 1)  # newest frame, not the driver's queue
        return capture

    @property
    def _is_device(self) -> bool:
        return isinstance(self.source, int) or self.source.startswith("/dev/")

    @property
    def _is_file(self) -> bool:
        return isinstance(self.source, str) and "://" not in self.source and Path(self.source).is_file()

    def _read_until_lost(self, capture: cv2.VideoCapture, stopping: threading.Event) -> bool:
        """Read frames until stopped or none came for `read_timeout`; True if any came.

        A file is paced at `fps` (a device paces itself) and loops at its end, so a
        recording behaves like a camera that never stops.
        """
        is_file = self._is_file
        interval = 1.0 / self.fps
        last_ok = time.monotonic()
        read_any = False
        in_this_loop = 0
        while not stopping.is_set():
            started = time.monotonic()
            ok, image = capture.read()
            if ok and image is not None:
                read_any = True
                in_this_loop += 1
                last_ok = time.monotonic()
                self._publish(as_bgr(image), stopping)
                if is_file:
                    stopping.wait(max(0.0, interval - (time.monotonic() - started)))
                continue
            if is_file and in_this_loop > 0:
                in_this_loop = 0
                if capture.set(cv2.CAP_PROP_POS_FRAMES, 0):
                    continue
                return read_any  # cannot rewind: reopen after reconnect_interval
            if time.monotonic() - last_ok > self.read_timeout:
                return read_any
            stopping.wait(_RETRY_READ)
        return read_any
