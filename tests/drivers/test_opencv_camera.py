import threading
from typing import ClassVar

import cv2
import numpy as np
import pytest

from drivers import registry
from drivers.camera import opencv_camera
from drivers.camera.factories import camera_source
from drivers.camera.opencv_camera import OpenCVCamera
from drivers.health import HealthState

TIMEOUT = 3.0
LEVELS = (40, 120, 200)


@pytest.fixture
def cameras():
    """Cameras a test makes; all stopped afterwards, even when the test fails."""
    made: list[OpenCVCamera] = []

    def make(source, **options) -> OpenCVCamera:
        camera = OpenCVCamera(source, **{"fps": 200.0, "reconnect_interval": 0.05, **options})
        made.append(camera)
        return camera

    yield make
    for camera in made:
        camera.stop()


def write_video(path, levels=LEVELS, size=(32, 24)) -> str:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, size)
    assert writer.isOpened()
    for value in levels:
        writer.write(np.full((size[1], size[0], 3), value, dtype=np.uint8))
    writer.release()
    return str(path)


def test_image_file_gives_that_image_repeatedly(tmp_path, cameras):
    picture = np.zeros((30, 40, 3), dtype=np.uint8)
    picture[:, 20:] = (0, 0, 255)
    path = tmp_path / "letter.png"
    cv2.imwrite(str(path), picture)
    camera = cameras(str(path))
    camera.start()
    first = camera.wait_for_frame(timeout=TIMEOUT)
    assert first is not None
    second = camera.wait_for_frame(first.index, TIMEOUT)
    assert second is not None and second.index > first.index
    assert np.array_equal(first.image, picture) and np.array_equal(second.image, picture)
    assert camera.health().state is HealthState.OK


def test_video_file_loops_and_only_the_newest_frame_is_kept(tmp_path, cameras):
    camera = cameras(write_video(tmp_path / "clip.avi"))
    camera.start()
    first = camera.wait_for_frame(timeout=TIMEOUT)
    assert first is not None and first.image.shape == (24, 32, 3)
    after = first.index
    while after < first.index + 7:  # past the end twice: frame n shows picture n mod 3
        frame = camera.wait_for_frame(after, TIMEOUT)
        assert frame is not None
        assert abs(float(frame.image.mean()) - LEVELS[frame.index % 3]) < 5
        after = frame.index
    newest = camera.latest_frame()
    assert newest is not None and newest.index >= after >= first.index + 7  # not the next in a queue
    assert camera.frames_delivered >= newest.index + 1
    assert camera.health().state is HealthState.OK


def test_black_frames_fail_health(tmp_path, cameras):
    camera = cameras(write_video(tmp_path / "covered.avi", levels=(0, 2, 1)))
    camera.start()
    assert camera.wait_for_frame(timeout=TIMEOUT) is not None
    assert camera.health().state is HealthState.FAILED
    assert camera.health().reason == "Camera gives black frames"


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        (99, "Camera 99 does not exist (is it plugged in? `balie provision detect` lists the cameras)"),
        (
            "/dev/video99",
            "Camera /dev/video99 does not exist (is it plugged in? `balie provision detect` lists the cameras)",
        ),
    ],
)
def test_a_missing_device_is_reported_not_raised(cameras, source, reason):
    camera = cameras(source, open_timeout=1.0)
    camera.start()
    assert camera.wait_for_health(HealthState.MISSING, timeout=1.0)
    assert camera.wait_for_frame(timeout=0.05) is None
    camera.stop()  # stopped: the last known problem stays
    assert camera.health().state is HealthState.MISSING
    assert camera.health().reason in (reason, "Camera not connected")


def test_a_missing_file_is_missing_even_before_start(tmp_path, cameras):
    camera = cameras(str(tmp_path / "none.mp4"))
    assert camera.health().state is HealthState.MISSING
    assert camera.health().reason == f"Camera {tmp_path / 'none.mp4'} cannot be opened"


