import itertools
import threading

import cv2
import numpy as np
import pytest
import zxingcpp

from drivers.camera import scenes
from drivers.camera.scenes import Placement
from drivers.camera.simulator import SimulatedCamera
from drivers.health import HealthState

TIMEOUT = 2.0


def counting_clock() -> itertools.count:
    return itertools.count()


@pytest.fixture
def camera():
    camera = SimulatedCamera(width=64, height=48, fps=200.0, clock=counting_clock().__next__)
    yield camera
    camera.stop()


def test_no_frame_before_start(camera):
    assert camera.latest_frame() is None
    assert camera.wait_for_frame(timeout=0.01) is None
    assert camera.health().state is HealthState.OK


def test_frames_are_bgr_arrays_of_the_configured_size_and_change(camera):
    camera.start()
    first = camera.wait_for_frame(timeout=TIMEOUT)
    assert first is not None
    second = camera.wait_for_frame(first.index, TIMEOUT)
    assert second is not None
    assert first.image.shape == (48, 64, 3) and first.image.dtype == np.uint8
    assert (first.width, first.height) == (64, 48)
    assert second.index > first.index >= 0
    assert second.timestamp > first.timestamp
    assert not np.array_equal(first.image, second.image)  # the drifting light: a live picture


def test_latest_frame_is_the_newest_not_the_next_in_a_queue(camera):
    camera.start()
    first = camera.wait_for_frame(timeout=TIMEOUT)
    assert first is not None
    assert camera.wait_for_frame(first.index + 3, TIMEOUT) is not None
    newest = camera.latest_frame()
    assert newest is not None
    # With a queue the next read would be frame first+1; older frames are dropped instead.
    assert newest.index >= first.index + 4
    again = camera.latest_frame()
    assert again is not None and again.index >= newest.index  # reading does not consume
    assert camera.frames_delivered >= newest.index + 1


def test_stop_joins_the_thread_and_forgets_the_frame(camera):
    camera.start()
    assert camera.wait_for_frame(30, TIMEOUT) is not None
    camera.stop()
    assert not camera.running
    assert camera.latest_frame() is None
    assert "camera-simulator" not in {thread.name for thread in threading.enumerate()}
    camera.start()  # can start again, counting from zero
    frame = camera.wait_for_frame(timeout=TIMEOUT)
    assert frame is not None and frame.index < 30  # counting again from zero


def test_held_up_object_appears_in_the_frames_after_hold_up():
    camera = SimulatedCamera(width=320, height=240, fps=200.0)
    camera.start()
    try:
        assert camera.wait_for_frame(timeout=TIMEOUT) is not None
        payload = "https://afspraken.example.nl/qr/1"
        before = camera.hold_up(scenes.qr_image(payload, module_px=4), Placement(scale=0.8))
        frame = camera.wait_for_frame(before, TIMEOUT)
        assert frame is not None
        assert [result.text for result in zxingcpp.read_barcodes(frame.image)] == [payload]
        removed = camera.hold_up(None)
        frame = camera.wait_for_frame(removed, TIMEOUT)
        assert frame is not None and zxingcpp.read_barcodes(frame.image) == []
    finally:
        camera.stop()


def test_a_swaying_hand_moves_the_object_between_frames():
    camera = SimulatedCamera(width=160, height=120, fps=200.0)
    camera.start()
    try:
        white = np.full((50, 50, 3), 255, dtype=np.uint8)
        after = camera.hold_up(white, Placement(scale=0.3), sway_px=12.0)
        centres = set()
        for _ in range(6):
            frame = camera.wait_for_frame(after, TIMEOUT)
            assert frame is not None
            bright = np.argwhere(frame.image.min(axis=2) > 250)
            centres.add(tuple(np.round(bright.mean(axis=0)).astype(int)))
            after = frame.index
        assert len(centres) > 1
    finally:
        camera.stop()


def test_hold_up_before_start_shows_from_the_first_frame(camera):
    assert camera.hold_up(np.zeros((10, 10, 3), dtype=np.uint8), Placement(scale=1.0)) == -1
    camera.start()
    frame = camera.wait_for_frame(timeout=TIMEOUT)
    assert frame is not None
    assert frame.image[24, 32].max() < 10  # the black card in the middle


