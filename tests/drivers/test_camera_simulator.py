import itertools
import threading

import pytest

from drivers.camera.protocol import Frame
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


def solid(width: int, height: int, bgr: tuple[int, int, int]) -> Frame:
    return Frame(width, height, bytes(bgr) * (width * height), 0.0)


def test_no_frame_before_start(camera):
    assert camera.latest_frame() is None
    assert camera.health().state is HealthState.OK


def test_frames_are_bgr_of_the_configured_size_and_move(camera):
    camera.start()
    first = camera.wait_for_frame(TIMEOUT)
    second = camera.wait_for_frame(TIMEOUT)
    assert first is not None and second is not None
    assert (first.width, first.height, len(first.pixels)) == (64, 48, 64 * 48 * 3)
    assert second.timestamp > first.timestamp
    assert second.pixels != first.pixels  # the moving bar: a live picture


def test_latest_frame_is_the_newest_not_the_next_in_a_queue(camera):
    camera.start()
    first = camera.wait_for_frame(TIMEOUT)
    assert first is not None
    for _ in range(3):
        assert camera.wait_for_frame(TIMEOUT) is not None
    newest = camera.latest_frame()
    assert newest is not None
    # With a queue the next read would be frame first+1; older frames are dropped instead.
    assert newest.timestamp >= first.timestamp + 3
    again = camera.latest_frame()
    assert again is not None and again.timestamp >= newest.timestamp  # reading does not consume


def test_stop_joins_the_thread_and_forgets_the_frame(camera):
    camera.start()
    assert camera.wait_for_frame(TIMEOUT) is not None
    camera.stop()
    assert not camera.running
    assert camera.latest_frame() is None
    assert "camera-simulator" not in {thread.name for thread in threading.enumerate()}
    camera.start()  # can start again
    assert camera.wait_for_frame(TIMEOUT) is not None


def test_held_up_image_fills_the_frame(camera):
    camera.start()
    document = solid(64, 48, (10, 20, 30))
    camera.hold_up(document)
    frame = camera.wait_for_frame(TIMEOUT)
    assert frame is not None and frame.pixels == document.pixels
    camera.hold_up(None)
    frame = camera.wait_for_frame(TIMEOUT)
    assert frame is not None and frame.pixels != document.pixels


def test_smaller_image_is_centred_over_the_scene(camera):
    camera.start()
    camera.hold_up(solid(8, 4, (1, 2, 3)))
    frame = camera.wait_for_frame(TIMEOUT)
    assert frame is not None
    stride = 64 * 3
    middle_row = frame.pixels[22 * stride : 23 * stride]
    assert middle_row[28 * 3 : 36 * 3] == bytes((1, 2, 3)) * 8
    assert middle_row[27 * 3 : 28 * 3] != bytes((1, 2, 3))
    assert bytes((1, 2, 3)) not in frame.pixels[: 21 * stride]


def test_larger_image_is_cropped_to_its_middle(camera):
    camera.start()
    width, height = 128, 48
    left = bytes((9, 9, 9)) * 32 + bytes((5, 5, 5)) * 64 + bytes((9, 9, 9)) * 32
    camera.hold_up(Frame(width, height, left * height, 0.0))
    frame = camera.wait_for_frame(TIMEOUT)
    assert frame is not None and frame.pixels == bytes((5, 5, 5)) * (64 * 48)


def test_unplugged_camera_is_missing_and_gives_no_frames(camera):
    camera.start()
    assert camera.wait_for_frame(TIMEOUT) is not None
    camera.unplug()
    assert camera.health().state is HealthState.MISSING
    assert camera.health().reason == "Camera not connected"
    assert camera.latest_frame() is None
    assert camera.wait_for_frame(0.05) is None
    camera.plug_in()
    assert camera.health().state is HealthState.OK
    assert camera.wait_for_frame(TIMEOUT) is not None


def test_absent_from_the_start():
    camera = SimulatedCamera(width=16, height=16, present=False)
    assert camera.health().reason == "Camera not connected"
    assert camera.latest_frame() is None


@pytest.mark.parametrize("arguments", [{"width": 0}, {"height": -1}, {"fps": 0.0}])
def test_impossible_settings_are_refused(arguments):
    with pytest.raises(ValueError):
        SimulatedCamera(**arguments)
