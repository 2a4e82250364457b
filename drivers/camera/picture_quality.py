"""Two numbers a technician can act on about a camera's picture: sharpness and brightness.

Sharpness is the variance of the Laplacian of the grey picture (Pech-Pacheco et al., "Diatom
autofocusing in brightfield microscopy", 2000): edges give large second derivatives, blur
flattens them, so a smudged or unfocused lens scores near zero while a focused scene with
some detail scores in the hundreds. It depends on what the camera sees, so it warns rather
than fails. Brightness is the mean grey level, 0..255; below the driver's black level the
lens is covered or the sensor dead.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from drivers.camera.opencv_camera import BLACK_LEVEL

Image = npt.NDArray[np.uint8]

BLURRED_BELOW = 25.0  # the synthetic desk scores ≈ 190, and a 9×9 Gaussian blur of it ≈ 2
DARK_BELOW = 40.0  # a dim hall still gives 60+; below this a document will not be readable
BRIGHT_ABOVE = 220.0  # washed out: the camera faces a window or a lamp


@dataclass(frozen=True, slots=True)
class PictureQuality:
    sharpness: float
    brightness: float

    @property
    def black(self) -> bool:
        return self.brightness < BLACK_LEVEL

    def advice(self) -> str:
        """What to do about the picture, or "" when it looks usable."""
        if self.black:
            return "the picture is black: uncover the lens or check the camera"
        problems = []
        if self.brightness < DARK_BELOW:
            problems.append("too dark: more light on the counter")
        elif self.brightness > BRIGHT_ABOVE:
            problems.append("too bright: turn the camera away from windows and lamps")
        if self.sharpness < BLURRED_BELOW:
            problems.append("blurred: clean the lens or set the focus")
        return "; ".join(problems)


def measure(image: Image) -> PictureQuality:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    laplacian = cv2.Laplacian(grey, cv2.CV_64F)
    return PictureQuality(sharpness=float(laplacian.var()), brightness=float(grey.mean()))
