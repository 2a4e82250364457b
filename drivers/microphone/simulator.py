"""A microphone without hardware: a steady tone in 20 ms frames on a capture thread.

A call's media path is tested end to end with it: a 440 Hz tone that leaves the kiosk
through Opus and arrives as 440 Hz at the far end proves the sound is the kiosk's, which a
silent or noisy signal could not. A technician can select it to tell a dead microphone
from broken call software (the caseworker hears a beep). Fault switches imitate what goes
wrong on site: `unplug()` (USB cable out: MISSING, no frames) and `fail()` (a card that
opens but delivers nothing: FAILED).
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

from drivers.health import Health, HealthState
from drivers.microphone.capture import DEFAULT_QUEUE_FRAMES, AudioCapture
from drivers.pcm import FRAME_SAMPLES, FRAME_SECONDS, FULL_SCALE, SAMPLE_RATE

NOT_CONNECTED = "Microphone not connected"
NO_SOUND = "Microphone gives no sound"

_CATCH_UP_FRAMES = 5  # after a longer stall the generator skips ahead instead of bursting


class SimulatedMicrophone(AudioCapture):
    """Implements `drivers.microphone.protocol.Microphone` with a sine tone.

    `frequency` 0 gives silence; `level` is the peak as a fraction of full scale. Frames
    come at real-time pace (one per 20 ms of the monotonic clock), as from a sound card.
    """

    thread_name = "microphone-simulator"

    def __init__(
        self,
        frequency: float = 440.0,
        level: float = 0.3,
        present: bool = True,
        queue_frames: int = DEFAULT_QUEUE_FRAMES,
    ) -> None:
        if not 0.0 <= frequency < SAMPLE_RATE / 2:
            raise ValueError(f"frequency must be from 0 to below {SAMPLE_RATE // 2} Hz")
        if not 0.0 <= level <= 1.0:
            raise ValueError("level must be from 0.0 to 1.0")
        super().__init__(queue_frames)
        self.frequency = frequency
        self.level = level
        self._present = present
        self._failing = False

    def health(self) -> Health:
        with self._condition:
            if not self._present:
                return Health.missing(NOT_CONNECTED)
            if self._failing:
                return Health(HealthState.FAILED, NO_SOUND)
            return Health.ok()

    # -- fault switches ---------------------------------------------------------------------

    def unplug(self) -> None:
        with self._condition:
            self._present = False
            self._queue.clear()
            self._condition.notify_all()

    def plug_in(self) -> None:
        with self._condition:
            self._present = True

    def fail(self, failing: bool = True) -> None:
        with self._condition:
            self._failing = failing

    # -- capture thread -----------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        step = 2.0 * math.pi * self.frequency / SAMPLE_RATE
        ramp = np.arange(FRAME_SAMPLES, dtype=np.float64) * step
        amplitude = self.level * FULL_SCALE
        phase = 0.0
        due = time.monotonic() + FRAME_SECONDS  # a frame exists once its 20 ms have passed
        while not stopping.wait(max(0.0, due - time.monotonic())):
            now = time.monotonic()
            if now - due > _CATCH_UP_FRAMES * FRAME_SECONDS:
                missed = int((now - due) / FRAME_SECONDS)
                due += missed * FRAME_SECONDS
                phase = (phase + missed * FRAME_SAMPLES * step) % (2.0 * math.pi)
            due += FRAME_SECONDS
            samples = np.rint(amplitude * np.sin(phase + ramp)).astype(np.int16)
            phase = (phase + FRAME_SAMPLES * step) % (2.0 * math.pi)
            with self._condition:
                delivering = self._present and not self._failing
            if delivering:
                self._publish(samples, stopping)
