"""Frames turned into what the preview shows: smaller, mirrored, RGB.

Done on the camera feed's thread with OpenCV, so the UI thread only paints; a mirror
image is what people expect when they see themselves or hold something up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

if TYPE_CHECKING:
    import numpy.typing as npt

    from drivers.camera.protocol import Frame


def mirrored_rgb(frame: Frame, max_width: int) -> npt.NDArray[np.uint8]:
    image = frame.image
    height, width = image.shape[:2]
    if width > max_width:
        size = (max_width, round(height * max_width / width))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    return np.ascontiguousarray(cv2.cvtColor(cv2.flip(image, 1), cv2.COLOR_BGR2RGB), dtype=np.uint8)


def png_bytes(frame: Frame) -> bytes:
    """One frame as PNG (a technician's snapshot); raises ValueError if it cannot be encoded."""
    ok, encoded = cv2.imencode(".png", frame.image)
    if not ok:
        raise ValueError("the frame cannot be encoded as PNG")
    return bytes(encoded.tobytes())


def quiet_opencv_logging() -> None:
    """OpenCV's own warnings would bury the one line a command prints about the same problem."""
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
