"""Audio output drivers: the measuring simulator, the PyAV one against ALSA, the registry."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from drivers import registry
from drivers.audio_output.pyav_output import NO_DEVICE, PyAVAudioOutput
from drivers.audio_output.recorder import NOT_CONNECTED, RecordingAudioOutput
from drivers.health import HealthState
from drivers.pcm import FRAME_SAMPLES, FULL_SCALE, SAMPLE_RATE, PcmFrame
from drivers.registry import DriverConfigError
from drivers.unavailable import UnavailableAudioOutput
from tests.call.sound_devices import ALSA_CONFIG, wait_for_health

TIMEOUT = 5.0


def tone(frequency: float, level: float, frames: int) -> list[PcmFrame]:
    t = np.arange(frames * FRAME_SAMPLES) / SAMPLE_RATE
    samples = np.rint(level * FULL_SCALE * np.sin(2 * np.pi * frequency * t)).astype(np.int16)
    return [PcmFrame(samples[i * FRAME_SAMPLES : (i + 1) * FRAME_SAMPLES], i) for i in range(frames)]


def test_the_recorder_measures_what_a_listener_would_hear():
    output = RecordingAudioOutput(volume=0.5, keep_seconds=0.5)
    for frame in tone(1000.0, 0.8, 5):
        output.play(frame)
    assert output.samples_played == 0  # not started: nothing comes out
    output.start()
    for frame in tone(1000.0, 0.8, 50):  # a second
        output.play(frame)
    assert (output.frames_played, output.samples_played) == (50, 50 * FRAME_SAMPLES)
    assert output.dominant_frequency() == pytest.approx(1000.0, abs=1.0)
    assert output.level() == pytest.approx(0.8 * 0.5 / np.sqrt(2), rel=0.01)  # after the volume
    assert len(output.recent(10.0)) == SAMPLE_RATE // 2  # only keep_seconds are held
    output.volume = 0.0
    output.play(tone(1000.0, 0.8, 1)[0])
    assert not output.recent(0.02).any()
    with pytest.raises(ValueError):
        output.volume = 1.5
    output.stop()
    assert len(output.recent()) == 0 and output.level() == 0.0  # the voice is forgotten, the count is not
    assert output.samples_played == 51 * FRAME_SAMPLES


def test_the_recorder_wakes_a_waiting_test_and_can_be_unplugged():
    output = RecordingAudioOutput()
    output.start()
    frames = tone(440.0, 0.3, 3)
    player = threading.Thread(target=lambda: [output.play(frame) for frame in frames])
    player.start()
    assert output.wait_for_samples(3 * FRAME_SAMPLES, timeout=TIMEOUT)
    player.join()
    output.unplug()
    assert output.health() == output.health().missing(NOT_CONNECTED)
    output.play(frames[0])
    assert output.frames_played == 3
    output.plug_in()
    assert output.health().state is HealthState.OK


# -- PyAV against ALSA --------------------------------------------------------------------------


def test_pyav_output_writes_to_alsa():
    """ALSA's "null" device takes whatever is written: the real path (libasound, FFmpeg's
    ALSA output, the writer thread) without a sound card."""
    assert ALSA_CONFIG.is_file(), "install libasound2-data (Debian's ALSA configuration)"
    output = PyAVAudioOutput(device="null", volume=0.5)
    output.play(tone(440.0, 0.3, 1)[0])  # stopped: ignored
    output.start()
    try:
        for frame in tone(440.0, 0.3, 5):
            output.play(frame)
        assert output.wait_for_written(5, timeout=TIMEOUT)
        assert output.health().state is HealthState.OK
        output.volume = 0.2
        assert output.volume == 0.2
    finally:
        output.stop()
    assert output.frames_written == 5
    assert "audio-output-pyav" not in {thread.name for thread in threading.enumerate()}


def test_pyav_output_drops_the_oldest_when_the_device_is_slow():
    output = PyAVAudioOutput(device="hw:99,0", queue_frames=3, reconnect_interval=10.0)
    output.start()  # never opens: nothing is written, the queue is all there is
    try:
        for frame in tone(440.0, 0.3, 10):
            output.play(frame)
        assert output.frames_dropped == 7
        assert wait_for_health(output, HealthState.MISSING, "Speaker hw:99,0 cannot be opened")
    finally:
        output.stop()
    assert output.health().reason == "Speaker hw:99,0 cannot be opened"


def test_pyav_output_without_any_sound_card_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr("drivers.alsa.PCM_LIST", tmp_path / "absent")
    assert PyAVAudioOutput().health() == PyAVAudioOutput().health().missing(NO_DEVICE)
    with pytest.raises(ValueError):
        PyAVAudioOutput(volume=2.0)


# -- registry -----------------------------------------------------------------------------------


def test_registry_builds_audio_outputs_from_config():
    assert registry.driver_names("audio_output") == ("pyav", "simulated", "none")
    built = registry.build("audio_output", "simulated", {"volume": 0.3})
    assert isinstance(built, RecordingAudioOutput) and built.volume == 0.3
    assert registry.check("audio_output", "pyav", {}) == {"device": "default", "volume": 0.8}
    real = registry.build("audio_output", "pyav", {"device": "plughw:CARD=Device,DEV=0", "volume": 1.0})
    assert isinstance(real, PyAVAudioOutput) and real.volume == 1.0
    none = registry.build("audio_output", "none", {})
    assert isinstance(none, UnavailableAudioOutput) and none.health().reason == "No speaker configured"
    with pytest.raises(DriverConfigError) as caught:
        registry.check("audio_output", "simulated", {"volume": 2})
    assert (caught.value.key, caught.value.message) == ("volume", "must be a number from 0 to 1, not 2")
