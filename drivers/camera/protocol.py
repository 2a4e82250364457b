"""The camera as the kiosk sees it: a source of the newest frame, never a queue."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from drivers.health import Health


@dataclass(frozen=True, slots=True)
class Frame:
    """One image, packed BGR (OpenCV's order), row after row."""

    width: int
    height: int
    pixels: bytes
    timestamp: float  # time.monotonic() when captured

    def __post_init__(self) -> None:
        if len(self.pixels) != self.width * self.height * 3:
            raise ValueError("frame size does not match its pixel data")


class Camera(Protocol):
    def health(self) -> Health: ...

    def start(self) -> None:
        """Begin capturing on the driver's own thread."""

    def stop(self) -> None:
        """Stop capturing and release the device (on the capture thread)."""

    def latest_frame(self) -> Frame | None:
        """The newest frame, or None before the first one; older frames are dropped."""
