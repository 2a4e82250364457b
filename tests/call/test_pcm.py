"""The PCM format and measurements every audio driver and test relies on."""

from __future__ import annotations

import os

import numpy as np
import pytest

from drivers import alsa
from drivers.pcm import FULL_SCALE, SAMPLE_RATE, PcmFrame, dominant_frequency, rms, scaled, silence


def sine(frequency: float, seconds: float, level: float = 0.5) -> np.ndarray:
    t = np.arange(round(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return np.rint(level * FULL_SCALE * np.sin(2 * np.pi * frequency * t)).astype(np.int16)


@pytest.mark.parametrize("frequency", [100.0, 440.0, 443.0, 880.0, 3000.0])
def test_dominant_frequency_within_a_hertz_from_a_tenth_of_a_second(frequency):
    assert dominant_frequency(sine(frequency, 0.1)) == pytest.approx(frequency, abs=1.0)


def test_levels_and_silence():
    assert rms(sine(440.0, 0.1, level=1.0)) == pytest.approx(1 / np.sqrt(2), rel=0.001)
    assert rms(silence()) == 0.0 and rms(np.zeros(0, np.int16)) == 0.0
    assert dominant_frequency(silence()) == 0.0
    assert len(silence()) == 960 and PcmFrame(silence()).duration == pytest.approx(0.02)


def test_volume_scales_rounds_and_never_wraps():
    loud = np.array([FULL_SCALE, -FULL_SCALE - 1, 3, -3], np.int16)
    assert scaled(loud, 1.0) is loud
    assert scaled(loud, 0.5).tolist() == [16384, -16384, 2, -2]
    assert not scaled(loud, 0.0).any()


def test_frames_are_mono_16_bit():
    with pytest.raises(ValueError):
        PcmFrame(np.zeros(960, np.float32))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        PcmFrame(np.zeros((960, 2), np.int16))


def test_sound_devices_are_read_from_the_kernels_list(tmp_path):
    listing = tmp_path / "pcm"
    listing.write_text(
        "00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1\n01-03: HDMI 0 : HDMI 0 : playback 1\n"
    )
    assert alsa.has_device("capture", listing) and alsa.has_device("playback", listing)
    listing.write_text("01-03: HDMI 0 : HDMI 0 : playback 1\n")
    assert not alsa.has_device("capture", listing) and alsa.has_device("playback", listing)
    assert not alsa.has_device("playback", tmp_path / "absent")


def test_pyav_is_pointed_at_debians_alsa_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("ALSA_CONFIG_DIR", "recorded")  # so monkeypatch restores what the code sets
    monkeypatch.delenv("ALSA_CONFIG_DIR")
    monkeypatch.setattr(alsa, "SYSTEM_CONFIG_DIR", tmp_path)
    assert not alsa.use_system_config()  # no alsa.conf: nothing to point at
    (tmp_path / "alsa.conf").write_text("")
    assert alsa.use_system_config()
    assert os.environ["ALSA_CONFIG_DIR"] == str(tmp_path)
    monkeypatch.setenv("ALSA_CONFIG_DIR", "/etc/technicians-choice")
    assert alsa.use_system_config() and os.environ["ALSA_CONFIG_DIR"] == "/etc/technicians-choice"
