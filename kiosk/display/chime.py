"""The display's chime: two falling tones, made here as PCM rather than shipped as a sound file.

A falling major third (E5 then C5, the "ding-dong" of station and waiting-room gongs) says "a number
is being called" before any word is heard, so people look up in time for the number. Each tone starts
within 10 ms (no click) and dies away like a struck bell. Generated in the drivers' one PCM format
(drivers/pcm.py), so any audio output plays it without resampling.
"""

from __future__ import annotations

import numpy as np

from drivers.pcm import FRAME_SAMPLES, FULL_SCALE, SAMPLE_RATE, PcmFrame

HIGH_HZ = 659.25  # E5
LOW_HZ = 523.25  # C5
HIGH_SECONDS = 0.30
LOW_SECONDS = 0.50
PEAK = 0.5  # of full scale: clearly heard, with headroom under the output's own volume
_ATTACK_SECONDS = 0.01
_DECAY_PER_SECOND = 4.0  # the tone falls to about a seventh of its peak in half a second


def tone(frequency: float, seconds: float) -> np.ndarray:
    """A bell-like sine as float samples from -PEAK to PEAK."""
    count = round(seconds * SAMPLE_RATE)
    t = np.arange(count, dtype=np.float64) / SAMPLE_RATE
    envelope = np.minimum(1.0, t / _ATTACK_SECONDS) * np.exp(-_DECAY_PER_SECOND * t)
    release = min(count, round(0.01 * SAMPLE_RATE))  # the last 10 ms fade to zero: no click at the cut
    envelope[count - release :] *= np.linspace(1.0, 0.0, release)
    result: np.ndarray = PEAK * envelope * np.sin(2 * np.pi * frequency * t)
    return result


def two_tone_chime() -> tuple[PcmFrame, ...]:
    """The chime as 20 ms frames (the last one padded with silence), as an audio output takes them."""
    wave = np.concatenate([tone(HIGH_HZ, HIGH_SECONDS), tone(LOW_HZ, LOW_SECONDS)])
    padded = np.zeros(-(-len(wave) // FRAME_SAMPLES) * FRAME_SAMPLES, dtype=np.float64)
    padded[: len(wave)] = wave
    samples = np.rint(padded * FULL_SCALE).astype(np.int16)
    return tuple(
        PcmFrame(samples[start : start + FRAME_SAMPLES].copy(), index)
        for index, start in enumerate(range(0, len(samples), FRAME_SAMPLES))
    )
