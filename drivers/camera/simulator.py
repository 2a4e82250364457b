"""A camera without hardware: frames on a capture thread, like a real webcam.

The kiosk's camera screens, the QR and document flows and their tests run against this on
any machine, and a technician can select it on site to tell a broken webcam from broken
software. The picture is a synthetic desk under slowly drifting light (so consecutive
frames differ, as they do from a real sensor), or an image or video file a developer
recorded; `hold_up()` puts a letter, phone or page in front of it using `scenes.compose`,
with the same perspective and faults the benchmarks use.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from drivers.camera import scenes
from drivers.camera.capture import CaptureThread
from drivers.camera.opencv_camera import BLACK_FRAMES, NOT_CONNECTED, as_bgr, cannot_open
from drivers.camera.protocol import Frame
from drivers.camera.scenes import Image, Placement
from drivers.health import Health, HealthState

SYNTHETIC = "synthetic"

# The synthetic light: a soft bright band that drifts across the desk, a few percent strong.
_LIGHT_STRENGTH = 0.06
_LIGHT_STEP = 0.12  # radians of drift per frame


@dataclass(frozen=True, slots=True)
class _Held:
    obj: Image
    placement: Placement
    sway_px: float


def fit(image: Image, width: int, height: int) -> Image:
    """`image` scaled to fit inside width×height, centred on black, as a camera set to a
    resolution with a different aspect ratio would letterbox it."""
    if image.shape[0] == height and image.shape[1] == width:
        return image
    scale = min(width / image.shape[1], height / image.shape[0])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    out = np.zeros((height, width, 3), dtype=np.uint8)
    x = (width - size[0]) // 2
    y = (height - size[1]) // 2
    out[y : y + size[1], x : x + size[0]] = resized
    return out


class SourceError(Exception):
    """The image or video file behind the simulator cannot be read."""


class SimulatedCamera(CaptureThread):
    """Implements `drivers.camera.protocol.Camera` with synthetic or recorded frames.

    Fault switches imitate what goes wrong on site: `unplug()` (USB cable out), `black(True)`
    (a sticker or a hand over the lens). Only the newest frame is kept, so memory stays at
    one frame plus the scene, however slowly the consumer reads.
    """

    def __init__(
        self,
        width: int = 1280,
        height: int = 720,
        fps: float = 30.0,
        source: str = SYNTHETIC,
        present: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self._clock = clock
        super().__init__(width, height, fps)
        self._present = present
        self._black = False
        self._held: _Held | None = None
        self._source_error: str | None = None
        self._plugged_epoch = 0  # bumped by unplug(), so a frame begun before it is dropped

    # -- Camera protocol ---------------------------------------------------------------

    def health(self) -> Health:
        with self._condition:
            if not self._present:
                return Health.missing(NOT_CONNECTED)
            if self._source_error is not None:
                return Health.missing(self._source_error)
            if self.source != SYNTHETIC and not Path(self.source).is_file():
                # A wrong path in the config is a site problem to show, not a crash at start-up.
                return Health.missing(cannot_open(self.source))
            if self._black:
                return Health(HealthState.FAILED, BLACK_FRAMES)
            return Health.ok()

    thread_name = "camera-simulator"

    def _on_start(self) -> None:
        self._source_error = None

    # -- fault switches and test hooks -----------------------------------------------------

    def hold_up(self, obj: Image | None, placement: Placement | None = None, sway_px: float = 0.0) -> int:
        """Hold `obj` (a BGR image: a letter, a phone) in front of the camera; None takes it away.

        `sway_px` moves it a little between frames, as a hand does. Returns the index of the
        last frame begun without the change: `wait_for_frame(after_index=...)` with it
        gives a frame that shows it.
        """
        held = None if obj is None else _Held(obj, placement or Placement(), float(sway_px))
        with self._condition:
            self._held = held
            return self._last_begun()

    def black(self, covered: bool = True) -> int:
        """Cover (True) or uncover the lens; returns the index like `hold_up()`."""
        with self._condition:
            self._black = covered
            return self._last_begun()

    def unplug(self) -> None:
        with self._condition:
            self._present = False
            self._plugged_epoch += 1
            self._latest = None
            self._condition.notify_all()

    def plug_in(self) -> None:
        with self._condition:
            self._present = True

    # -- capture thread -------------------------------------------------------------------

    def _last_begun(self) -> int:
        return self._next_index - 1 if self._thread is not None else -1

    def _run(self, stopping: threading.Event) -> None:
        """Deliver frames at `fps`; the video file, if any, is opened and released here."""
        interval = 1.0 / self.fps
        scenery = self._scenery(stopping)
        try:
            while not stopping.is_set():
                started = time.monotonic()
                self._capture(stopping, scenery)
                stopping.wait(max(0.0, interval - (time.monotonic() - started)))
        except SourceError as error:
            with self._condition:
                self._source_error = str(error)
        finally:
            scenery.close()  # releases a video file here, on the thread that opened it

    def _scenery(self, stopping: threading.Event) -> Generator[Image, None, None]:
        """The scene behind the held object, one image per frame."""
        if self.source == SYNTHETIC:
            yield from self._synthetic()
        elif cv2.haveImageReader(self.source):
            image = cv2.imread(self.source, cv2.IMREAD_COLOR)
            if image is None:
                raise SourceError(cannot_open(self.source))
            still = fit(as_bgr(image), self.width, self.height)
            while True:
                yield still.copy()  # each frame its own pixels: a consumer may draw on one
        else:
            yield from self._video(stopping)

    def _synthetic(self) -> Generator[Image, None, None]:
        """The desk under a soft light band drifting sideways: every frame differs a little.

        The gain varies along x only, so one row of gains (per BGR byte) is repeated down
        the frame and applied in a single saturating OpenCV multiply (about 2 ms at 720p).
        """
        desk = scenes.desk_background(self.width, self.height, seed=0)
        rows = desk.reshape(self.height, self.width * 3)
        x = np.linspace(0.0, 2.0 * math.pi, self.width, dtype=np.float32)
        phase = 0.0
        while True:
            gain = (1.0 + _LIGHT_STRENGTH * np.cos(x - phase)).astype(np.float32)
            gains = cv2.repeat(np.repeat(gain, 3)[None, :], self.height, 1)
            lit = cv2.multiply(rows, gains, dtype=cv2.CV_8U)
            yield np.asarray(lit, dtype=np.uint8).reshape(self.height, self.width, 3)
            phase += _LIGHT_STEP

    def _video(self, stopping: threading.Event) -> Generator[Image, None, None]:
        capture = cv2.VideoCapture(self.source)
        try:
            if not capture.isOpened():
                raise SourceError(cannot_open(self.source))
            frames = 0
            while not stopping.is_set():
                ok, image = capture.read()
                if ok and image is not None:
                    frames += 1
                    yield fit(as_bgr(image), self.width, self.height)
                elif frames == 0:
                    raise SourceError(cannot_open(self.source))
                else:  # the end of the recording: loop, like a camera that never stops
                    frames = 0
                    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
        finally:
            capture.release()

    def _capture(self, stopping: threading.Event, scenery: Generator[Image, None, None]) -> None:
        with self._condition:
            if not self._present:
                return
            index = self._next_index
            self._next_index += 1
            held, covered, epoch = self._held, self._black, self._plugged_epoch
            timestamp = self._clock()
        scene = next(scenery)
        if covered:
            image = np.zeros((self.height, self.width, 3), dtype=np.uint8)
        elif held is not None:
            image = self._hold(scene, held, index)
        else:
            image = scene
        frame = Frame(image=image, timestamp=timestamp, index=index)
        with self._condition:
            if self._present and epoch == self._plugged_epoch and not stopping.is_set():
                self._latest = frame
                self._delivered += 1
                self._condition.notify_all()

    def _hold(self, scene: Image, held: _Held, index: int) -> Image:
        placement = held.placement
        if held.sway_px:
            # A hand is never still: a slow figure-of-eight a few pixels wide.
            t = index * 2.0 * math.pi / (self.fps * 1.5)
            dx = held.sway_px * math.sin(t) / self.width
            dy = held.sway_px * math.sin(2.0 * t) / 2.0 / self.height
            cx, cy = placement.center
            placement = replace(placement, center=(cx + dx, cy + dy))
        image, _ = scenes.compose(scene, held.obj, placement, seed=index)
        return image
