"""From a camera frame with a page in it to a scan: straighten the page, even the light.

`flatten` undoes the perspective of a held-up page and gives an upright page at a paper
size and resolution a caseworker's PDF viewer shows at its real size; `clean` turns it
into an even, high-contrast greyscale page without thresholding, so stamps, signatures
and pencil survive as they were.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from drivers.camera.vision.page_scanner import order_corners

Image = npt.NDArray[np.uint8]

MM_PER_INCH = 25.4
# A page held up to the camera is seen in perspective, so its proportions are first
# recovered from the outline (see `page_proportions`); then anything within
# SNAP_TOLERANCE of A4 is taken to be A4, by far the most common paper in the
# Netherlands (letter, 8 % squarer, is rare enough to be scanned as A4). Other shapes
# keep their measured proportions, at A4's long side (the outline alone gives no scale).
A4_MM = (210.0, 297.0)
SNAP_TOLERANCE = 0.1
# Without a better guess the camera's focal length is taken as the frame's larger side in
# pixels: a 53° horizontal field of view, between the usual webcams' 50° and 78°; within
# that range the proportions it gives are off by at most a few percent.
DEFAULT_FOCAL = 1.0
# A focal length estimated from the outline itself is only used when plausible.
FOCAL_RANGE = (0.5, 4.0)

# The outline is found to about a pixel of the camera's picture, and the pixels on it mix
# paper with what is behind it; the flattened page leaves out this part of each side
# (0.6 % is under 2 mm of A4, inside the margin any printer leaves blank).
RIM_INSET = 0.006

# Background (paper brightness) is estimated on a copy this many times smaller: uneven
# light varies over centimetres, text over millimetres, so nothing is lost and it is fast.
BACKGROUND_SHRINK = 8
# Closing removes dark marks narrower than this part of the page's shorter side (about
# 17 mm on A4): letters, pen strokes, stamps and a heading bar are taken out of the
# background estimate, while shadows and light gradients, much wider, stay in it and are
# divided away. Solid dark areas wider than this (a photo) come out lighter.
INK_WIDTH = 0.08
# After dividing, paper sits near 255 with a little sensor noise; everything from this
# level up becomes white, which makes the page look clean and compress well.
PAPER_WHITE = 235
# The darkest ink is stretched to black, but never by more than taking this level as
# black: a nearly blank page must not turn its noise and faint ruling into dark marks.
MAX_BLACK = 140
INK_PERCENTILE = 0.5


def page_proportions(corners: npt.ArrayLike, frame_size: tuple[int, int]) -> float:
    """Height / width of the real page behind a perspective outline in a frame of
    `frame_size` (width, height), with width the side running from top-left to top-right.

    After Zhang & He, "Whiteboard scanning and image enhancement" (2007): the outline's
    vanishing geometry gives the camera's focal length when the perspective is strong
    enough, and with it the rectangle's true aspect ratio. The principal point is taken
    at the frame's centre.
    """
    width, height = frame_size
    centre = np.array([width / 2, height / 2])
    tl, tr, br, bl = (np.append(p - centre, 1.0) for p in order_corners(corners).astype(np.float64))
    # m1..m4 of the paper are tl, tr, bl, br.
    below_top = float(np.dot(np.cross(tr, br), bl))
    beside_left = float(np.dot(np.cross(bl, br), tr))
    if abs(below_top) < 1e-9 or abs(beside_left) < 1e-9:  # three corners in a line: no page
        return 1.0
    k2 = np.dot(np.cross(tl, br), bl) / below_top
    k3 = np.dot(np.cross(tl, br), tr) / beside_left
    along_top = k2 * tr - tl
    along_left = k3 * bl - tl
    focal = DEFAULT_FOCAL * max(width, height)
    depth = along_top[2] * along_left[2]
    if abs(depth) > 1e-12:
        focal_sq = -(along_top[0] * along_left[0] + along_top[1] * along_left[1]) / depth
        low, high = (limit * max(width, height) for limit in FOCAL_RANGE)
        if low * low < focal_sq < high * high:
            focal = float(np.sqrt(focal_sq))
    top = (along_top[0] ** 2 + along_top[1] ** 2) / focal**2 + along_top[2] ** 2
    left = (along_left[0] ** 2 + along_left[1] ** 2) / focal**2 + along_left[2] ** 2
    if not (top > 0 and left > 0):
        return 1.0
    return float(np.sqrt(left / top))


def paper_size_mm(corners: npt.ArrayLike, frame_size: tuple[int, int]) -> tuple[float, float]:
    """(width, height) in mm of the paper the outline most likely is, upright or sideways
    as it was held."""
    proportions = page_proportions(corners, frame_size)
    ratio = max(proportions, 1 / proportions)
    a4 = A4_MM[1] / A4_MM[0]
    short, long = A4_MM if abs(ratio / a4 - 1) <= SNAP_TOLERANCE else (A4_MM[1] / ratio, A4_MM[1])
    return (short, long) if proportions >= 1 else (long, short)


def flatten(image: Image, corners: npt.ArrayLike, dpi: int = 200) -> Image:
    """The page inside `corners` (tl, tr, br, bl in `image`), warped to a flat rectangle of
    its paper size at `dpi`. Keeps the image's channels (colour in, colour out)."""
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    width_mm, height_mm = paper_size_mm(corners, (image.shape[1], image.shape[0]))
    out_w = round(width_mm / MM_PER_INCH * dpi)
    out_h = round(height_mm / MM_PER_INCH * dpi)
    dx, dy = RIM_INSET * out_w, RIM_INSET * out_h
    target = np.array(
        [[-dx, -dy], [out_w - 1 + dx, -dy], [out_w - 1 + dx, out_h - 1 + dy], [-dx, out_h - 1 + dy]], np.float32
    )
    matrix = cv2.getPerspectiveTransform(order_corners(corners), target)
    # Cubic: the camera sees the page at far fewer pixels than `dpi` asks for, and
    # linear interpolation would show its grid as soft blocks in the letters.
    page = cv2.warpPerspective(image, matrix, (out_w, out_h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(page, dtype=np.uint8)


def paper_background(grey: Image) -> Image:
    """The brightness the paper would have at each pixel without anything printed on it."""
    height, width = grey.shape[:2]
    small = cv2.resize(
        grey,
        (max(1, width // BACKGROUND_SHRINK), max(1, height // BACKGROUND_SHRINK)),
        interpolation=cv2.INTER_AREA,
    )
    side = max(3, int(INK_WIDTH * min(small.shape[:2])) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
    # The closing leaves flat-topped plateaus; a blur of the same size makes the estimate
    # smooth, so dividing by it adds no blotches.
    paper = cv2.GaussianBlur(paper, (0, 0), side / 2)
    big = cv2.resize(paper, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.asarray(np.maximum(big, 1), dtype=np.uint8)


def clean(page: Image) -> Image:
    """An even, high-contrast 8-bit greyscale version of a flattened page (no thresholding:
    grey stamps, pencil and signatures keep their tones)."""
    grey = page if page.ndim == 2 else np.asarray(cv2.cvtColor(page, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    flat = cv2.divide(grey, paper_background(grey), scale=255.0)  # paper → 255, ink keeps its ratio
    cumulative = np.cumsum(cv2.calcHist([flat], [0], None, [256], [0, 256]).ravel())
    black = min(MAX_BLACK, int(np.searchsorted(cumulative, cumulative[-1] * INK_PERCENTILE / 100)))
    levels = (np.arange(256, dtype=np.float32) - black) * (255.0 / (PAPER_WHITE - black))
    table = np.clip(np.round(levels), 0, 255).astype(np.uint8)
    return np.asarray(cv2.LUT(flat, table), dtype=np.uint8)
