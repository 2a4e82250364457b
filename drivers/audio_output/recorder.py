"""An audio output that only notes what it would have played.

The default without a sound card, and how tests hear the far end of a call: they ask what
arrived (how many samples, how loud, which frequency dominates) rather than keeping a
recording. The last `keep_seconds` of sound are held for those questions and dropped by
stop(), since they are a person's voice.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from drivers import pcm
from drivers.health import Health
from drivers.pcm import SAMPLE_RATE, PcmFrame

if TYPE_CHECKING:
    from drivers.pcm import Samples

NOT_CONNECTED = "Speaker not connected"


class RecordingAudioOutput:
    """Implements `drivers.audio_output.protocol.AudioOutput` by measuring what it is given
    (after the volume, as a listener would hear it). Thread-safe."""

    def __init__(self, volume: float = 1.0, present: bool = True, keep_seconds: float = 2.0) -> None:
        self._lock = threading.Condition()
        self._present = present
        self._running = False
        self._volume = pcm.checked_volume(volume)
        self._keep = max(1, round(keep_seconds * SAMPLE_RATE))
        self._recent: deque[Samples] = deque()
        self._recent_length = 0
        self._frames = 0
        self._samples = 0

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = pcm.checked_volume(value)

    def health(self) -> Health:
        with self._lock:
            return Health.ok() if self._present else Health.missing(NOT_CONNECTED)

    def start(self) -> None:
        with self._lock:
            self._running = True

    def stop(self) -> None:
        with self._lock:
            self._running = False
            self._recent.clear()
            self._recent_length = 0
            self._lock.notify_all()

    def play(self, frame: PcmFrame) -> None:
        samples = pcm.scaled(frame.samples, self._volume)
        with self._lock:
            if not (self._running and self._present):
                return
            self._recent.append(samples)
            self._recent_length += len(samples)
            while self._recent_length - len(self._recent[0]) >= self._keep:
                self._recent_length -= len(self._recent.popleft())
            self._frames += 1
            self._samples += len(samples)
            self._lock.notify_all()

    # -- fault switches -----------------------------------------------------------------------

    def unplug(self) -> None:
        with self._lock:
            self._present = False

    def plug_in(self) -> None:
        with self._lock:
            self._present = True

    # -- what was heard -----------------------------------------------------------------------

    @property
    def frames_played(self) -> int:
        with self._lock:
            return self._frames

    @property
    def samples_played(self) -> int:
        with self._lock:
            return self._samples

    def wait_for_samples(self, count: int, timeout: float = 1.0) -> bool:
        """True once `count` samples were played in all; tests wait on this, never sleep."""
        with self._lock:
            return self._lock.wait_for(lambda: self._samples >= count, timeout)

    def recent(self, seconds: float = 0.5) -> Samples:
        """The last `seconds` of what was played (at most keep_seconds; less if less came)."""
        with self._lock:
            held = np.concatenate(list(self._recent)) if self._recent else np.zeros(0, dtype=np.int16)
        return held[-max(1, round(seconds * SAMPLE_RATE)) :]

    def level(self, seconds: float = 0.5) -> float:
        """RMS of the last `seconds`, as a fraction of full scale."""
        return pcm.rms(self.recent(seconds))

    def dominant_frequency(self, seconds: float = 0.5) -> float:
        return pcm.dominant_frequency(self.recent(seconds))
