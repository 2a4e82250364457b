"""Microphone drivers: the tone simulator, the PyAV one against ALSA, and their registry entries."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from drivers import registry
from drivers.health import HealthState
from drivers.microphone.pyav_microphone import NO_DEVICE, PyAVMicrophone
from drivers.microphone.simulator import NO_SOUND, NOT_CONNECTED, SimulatedMicrophone
from drivers.pcm import FRAME_SAMPLES, FRAME_SECONDS, FULL_SCALE, dominant_frequency
from drivers.registry import DriverConfigError
from drivers.unavailable import UnavailableMicrophone
from tests.call.sound_devices import ALSA_CONFIG, wait_for_health

TIMEOUT = 5.0


@pytest.fixture
def microphone():
    microphone = SimulatedMicrophone(frequency=440.0, level=0.5, queue_frames=5)
    yield microphone
    microphone.stop()


def read(microphone, count: int) -> list:
    frames = [microphone.read_frame(timeout=TIMEOUT) for _ in range(count)]
    assert all(frame is not None for frame in frames)
    return frames


def test_the_simulator_gives_20_ms_frames_of_its_tone_in_real_time(microphone):
    assert microphone.read_frame() is None  # nothing before start
    started = time.monotonic()
    microphone.start()
    frames = read(microphone, 10)
    assert time.monotonic() - started >= 10 * FRAME_SECONDS * 0.9  # not faster than a sound card
    assert [frame.index for frame in frames] == list(range(10))
    assert all(frame.samples.shape == (FRAME_SAMPLES,) and frame.samples.dtype == np.int16 for frame in frames)
    joined = np.concatenate([frame.samples for frame in frames])
    assert dominant_frequency(joined) == pytest.approx(440.0, abs=1.0)
    assert np.abs(joined).max() == pytest.approx(0.5 * FULL_SCALE, rel=0.01)
    # The phase runs on across frames: no step bigger than the sine's steepest slope.
    steepest = 0.5 * FULL_SCALE * 2 * np.pi * 440.0 / 48_000
    assert np.abs(np.diff(joined.astype(np.int32))).max() <= steepest + 2
    assert microphone.health().state is HealthState.OK


def test_a_consumer_that_falls_behind_loses_the_oldest_sound_not_memory(microphone):
    microphone.start()
    assert microphone.wait_for_captured(12, timeout=TIMEOUT)
    assert microphone.pending() == 5
    assert microphone.frames_dropped >= 7
    captured = microphone.frames_captured
    oldest = microphone.read_frame()
    assert oldest is not None and oldest.index >= captured - 5  # the oldest kept, not the first made


def test_stop_joins_the_thread_and_forgets_the_queued_sound(microphone):
    microphone.start()
    assert microphone.wait_for_captured(3, timeout=TIMEOUT)
    microphone.stop()
    assert not microphone.running
    assert microphone.pending() == 0 and microphone.read_frame() is None
    assert "microphone-simulator" not in {thread.name for thread in threading.enumerate()}
    microphone.start()  # starts again, counting from zero
    frame = microphone.read_frame(timeout=TIMEOUT)
    assert frame is not None and frame.index == 0


def test_fault_switches(microphone):
    microphone.start()
    assert microphone.read_frame(timeout=TIMEOUT) is not None
    microphone.unplug()
    assert microphone.health() == microphone.health().missing(NOT_CONNECTED)
    assert microphone.read_frame(timeout=5 * FRAME_SECONDS) is None
    microphone.plug_in()
    assert microphone.read_frame(timeout=TIMEOUT) is not None
    microphone.fail()
    assert microphone.health().state is HealthState.FAILED and microphone.health().reason == NO_SOUND
    before = microphone.frames_captured
    assert not microphone.wait_for_captured(before + 1, timeout=5 * FRAME_SECONDS)
    microphone.fail(False)
    assert microphone.wait_for_captured(before + 1, timeout=TIMEOUT)


def test_silence_and_bad_settings():
    quiet = SimulatedMicrophone(frequency=0.0)
    quiet.start()
    try:
        frame = quiet.read_frame(timeout=TIMEOUT)
        assert frame is not None and not frame.samples.any()
    finally:
        quiet.stop()
    with pytest.raises(ValueError):
        SimulatedMicrophone(frequency=30_000.0)
    with pytest.raises(ValueError):
        SimulatedMicrophone(level=1.5)
    with pytest.raises(ValueError):
        SimulatedMicrophone(queue_frames=0)


# -- PyAV against ALSA --------------------------------------------------------------------------


def test_pyav_microphone_captures_from_alsa_in_20_ms_frames():
    """ALSA's "null" device gives samples (not even silence: whatever its buffer held) as
    fast as they are read: the whole real path (libasound, FFmpeg's ALSA input, the
    resampler, the queue) without a sound card."""
    assert ALSA_CONFIG.is_file(), "install libasound2-data (Debian's ALSA configuration)"
    microphone = PyAVMicrophone(device="null", queue_frames=4)
    microphone.start()
    try:
        frames = read(microphone, 3)
        assert all(frame.samples.shape == (FRAME_SAMPLES,) and frame.samples.dtype == np.int16 for frame in frames)
        assert [frame.index for frame in frames] == [0, 1, 2]
        assert microphone.health().state is HealthState.OK
        assert microphone.wait_for_captured(20, timeout=TIMEOUT)
        assert microphone.pending() <= 4  # flooded, yet bounded
    finally:
        microphone.stop()
    assert microphone.pending() == 0


def test_pyav_microphone_that_cannot_open_reports_missing_and_keeps_trying():
    microphone = PyAVMicrophone(device="hw:99,0", reconnect_interval=0.05)
    microphone.start()
    try:
        assert wait_for_health(microphone, HealthState.MISSING, "Microphone hw:99,0 cannot be opened")
    finally:
        microphone.stop()
    # Stopped, it still tells the technician what went wrong last.
    assert microphone.health().reason == "Microphone hw:99,0 cannot be opened"


def test_pyav_microphone_without_any_sound_card_is_missing_before_it_starts(monkeypatch, tmp_path):
    monkeypatch.setattr("drivers.alsa.PCM_LIST", tmp_path / "absent")
    assert PyAVMicrophone().health() == PyAVMicrophone().health().missing(NO_DEVICE)


# -- registry -----------------------------------------------------------------------------------


def test_registry_builds_microphones_from_config():
    assert registry.driver_names("microphone") == ("pyav", "simulated", "none")
    built = registry.build("microphone", "simulated", {"frequency": 1000, "level": 0.1, "present": False})
    assert isinstance(built, SimulatedMicrophone)
    assert (built.frequency, built.level) == (1000.0, 0.1)
    assert built.health().state is HealthState.MISSING
    real = registry.build("microphone", "pyav", {"device": "plughw:CARD=Device,DEV=0"})
    assert isinstance(real, PyAVMicrophone) and real.device == "plughw:CARD=Device,DEV=0"
    none = registry.build("microphone", "none", {})
    assert isinstance(none, UnavailableMicrophone)
    assert none.health().reason == "No microphone configured"
    assert none.read_frame(timeout=10.0) is None and none.pending() == 0
    with pytest.raises(DriverConfigError) as caught:
        registry.check("microphone", "simulated", {"frequency": 30_000})
    assert (caught.value.key, caught.value.message) == ("frequency", "must be a number from 0 to 20000, not 30000")
    with pytest.raises(DriverConfigError, match="unknown microphone driver 'pulse'"):
        registry.check("microphone", "pulse", {})
