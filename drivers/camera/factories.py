"""Camera drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import DriverFactory, Flag, Number, Whole

if TYPE_CHECKING:
    from drivers.camera.simulator import SimulatedCamera
    from drivers.unavailable import UnavailableCamera


def _simulated(width: int, height: int, fps: float, present: bool) -> SimulatedCamera:
    from drivers.camera.simulator import SimulatedCamera

    return SimulatedCamera(width=width, height=height, fps=fps, present=present)


def _none() -> UnavailableCamera:
    from drivers.unavailable import UnavailableCamera

    return UnavailableCamera("No camera configured")


simulated = DriverFactory(
    _simulated,
    {
        "width": Whole(640, 16, 4096),
        "height": Whole(480, 16, 4096),
        "fps": Number(15.0, 1.0, 60.0),
        "present": Flag(True),
    },
)
none = DriverFactory(_none)