def test_covered_lens_gives_black_frames_and_degraded_health(camera):
    camera.start()
    covered = camera.black(True)
    frame = camera.wait_for_frame(covered, TIMEOUT)
    assert frame is not None and not frame.image.any()
    assert camera.health().state is HealthState.FAILED
    assert camera.health().reason == "Camera gives black frames"
    uncovered = camera.black(False)
    frame = camera.wait_for_frame(uncovered, TIMEOUT)
    assert frame is not None and frame.image.mean() > 30
    assert camera.health().state is HealthState.OK


def test_unplugged_camera_is_missing_and_gives_no_frames(camera):
    camera.start()
    assert camera.wait_for_frame(timeout=TIMEOUT) is not None
    camera.unplug()
    assert camera.health().state is HealthState.MISSING
    assert camera.health().reason == "Camera not connected"
    assert camera.latest_frame() is None
    assert camera.wait_for_frame(timeout=0.05) is None
    delivered = camera.frames_delivered
    camera.plug_in()
    assert camera.health().state is HealthState.OK
    assert camera.wait_for_frame(timeout=TIMEOUT) is not None
    assert camera.frames_delivered > delivered


def test_absent_from_the_start():
    camera = SimulatedCamera(width=16, height=16, present=False)
    assert camera.health().reason == "Camera not connected"
    camera.start()
    try:
        assert camera.wait_for_frame(timeout=0.05) is None
    finally:
        camera.stop()


def test_image_file_source_is_shown_still_and_fitted(tmp_path):
    picture = np.zeros((60, 40, 3), dtype=np.uint8)
    picture[:, :] = (10, 200, 30)
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), picture)
    camera = SimulatedCamera(width=80, height=60, fps=200.0, source=str(path))
    camera.start()
    try:
        first = camera.wait_for_frame(timeout=TIMEOUT)
        assert first is not None
        second = camera.wait_for_frame(first.index, TIMEOUT)
        assert second is not None and np.array_equal(first.image, second.image)
        assert first.image.shape == (60, 80, 3)
        assert tuple(first.image[30, 40]) == (10, 200, 30)  # centred, aspect kept
        assert not first.image[30, 5].any()  # black bars at the sides
    finally:
        camera.stop()


def test_video_file_source_loops(tmp_path):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (32, 24))
    for value in (40, 120, 200):
        writer.write(np.full((24, 32, 3), value, dtype=np.uint8))
    writer.release()
    camera = SimulatedCamera(width=32, height=24, fps=200.0, source=str(path))
    camera.start()
    try:
        after = -1
        while after < 6:  # past the end twice: frame n shows picture n mod 3
            frame = camera.wait_for_frame(after, TIMEOUT)
            assert frame is not None
            assert abs(float(frame.image.mean()) - (40, 120, 200)[frame.index % 3]) < 5
            after = frame.index
    finally:
        camera.stop()


def test_unreadable_file_source_is_missing(tmp_path):
    path = tmp_path / "broken.avi"
    path.write_bytes(b"not a video")
    camera = SimulatedCamera(width=32, height=24, fps=200.0, source=str(path))
    camera.start()
    try:
        assert camera.wait_for_frame(timeout=0.2) is None
        camera.stop()
        assert camera.health().state is HealthState.MISSING
        assert camera.health().reason == f"Camera {path} cannot be opened"
    finally:
        camera.stop()


@pytest.mark.parametrize("arguments", [{"width": 0}, {"height": -1}, {"fps": 0.0}])
def test_impossible_settings_are_refused(arguments):
    with pytest.raises(ValueError):
        SimulatedCamera(**arguments)


def test_a_missing_source_file_is_reported_not_raised(tmp_path):
    path = tmp_path / "gone.mp4"
    camera = SimulatedCamera(width=32, height=24, source=str(path))
    assert camera.health().state is HealthState.MISSING
    assert camera.health().reason == f"Camera {path} cannot be opened"
    camera.start()
    try:
        assert camera.wait_for_frame(timeout=0.05) is None
    finally:
        camera.stop()
