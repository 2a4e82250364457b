"""The microphone as the kiosk sees it: a short queue of 20 ms PCM frames that never grows.

Sound, unlike pictures, must arrive gap-free, so a consumer reads frames in order rather
than only the newest; but when it falls behind, the oldest frames are dropped, because in a
conversation late sound is worse than lost sound. The queue is a few hundred milliseconds
at most (`pending()` says how full), so a stalled consumer costs that much memory and no
more.
"""

from __future__ import annotations

from typing import Protocol

from drivers.health import Health
from drivers.pcm import PcmFrame


class Microphone(Protocol):
    def health(self) -> Health: ...

    def start(self) -> None:
        """Begin capturing on the driver's own thread (opening the device there too)."""

    def stop(self) -> None:
        """Stop capturing, release the device and forget every queued frame (a citizen's voice)."""

    def read_frame(self, timeout: float = 0.0) -> PcmFrame | None:
        """The oldest queued frame (FRAME_SAMPLES mono samples), waiting up to `timeout`
        seconds for one; None when none came."""

    def pending(self) -> int:
        """How many frames are queued: a consumer keeping latency low drops the surplus."""
