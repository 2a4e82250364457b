"""The camera as the kiosk sees it: a source of the newest frame, never a queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from drivers.health import Health

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One image from the camera: an H×W×3 uint8 array in BGR order (OpenCV's).

    `index` counts frames since the camera started, so a consumer can tell a new frame
    from one it has seen, and measure the frame rate.
    """

    image: Image
    timestamp: float  # time.monotonic() when captured
    index: int = 0

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


class Camera(Protocol):
    def health(self) -> Health: ...

    def start(self) -> None:
        """Begin capturing on the driver's own thread (opening the device there too)."""

    def stop(self) -> None:
        """Stop capturing and release the device (on the capture thread)."""

    def latest_frame(self) -> Frame | None:
        """The newest frame, or None before the first one; older frames are dropped."""
