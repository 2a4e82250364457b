"""A camera without hardware: synthetic frames on a capture thread, like a real webcam.

The kiosk's camera screens, the document-capture flow and their tests run against this
on any machine. Frames are packed BGR, built with bytes multiplication (one row, repeated)
so a 640x480 frame costs well under a millisecond without numpy.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from drivers.camera.protocol import Frame
from drivers.health import Health

NOT_CONNECTED = "Camera not connected"

# BGR colours: a calm blue-grey gradient with a soft light bar, nothing that flickers.
_LEFT = (120, 96, 72)
_RIGHT = (200, 176, 150)
_BAR = (236, 236, 236)


def _gradient_row(width: int) -> bytes:
    """One row of the background, left to right; every row of the background is the same."""
    span = max(1, width - 1)
    row = bytearray()
    for x in range(width):
        row.extend(left + (right - left) * x // span for left, right in zip(_LEFT, _RIGHT, strict=True))
    return bytes(row)


class SimulatedCamera:
    """Implements `drivers.camera.protocol.Camera` with synthetic frames.

    A bar moves a few pixels per frame, so consecutive frames always differ (the kiosk's
    "is the picture live?" checks and motion detection have something to see).
    `hold_up()` is the test hook that puts an image (a document, a face) in front of it.
    """

    def __init__(
        self,
        width: int = 640,
        height: int = 480,
        fps: float = 15.0,
        clock: Callable[[], float] = time.monotonic,
        present: bool = True,
    ) -> None:
        if width < 1 or height < 1:
            raise ValueError("width and height must be at least 1 pixel")
        if not fps > 0:
            raise ValueError("fps must be more than 0")
        self.width = width
        self.height = height
        self.fps = fps
        self._clock = clock
        self._background_row = _gradient_row(width)
        self._bar_width = max(1, width // 16)
        self._bar = bytes(_BAR) * self._bar_width
        self._step = max(1, width // 64)
        self._condition = threading.Condition()
        self._present = present
        self._held: Frame | None = None
        self._latest: Frame | None = None
        self._begun = 0  # captures begun, also the frame's sequence number
        self._published = 0  # sequence number of `_latest`
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    # -- Camera protocol ---------------------------------------------------------------

    def health(self) -> Health:
        with self._condition:
            return Health.ok() if self._present else Health.missing(NOT_CONNECTED)

    def start(self) -> None:
        with self._condition:
            if self._thread is not None:
                return
            stopping = threading.Event()
            thread = threading.Thread(target=self._run, args=(stopping,), name="camera-simulator", daemon=True)
            self._stopping = stopping
            self._thread = thread
        thread.start()

    def stop(self) -> None:
        """Stop the capture thread and forget the last frame.

        The frame may show a citizen's face or document; it must not outlive the screen
        that needed it.
        """
        with self._condition:
            thread, self._thread = self._thread, None
            stopping = self._stopping
        if thread is not None:
            stopping.set()
            thread.join()
        with self._condition:
            self._latest = None
            self._condition.notify_all()

    def latest_frame(self) -> Frame | None:
        with self._condition:
            return self._latest

    # -- fault switches and test hooks ---------------------------------------------------

    @property
    def running(self) -> bool:
        with self._condition:
            return self._thread is not None

    def unplug(self) -> None:
        with self._condition:
            self._present = False
            self._latest = None
            self._condition.notify_all()

    def plug_in(self) -> None:
        with self._condition:
            self._present = True

    def hold_up(self, image: Frame | None) -> None:
        """Put `image` in front of the camera (centred, cropped to fit); None takes it away."""
        with self._condition:
            self._held = image

    def wait_for_frame(self, timeout: float = 1.0) -> Frame | None:
        """The first frame whose capture began after this call, or None after `timeout`.

        Lets a caller (or a test) see the effect of `hold_up()` without sleeping.
        """
        with self._condition:
            target = self._begun + 1
            arrived = self._condition.wait_for(lambda: self._published >= target and self._latest is not None, timeout)
            return self._latest if arrived else None

    # -- capture thread -------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        interval = 1.0 / self.fps
        while not stopping.is_set():
            self._capture(stopping)
            stopping.wait(interval)

    def _capture(self, stopping: threading.Event) -> None:
        with self._condition:
            if not self._present:
                return
            self._begun += 1
            sequence = self._begun
            held = self._held
            timestamp = self._clock()
        frame = Frame(self.width, self.height, self._render(sequence, held), timestamp)
        with self._condition:
            if self._present and not stopping.is_set():
                self._latest = frame
                self._published = sequence
                self._condition.notify_all()

    def _render(self, sequence: int, held: Frame | None) -> bytes:
        row = self._row_with_bar(sequence)
        if held is None:
            return row * self.height
        return self._composite(row, held)

    def _row_with_bar(self, sequence: int) -> bytes:
        row = bytearray(self._background_row)
        x = (sequence * self._step) % self.width
        fits = min(self._bar_width, self.width - x)
        row[x * 3 : (x + fits) * 3] = self._bar[: fits * 3]
        rest = min(self._bar_width - fits, self.width)
        if rest > 0:  # the bar wraps round to the left edge
            row[: rest * 3] = self._bar[fits * 3 : (fits + rest) * 3]
        return bytes(row)

    def _composite(self, row: bytes, held: Frame) -> bytes:
        """The held image centred over the scene; its middle is kept when it is larger."""
        shown_w = min(held.width, self.width)
        shown_h = min(held.height, self.height)
        src_x = (held.width - shown_w) // 2
        src_y = (held.height - shown_h) // 2
        dst_x = (self.width - shown_w) // 2
        dst_y = (self.height - shown_h) // 2
        left = row[: dst_x * 3]
        right = row[(dst_x + shown_w) * 3 :]
        stride = held.width * 3
        parts = [row * dst_y]
        for y in range(shown_h):
            start = (src_y + y) * stride + src_x * 3
            parts += (left, held.pixels[start : start + shown_w * 3], right)
        parts.append(row * (self.height - dst_y - shown_h))
        return b"".join(parts)
