"""Camera drivers the registry can build, with their options; imports no driver until used.

Nothing here imports cv2 or numpy: checking a config must stay cheap and work on a machine
without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import DriverFactory, Flag, Number, Text, Whole

if TYPE_CHECKING:
    from drivers.camera.opencv_camera import OpenCVCamera
    from drivers.camera.simulator import SimulatedCamera
    from drivers.unavailable import UnavailableCamera


def camera_source(text: str) -> int | str:
    """A config `source` as OpenCV wants it: digits are a device index ("0" is the first
    webcam), anything else a device path, file or stream URL."""
    stripped = text.strip()
    return int(stripped) if stripped.isdigit() else stripped


def _opencv(source: str, width: int, height: int, fps: float, open_timeout: float, read_timeout: float) -> OpenCVCamera:
    from drivers.camera.opencv_camera import OpenCVCamera

    return OpenCVCamera(
        camera_source(source),
        width=width,
        height=height,
        fps=fps,
        open_timeout=open_timeout,
        read_timeout=read_timeout,
    )


def _simulated(width: int, height: int, fps: float, present: bool, source: str) -> SimulatedCamera:
    from drivers.camera.simulator import SimulatedCamera

    return SimulatedCamera(width=width, height=height, fps=fps, present=present, source=source)


def _none() -> UnavailableCamera:
    from drivers.unavailable import UnavailableCamera

    return UnavailableCamera("No camera configured")


opencv = DriverFactory(
    _opencv,
    {
        "source": Text("0", hint="a device index such as '0', a device path, a video file or a stream URL"),
        "width": Whole(1280, 16, 4096),
        "height": Whole(720, 16, 4096),
        "fps": Number(30.0, 1.0, 60.0),
        "open_timeout": Number(5.0, 0.5, 60.0),
        "read_timeout": Number(2.0, 0.2, 60.0),
    },
)
# The simulator's config defaults stay at 640×480, 15 fps, as provisioning/example-kiosk.toml
# documents them: enough for the attract-screen preview at a quarter of the CPU of 720p.
simulated = DriverFactory(
    _simulated,
    {
        "width": Whole(640, 16, 4096),
        "height": Whole(480, 16, 4096),
        "fps": Number(15.0, 1.0, 60.0),
        "present": Flag(True),
        "source": Text("synthetic", hint="'synthetic' or the path of an image or video file"),
    },
)
none = DriverFactory(_none)
