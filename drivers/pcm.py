"""Sound as the kiosk's audio drivers pass it around: 16-bit PCM, 48 kHz, mono, 20 ms frames.

One fixed format for microphone and audio output alike, so nothing between them resamples:
48 kHz is Opus's native rate (WebRTC's voice codec) and 20 ms its default packet, so one
microphone frame becomes one RTP packet. Mono because a kiosk has one microphone and one
speaker; a voice gains nothing from stereo.

`rms()` and `dominant_frequency()` are here because simulators and tests both need to say
what a stretch of sound was ("a 440 Hz tone at -10 dBFS") without keeping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    Samples = npt.NDArray[np.int16]

SAMPLE_RATE = 48_000
FRAME_SAMPLES = 960  # 20 ms at 48 kHz
FRAME_SECONDS = FRAME_SAMPLES / SAMPLE_RATE
FULL_SCALE = 32_767


@dataclass(frozen=True, slots=True, eq=False)
class PcmFrame:
    """A run of mono 16-bit samples at SAMPLE_RATE; a microphone gives FRAME_SAMPLES each time.

    `index` counts frames since the source started (a gap means frames were dropped);
    `timestamp` is time.monotonic() when the last sample was captured.
    """

    samples: Samples
    index: int = 0
    timestamp: float = 0.0

    def __post_init__(self) -> None:
        if self.samples.dtype != np.int16 or self.samples.ndim != 1:
            raise ValueError(f"PCM samples must be a 1-D int16 array, not {self.samples.dtype} {self.samples.shape}")

    @property
    def duration(self) -> float:
        return len(self.samples) / SAMPLE_RATE


def silence(samples: int = FRAME_SAMPLES) -> Samples:
    return np.zeros(samples, dtype=np.int16)


def checked_volume(value: float) -> float:
    """An output volume from 0.0 (silent) to 1.0 (as received); louder would clip a voice."""
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"volume must be from 0.0 to 1.0, not {value}")
    return float(value)


def scaled(samples: Samples, volume: float) -> Samples:
    """Samples at `volume` (0.0 silent … 1.0 unchanged), rounded and clipped to 16 bits."""
    if volume >= 1.0:
        return samples
    if volume <= 0.0:
        return np.zeros_like(samples)
    out = np.rint(samples.astype(np.float32) * np.float32(volume))
    clipped: Samples = np.clip(out, -FULL_SCALE - 1, FULL_SCALE).astype(np.int16)
    return clipped


def rms(samples: Samples) -> float:
    """Root-mean-square level as a fraction of full scale (a full-scale sine is about 0.707)."""
    if len(samples) == 0:
        return 0.0
    as_float = samples.astype(np.float64) / FULL_SCALE
    return float(np.sqrt(np.mean(as_float * as_float)))


def dominant_frequency(samples: Samples, sample_rate: int = SAMPLE_RATE) -> float:
    """The frequency in Hz with the most energy, refined between FFT bins; 0.0 for silence.

    A Hann window keeps a tone's energy in its own bins, and the parabola through the peak
    bin and its neighbours puts the estimate within a hertz or two for a tenth of a second
    of signal, instead of the bin width (10 Hz at 0.1 s).
    """
    if len(samples) < 4 or not np.any(samples):
        return 0.0
    windowed = samples.astype(np.float64) * np.hanning(len(samples))
    spectrum = np.abs(np.fft.rfft(windowed))
    spectrum[0] = 0.0  # a DC offset is not a sound
    peak = int(np.argmax(spectrum))
    offset = 0.0
    if 0 < peak < len(spectrum) - 1:
        left, centre, right = np.log(spectrum[peak - 1 : peak + 2] + 1e-12)
        denominator = left - 2.0 * centre + right
        if denominator != 0.0:
            offset = 0.5 * (left - right) / denominator
    return float((peak + offset) * sample_rate / len(samples))
