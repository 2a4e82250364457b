"""One camera, several users during a call: the call itself, the citizen's own picture, a page scan.

A camera driver's `stop()` stops at once, whoever else still reads it. During a call the caseworker
must keep seeing the citizen while the screen changes (waiting → call → "hold up your page" → call),
so each user gets its own handle from `SharedCamera.user()`, and the driver stops when the last
handle has. A handle's start and stop may be repeated (the camera feeds stop on every hide).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.camera.protocol import Camera, Frame
    from drivers.health import Health


class SharedCamera:
    def __init__(self, camera: Camera) -> None:
        self.camera = camera
        self._lock = threading.Lock()
        self._started: set[CameraUser] = set()

    def user(self) -> CameraUser:
        return CameraUser(self)

    @property
    def users(self) -> int:
        with self._lock:
            return len(self._started)

    def _start(self, user: CameraUser) -> None:
        with self._lock:
            if user in self._started:
                return
            self._started.add(user)
            if len(self._started) == 1:
                self.camera.start()

    def _stop(self, user: CameraUser) -> None:
        with self._lock:
            if user not in self._started:
                return
            self._started.discard(user)
            if not self._started:
                self.camera.stop()  # forgets the last frame: it showed the citizen


class CameraUser:
    """Implements `drivers.camera.protocol.Camera` for one user of a shared camera."""

    def __init__(self, shared: SharedCamera) -> None:
        self._shared = shared

    def health(self) -> Health:
        return self._shared.camera.health()

    def start(self) -> None:
        self._shared._start(self)

    def stop(self) -> None:
        self._shared._stop(self)

    def latest_frame(self) -> Frame | None:
        return self._shared.camera.latest_frame()
