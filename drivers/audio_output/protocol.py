"""Where the caseworker's voice comes out: a speaker fed 20 ms PCM frames, with a volume knob.

play() never blocks the caller (the call's event loop must keep up with the network): frames
wait in a short queue that drops the oldest when full, so a stalled device costs a gap in
the sound, never a growing delay. Speech (espeak-ng) is not routed through here: it plays
through its own process and does not produce PCM the kiosk holds.
"""

from __future__ import annotations

from typing import Protocol

from drivers.health import Health
from drivers.pcm import PcmFrame


class AudioOutput(Protocol):
    volume: float
    """0.0 (silent) to 1.0 (as received), applied to every frame played from now on."""

    def health(self) -> Health: ...

    def start(self) -> None:
        """Open the device on the driver's own thread and play what play() is given."""

    def stop(self) -> None:
        """Fall silent, drop queued sound and release the device."""

    def play(self, frame: PcmFrame) -> None:
        """Queue `frame` (mono, SAMPLE_RATE) for playing; ignored while stopped."""