def test_it_keeps_retrying_until_the_source_appears(tmp_path, cameras):
    path = tmp_path / "later.avi"
    camera = cameras(str(path))
    camera.start()
    assert camera.wait_for_health(HealthState.MISSING, timeout=TIMEOUT)
    write_video(tmp_path / "staging.avi")
    (tmp_path / "staging.avi").rename(path)  # appears whole, as a camera does when plugged in
    assert camera.wait_for_frame(timeout=TIMEOUT) is not None
    assert camera.wait_for_health(HealthState.OK, timeout=TIMEOUT)


def test_stop_joins_the_thread_and_forgets_the_frame(tmp_path, cameras):
    camera = cameras(write_video(tmp_path / "clip.avi"))
    camera.start()
    assert camera.wait_for_frame(30, TIMEOUT) is not None
    camera.stop()
    assert not camera.running
    assert camera.latest_frame() is None
    assert "camera-opencv" not in {thread.name for thread in threading.enumerate()}
    camera.start()  # can start again
    frame = camera.wait_for_frame(timeout=TIMEOUT)
    assert frame is not None and frame.index < 30  # counting again from zero


class FlakyCapture:
    """cv2.VideoCapture for a webcam whose cable is pulled after a few frames."""

    made: ClassVar[list["FlakyCapture"]] = []

    def __init__(self, *arguments: object) -> None:
        self.arguments = arguments
        self.frames_left = 3
        self.settings: dict[int, float] = {}
        self.opened_on = threading.current_thread().name
        self.released_on: str | None = None
        FlakyCapture.made.append(self)

    def isOpened(self) -> bool:  # OpenCV's name
        return True

    def set(self, prop: int, value: float) -> bool:
        self.settings[prop] = value
        return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        if self.frames_left == 0:
            return False, None
        self.frames_left -= 1
        return True, np.full((24, 32, 3), 100, dtype=np.uint8)

    def release(self) -> None:
        self.released_on = threading.current_thread().name


def test_a_lost_device_turns_missing_and_reconnects(monkeypatch, cameras):
    FlakyCapture.made = []
    monkeypatch.setattr(opencv_camera.cv2, "VideoCapture", FlakyCapture)
    camera = cameras(0, width=640, height=480, fps=15.0, read_timeout=0.1)
    camera.start()
    assert camera.wait_for_frame(timeout=TIMEOUT) is not None
    assert camera.wait_for_health(HealthState.MISSING, timeout=TIMEOUT)
    assert camera.health().reason == "Camera not connected"
    assert camera.latest_frame() is None  # no stale picture while the camera is away
    assert camera.wait_for_frame(timeout=TIMEOUT) is not None  # reopened after reconnect_interval
    camera.stop()
    first = FlakyCapture.made[0]
    assert first.arguments == (0, cv2.CAP_V4L2)
    assert first.settings[cv2.CAP_PROP_FRAME_WIDTH] == 640 and first.settings[cv2.CAP_PROP_FPS] == 15.0
    assert len(FlakyCapture.made) >= 2
    assert {capture.opened_on for capture in FlakyCapture.made} == {"camera-opencv"}
    assert {capture.released_on for capture in FlakyCapture.made} == {"camera-opencv"}


@pytest.mark.parametrize(
    ("text", "source"), [("0", 0), (" 12 ", 12), ("/dev/video2", "/dev/video2"), ("rtsp://cam/1", "rtsp://cam/1")]
)
def test_config_source_digits_are_a_device_index(text, source):
    assert camera_source(text) == source


def test_registry_builds_an_opencv_camera_without_opening_it():
    assert "opencv" in registry.driver_names("camera")
    options = registry.check("camera", "opencv", {"source": "2", "fps": 15})
    assert options["source"] == "2" and options["width"] == 1280 and options["read_timeout"] == 2.0
    camera = registry.build("camera", "opencv", {"source": "/dev/video99", "open_timeout": 1.0})
    assert isinstance(camera, OpenCVCamera)
    assert (camera.source, camera.open_timeout, camera.running) == ("/dev/video99", 1.0, False)
    with pytest.raises(registry.DriverConfigError, match="source"):
        registry.check("camera", "opencv", {"source": ""})


def test_registry_builds_a_simulated_camera_on_a_file(tmp_path):
    path = write_video(tmp_path / "clip.avi")
    camera = registry.build("camera", "simulated", {"source": path, "width": 32, "height": 24})
    assert camera.source == path  # type: ignore[attr-defined]
