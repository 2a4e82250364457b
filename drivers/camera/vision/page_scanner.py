"""Finding a paper page in a camera frame, and telling the citizen how to hold it.

`find_page` looks at one frame; `PageGuide` watches the sightings over time and turns
them into one piece of advice per frame ("hold it closer", "hold still", ...) and a
single CAPTURE when the page is large, inside the picture, steady and sharp. Both are
plain numpy/OpenCV code without Qt, so the kiosk's camera screen only has to show the
advice and flatten the frame it was told to capture.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Corners = npt.NDArray[np.float32]  # 4×2, ordered top-left, top-right, bottom-right, bottom-left

# -- Finding the page ---------------------------------------------------------------------

# Outline detection runs on a copy at most this wide: a page outline is a large feature,
# and 640 px keeps the corners within about 1 px of the full-size frame's (0.1 % of its
# diagonal) at a quarter of the cost.
WORK_WIDTH = 640
# Anything smaller than this part of the frame is not worth reporting: even TOO_SMALL
# advice is only useful for a page the citizen is clearly holding up, not a leaflet on a
# poster behind them.
MIN_CANDIDATE_FRACTION = 0.05
# A4 is 1:1.41, US letter 1:1.29, a square-ish form 1:1; 1.6 covers legal-ish papers.
# The outline's ratio is measured in the picture, where tilting the page towards or away
# from the camera shortens one side by up to a few tens of percent, hence the headroom.
MAX_ASPECT = 1.6 * 1.2
# Interior angles of a page held up, even tilted, stay far from a sliver or a kite.
MIN_CORNER_ANGLE_DEG = 55.0
# The contour must fill its quadrilateral: rejects an L-shaped or round bright blob whose
# hull happens to simplify to four points.
MIN_FILL = 0.85
# Paper is brighter than what is around it (desk, clothes, a wall in shadow): along most of
# a page's outline the inside is at least MIN_EDGE_STEP grey levels brighter than the
# outside, measured EDGE_OFFSET_PX (work scale) either side of the line, at EDGE_SAMPLES
# points per side. A dark screen or a book cover is not a page; an outline that wanders
# off the page onto a pen or an arm loses support there.
MIN_EDGE_STEP = 10.0
EDGE_OFFSET_PX = 3
EDGE_SAMPLES = 24
MIN_EDGE_SUPPORT = 0.7
# A page running out of the picture has its clipped corners rebuilt only approximately, so
# its outline strays off the paper near them; it needs less support to be reported (as
# CUT_OFF / TOO_CLOSE advice, never for a capture).
MIN_EDGE_SUPPORT_AT_BORDER = 0.5
# Tolerances of the polygon simplification, as parts of the outline's perimeter, tried in
# turn (OpenCV's usual is 2 %): enough to remove the wobble of a JPEG edge, little enough
# to keep a corner clipped by the frame border as an edge of its own.
APPROX_EPSILONS = (0.01, 0.02, 0.035)
# A vertex this close (work-scale pixels) to the frame border lies on it: the page goes on
# outside the picture there.
BORDER_PX = 2.0

# Sharpness is measured on the page scaled to the size a page just large enough to scan
# (READY_MIN_FRACTION of the frame) would have. Then a large page that is a little soft and
# a small page that is crisp read the same, as their scans would, and the figure does not
# depend on how close the page is.
SHARPNESS_REFERENCE_FRACTION = 0.2
# The two smoothings of the re-blur measure (pixels at the reference size): the first
# already removes sensor noise, the second is twice as wide so the ratio is well resolved.
REBLUR_SIGMAS = (1.0, 2.0)
# Edges judged: the strongest 1 % of gradients (ink edges, even on a sparse page), and only
# those steeper than noise ever is after smoothing (σ 8 sensor noise stays under ~5).
EDGE_PERCENTILE = 99.0
MIN_EDGE_GRADIENT = 8.0
MIN_EDGE_PIXELS = 30
# Sharpness reported when the blur is under 1/4 px or cannot be judged (a blank page).
SHARPNESS_CAP = 4.0


@dataclass(frozen=True, slots=True, eq=False)
class PageSighting:
    """One page outline found in one frame.

    `corners` are in the frame's pixel coordinates (float32, 4×2, top-left, top-right,
    bottom-right, bottom-left as seen by the camera). A page that runs out of the picture
    has its hidden corners estimated by extending the visible edges, so they may lie
    outside the frame; `area_fraction` can then exceed what is visible (even be > 1).
    `sharpness` is 1 / the blur of the print in pixels, with the page scaled to a fixed
    reference size (see `page_sharpness`): above 1 for a crisp page, under 0.5 for one
    clearly out of focus, at most SHARPNESS_CAP.
    """

    corners: Corners
    area_fraction: float
    sharpness: float
    frame_size: tuple[int, int]  # (width, height)

    @property
    def diagonal(self) -> float:
        """Mean length of the page's two diagonals, in pixels."""
        c = self.corners
        return float((np.linalg.norm(c[2] - c[0]) + np.linalg.norm(c[3] - c[1])) / 2)

    def margin_to_edge(self) -> float:
        """Smallest distance of a corner to the frame border, as a part of the frame's
        shorter side; negative when a corner lies outside the frame."""
        width, height = self.frame_size
        c = self.corners.astype(np.float64)
        gaps = np.concatenate([c[:, 0], width - 1 - c[:, 0], c[:, 1], height - 1 - c[:, 1]])
        return float(gaps.min() / min(width, height))


def find_page(image: Image) -> PageSighting | None:
    """The largest page-shaped bright quadrilateral in a BGR (or grey) frame, or None."""
    grey = image if image.ndim == 2 else _u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    height, width = grey.shape[:2]
    scale = min(1.0, WORK_WIDTH / width)
    small = _u8(cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)) if scale < 1.0 else grey
    small = _u8(cv2.GaussianBlur(small, (5, 5), 0))
    # The largest page-like outline, discounted where it does not follow a bright edge:
    # of a page and the same page merged with the pen beside it, the page wins.
    best: tuple[float, float, Corners] | None = None
    for quad in _candidate_quads(small):
        support = edge_support(small, quad)
        at_border = _touches_border(quad, small.shape[1], small.shape[0])
        if support < (MIN_EDGE_SUPPORT_AT_BORDER if at_border else MIN_EDGE_SUPPORT):
            continue
        area = abs(float(cv2.contourArea(quad)))
        score = area * support**2
        if best is None or score > best[0]:
            best = (score, area, quad)
    if best is None:
        return None
    corners = (best[2] / scale).astype(np.float32)
    return PageSighting(
        corners=corners,
        area_fraction=best[1] / (scale * scale) / (width * height),
        sharpness=page_sharpness(grey, corners),
        frame_size=(width, height),
    )


def _candidate_quads(small: Image) -> list[Corners]:
    """Quadrilaterals that pass the page tests, from two views of the same picture.

    Edges find a page against a background of similar brightness; Otsu's bright regions
    find one whose outline has a gap (a thumb, a fold) that Canny leaves open.
    """
    height, width = small.shape[:2]
    min_area = MIN_CANDIDATE_FRACTION * width * height
    quads: list[Corners] = []
    for mask, mode in _outline_masks(small):
        contours, _ = cv2.findContours(mask, mode, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            if abs(cv2.contourArea(contour)) < min_area * 0.5:
                continue
            quad = _as_quad(contour, width, height)
            if quad is None or abs(cv2.contourArea(quad)) < min_area:
                continue
            if _looks_like_page(small, contour, quad):
                quads.append(quad)
    return quads


def _u8(array: cv2.typing.MatLike) -> Image:
    return np.asarray(array, dtype=np.uint8)


def _outline_masks(small: Image) -> list[tuple[Image, int]]:
    """Binary images whose contours include the page's outline, with the retrieval mode."""
    median = float(np.median(small))
    edges = cv2.Canny(small, max(10.0, 0.66 * median * 0.5), max(30.0, 1.33 * median * 0.5))
    edges = _u8(cv2.dilate(edges, np.ones((3, 3), np.uint8)))
    # Close the outline of a page that runs out of the picture along the frame border,
    # so it still encloses a region; `_as_quad` then puts the hidden corners back.
    edges[0, :] = edges[-1, :] = edges[:, 0] = edges[:, -1] = 255
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    return [(edges, cv2.RETR_LIST), (_u8(bright), cv2.RETR_EXTERNAL)]


def _as_quad(contour: cv2.typing.MatLike, width: int, height: int) -> Corners | None:
    """The contour's hull simplified to four corners, with corners cut off by the frame
    border put back where the neighbouring edges meet; None if it is no quadrilateral.

    The finest simplification is tried first, so a corner just clipped by the border is
    still seen as a separate short edge and rebuilt, rather than merged into a slanting
    side that cuts across the page.
    """
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for epsilon in APPROX_EPSILONS:
        poly = cv2.approxPolyDP(hull, epsilon * perimeter, True)
        quad = _rebuild_hidden_corners([p.astype(np.float64) for p in poly.reshape(-1, 2)], width, height)
        if quad is not None:
            return quad
    return None


def _rebuild_hidden_corners(points: list[npt.NDArray[np.float64]], width: int, height: int) -> Corners | None:
    while len(points) > 4:
        cut = _border_edge(points, width, height)
        if cut is None:
            return None
        before, after = points[cut - 1], points[(cut + 2) % len(points)]
        hidden = _intersection(before, points[cut], points[(cut + 1) % len(points)], after)
        if hidden is None:
            return None
        points[cut] = hidden
        del points[(cut + 1) % len(points)]
    if len(points) != 4:
        return None
    return order_corners(np.array(points, dtype=np.float32))


def _border_edge(points: list[npt.NDArray[np.float64]], width: int, height: int) -> int | None:
    """Index i of an edge (i, i+1) that runs along one side of the frame."""
    for i, a in enumerate(points):
        b = points[(i + 1) % len(points)]
        for axis, limit in ((0, 0.0), (0, width - 1.0), (1, 0.0), (1, height - 1.0)):
            if abs(a[axis] - limit) <= BORDER_PX and abs(b[axis] - limit) <= BORDER_PX:
                return i
    return None


def _touches_border(quad: Corners, width: int, height: int) -> bool:
    x, y = quad[:, 0], quad[:, 1]
    return bool(
        (x <= BORDER_PX).any()
        or (x >= width - 1 - BORDER_PX).any()
        or (y <= BORDER_PX).any()
        or (y >= height - 1 - BORDER_PX).any()
    )


def _intersection(
    a0: npt.NDArray[np.float64],
    a1: npt.NDArray[np.float64],
    b0: npt.NDArray[np.float64],
    b1: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64] | None:
    """Where the line through a0→a1 meets the line through b0→b1 (in the direction the
    edges run on, past the border), or None for nearly parallel edges."""
    da, db = a1 - a0, b1 - b0
    cross = da[0] * db[1] - da[1] * db[0]
    if abs(cross) < 1e-6 * np.linalg.norm(da) * np.linalg.norm(db) + 1e-9:
        return None
    t = ((b0[0] - a0[0]) * db[1] - (b0[1] - a0[1]) * db[0]) / cross
    meeting = a0 + t * da
    # A corner far outside the frame means the edges barely converge: not a page corner.
    if np.linalg.norm(meeting - a1) > 2 * (np.linalg.norm(da) + np.linalg.norm(db)):
        return None
    return np.asarray(meeting, dtype=np.float64)


def _looks_like_page(small: Image, contour: cv2.typing.MatLike, quad: Corners) -> bool:
    sides = [float(np.linalg.norm(quad[(i + 1) % 4] - quad[i])) for i in range(4)]
    across = (sides[0] + sides[2]) / 2
    down = (sides[1] + sides[3]) / 2
    if min(across, down) < 1 or max(across, down) / min(across, down) > MAX_ASPECT:
        return False
    for i in range(4):
        u = quad[i - 1] - quad[i]
        v = quad[(i + 1) % 4] - quad[i]
        cos = float(np.dot(u, v) / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-9))
        if math.degrees(math.acos(max(-1.0, min(1.0, cos)))) < MIN_CORNER_ANGLE_DEG:
            return False
    visible = _clip_to_frame(quad, small.shape[1], small.shape[0])
    return abs(cv2.contourArea(contour)) >= MIN_FILL * visible


def _clip_to_frame(quad: Corners, width: int, height: int) -> float:
    """Area of the part of the quadrilateral inside the frame."""
    frame = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    area, _ = cv2.intersectConvexConvex(quad, frame)
    return float(area)


def edge_support(small: Image, quad: Corners) -> float:
    """The part of the outline, where the frame shows both sides of it, along which the
    inside is brighter than the outside by MIN_EDGE_STEP: paper against its surroundings.

    An outline that bridges from the page to a pen or a hand lying against it runs over
    background on both sides there, so it scores lower than the page's own outline.
    """
    height, width = small.shape[:2]
    centre = quad.mean(axis=0)
    steps: list[npt.NDArray[np.float32]] = []
    for i in range(4):
        a, b = quad[i], quad[(i + 1) % 4]
        along = b - a
        length = float(np.linalg.norm(along))
        if length < 1:
            continue
        normal = np.array([along[1], -along[0]], np.float32) / length
        if np.dot(normal, (a + b) / 2 - centre) < 0:
            normal = -normal  # point outwards
        t = np.linspace(0.05, 0.95, EDGE_SAMPLES, dtype=np.float32)[:, None]
        points = a + t * along
        inner = np.round(points - EDGE_OFFSET_PX * normal).astype(np.int32)
        outer = np.round(points + EDGE_OFFSET_PX * normal).astype(np.int32)
        seen = (
            (inner[:, 0] >= 0)
            & (inner[:, 0] < width)
            & (inner[:, 1] >= 0)
            & (inner[:, 1] < height)
            & (outer[:, 0] >= 0)
            & (outer[:, 0] < width)
            & (outer[:, 1] >= 0)
            & (outer[:, 1] < height)
        )
        inner, outer = inner[seen], outer[seen]
        steps.append(
            small[inner[:, 1], inner[:, 0]].astype(np.float32) - small[outer[:, 1], outer[:, 0]].astype(np.float32)
        )
    step = np.concatenate(steps) if steps else np.zeros(0, np.float32)
    # Half of one side must be visible at least: a quadrilateral along the frame border
    # (a bright wall filling the picture) is no page outline.
    if step.size < EDGE_SAMPLES // 2 * 3:
        return 0.0
    return float((step >= MIN_EDGE_STEP).mean())


def order_corners(points: npt.ArrayLike) -> Corners:
    """Four points as top-left, top-right, bottom-right, bottom-left.

    Sorted by angle around their centre (clockwise on screen, where y points down), then
    rotated to start at the point nearest the top-left; unlike the usual x+y / y−x trick
    this stays a proper cycle for a page turned up to about 45°.
    """
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    cycle = pts[np.argsort(angles)]
    start = int(np.argmin(cycle.sum(axis=1)))
    return np.roll(cycle, -start, axis=0).astype(np.float32)


def reference_view(grey: Image, corners: Corners) -> Image:
    """The page's inside, flattened at the size a page of SHARPNESS_REFERENCE_FRACTION of
    this frame would have (never enlarged), without its rim."""
    height, width = grey.shape[:2]
    ordered = order_corners(corners)
    across = float(np.linalg.norm(ordered[1] - ordered[0]) + np.linalg.norm(ordered[2] - ordered[3])) / 2
    down = float(np.linalg.norm(ordered[3] - ordered[0]) + np.linalg.norm(ordered[2] - ordered[1])) / 2
    shrink = min(1.0, math.sqrt(SHARPNESS_REFERENCE_FRACTION * width * height / max(1.0, across * down)))
    # Work on the page's bounding box only; shrink it with area averaging first, so the
    # warp does not alias fine print into false detail.
    x0, y0 = np.clip(np.floor(ordered.min(axis=0)), 0, [width - 1, height - 1]).astype(int)
    x1, y1 = np.clip(np.ceil(ordered.max(axis=0)) + 1, 1, [width, height]).astype(int)
    source = grey[y0:y1, x0:x1]
    ordered = (ordered - np.array([x0, y0], np.float32)) * np.float32(shrink)
    if shrink < 1.0:
        source = _u8(cv2.resize(source, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA))
    out_w, out_h = max(16, round(across * shrink)), max(16, round(down * shrink))
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(ordered, target)
    page = cv2.warpPerspective(source, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    # Leave out the rim: the page's own edge (and the desk beyond a slightly-off corner)
    # is a strong edge that says nothing about the print on the page.
    mx, my = out_w // 12, out_h // 12
    return np.asarray(page[my : out_h - my, mx : out_w - mx], dtype=np.uint8)


def page_sharpness(grey: Image, corners: Corners) -> float:
    """How crisp the print on the page is: 1 / the blur (Gaussian sigma, in pixels) of its
    edges, measured on the page at the reference size (see `reference_view`).

    The blur is found by blurring again: at the page's strongest edges, the gradient of
    the picture smoothed by s1 and by s2 relates as sqrt(σ² + s1²) / sqrt(σ² + s2²) for
    an edge of blur σ, whatever the ink's contrast or the light, so the ratio gives σ.
    Smoothing first also keeps sensor noise out of the figure. A page with no edges to
    judge (blank, or nothing but noise) scores SHARPNESS_CAP, as does a perfectly crisp one.
    """
    inner = reference_view(grey, corners).astype(np.float32)
    fine = _gradient(inner, REBLUR_SIGMAS[0])
    coarse = _gradient(inner, REBLUR_SIGMAS[1])
    strongest = fine >= max(float(np.percentile(fine, EDGE_PERCENTILE)), MIN_EDGE_GRADIENT)
    if int(strongest.sum()) < MIN_EDGE_PIXELS:
        return SHARPNESS_CAP
    s1, s2 = REBLUR_SIGMAS
    ratio = float(np.median(coarse[strongest] / fine[strongest]))
    ratio = min(max(ratio, s1 / s2), 0.999)
    blur = math.sqrt(max(0.0, (ratio * ratio * s2 * s2 - s1 * s1) / (1.0 - ratio * ratio)))
    return min(SHARPNESS_CAP, 1.0 / max(blur, 1e-6))


def _gradient(image: npt.NDArray[np.float32], sigma: float) -> npt.NDArray[np.float32]:
    """Gradient magnitude (grey levels per pixel) of the image smoothed by `sigma`."""
    smooth = cv2.GaussianBlur(image, (0, 0), sigma)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1)
    return np.asarray(cv2.magnitude(gx, gy), dtype=np.float32) / 8.0  # Sobel's 3×3 kernel sums to 8


# -- Guiding the citizen -------------------------------------------------------------------


class Guidance(StrEnum):
    """What the kiosk tells the citizen about this frame (the UI words and speaks it)."""

    NO_PAGE = "no_page"  # "Hold your page in front of the camera."
    TOO_SMALL = "too_small"  # "Hold it closer."
    TOO_CLOSE = "too_close"  # "Hold it a bit further away." (the page overflows the picture)
    CUT_OFF = "cut_off"  # "Hold it a bit further away." (a corner is outside; off-centre)
    HOLD_STILL = "hold_still"  # "Hold it still."
    TOO_BLURRY = "too_blurry"  # "Hold it still / a bit further away; the picture is not sharp."
    READY = "ready"  # "Good, keep it there…" (steady and sharp, not yet long enough)
    CAPTURE = "capture"  # Take this frame now; returned once per page.
    TAKE_AWAY = "take_away"  # "Got it. Take the page away (or show the next one)."


# A page must fill this part of the frame to be read: A4 portrait held across the full
# height of a 16:9 frame is about 0.40, so 0.20 is a page about 70 % of the frame's height,
# the least that keeps body text legible from a 720p camera.
READY_MIN_FRACTION = 0.20
# A corner nearer than this to the frame border (part of the shorter side) counts as
# outside: the outline is unreliable there and the edge of the page would be lost.
EDGE_MARGIN = 0.015
# A corner outside the frame while the page spans this much of the frame's width or height
# means it is too close, not merely off-centre.
OVERFLOW_SPAN = 0.9
# Steadiness: the corners may wander by this part of the page's diagonal within the
# window. 3 % is hand tremor on a held page; a page being moved into place goes further.
STEADY_WINDOW = 0.5
MAX_MOVEMENT = 0.03
# Sharpness (see `page_sharpness`) below this, an edge blur over 2 px at the reference
# size (about 1 mm on A4 from a 720p camera), makes body text unreadable. Kept lenient on
# purpose: a citizen stuck on "not sharp" with a good-enough picture is worse than a
# slightly soft scan, and real webcams are never as crisp as synthetic frames.
MIN_SHARPNESS = 0.5
# Everything must be right for this long before the capture: long enough that the citizen
# has stopped adjusting, short enough that their arms do not tire.
READY_SECONDS = 0.4
# Detection may miss a frame now and then (a reflection, a finger): a gap this short does
# not count as the page being gone, for the advice or for re-arming after a capture.
DROPOUT_SECONDS = 0.3
# After a capture, the page must be gone this long before the next page can be captured,
# so one page held a little longer is not captured twice.
AWAY_SECONDS = 0.5


class PageGuide:
    """Turns one sighting per frame into advice, and a single CAPTURE per page.

    Time comes from the frames' timestamps (seconds, monotonic), so tests move time by
    giving later timestamps. `reset()` forgets everything (a new page, a new session).
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._history: deque[tuple[float, Corners]] = deque()
        self._ready_since: float | None = None
        self._last_seen: float | None = None
        self._last_advice = Guidance.NO_PAGE
        self._captured = False
        self._progress = 0.0

    @property
    def ready_progress(self) -> float:
        """0..1 of the READY hold done at the last update (for a progress ring)."""
        return self._progress

    def update(self, sighting: PageSighting | None, timestamp: float) -> Guidance:
        self._progress = 0.0
        if sighting is None:
            return self._missing(timestamp)
        self._last_seen = timestamp
        if self._captured:
            return Guidance.TAKE_AWAY
        self._history.append((timestamp, sighting.corners))
        while self._history and self._history[0][0] < timestamp - STEADY_WINDOW:
            self._history.popleft()
        advice = self._judge(sighting)
        if advice is not Guidance.READY:
            self._ready_since = None
        else:
            if self._ready_since is None:
                self._ready_since = timestamp
            held = timestamp - self._ready_since
            self._progress = min(1.0, held / READY_SECONDS)
            if held >= READY_SECONDS:
                self._captured = True
                self._history.clear()
                advice = Guidance.CAPTURE
        self._last_advice = advice
        return advice

    def _missing(self, timestamp: float) -> Guidance:
        gone_for = math.inf if self._last_seen is None else timestamp - self._last_seen
        if self._captured:
            if gone_for >= AWAY_SECONDS:
                self._captured = False
                self._last_seen = None
                return Guidance.NO_PAGE
            return Guidance.TAKE_AWAY if gone_for < DROPOUT_SECONDS else Guidance.NO_PAGE
        if gone_for < DROPOUT_SECONDS:
            # Keep saying what we said; the hold timer keeps running, but a capture
            # only ever happens on a frame that shows the page.
            return self._last_advice
        self._history.clear()
        self._ready_since = None
        self._last_advice = Guidance.NO_PAGE
        return Guidance.NO_PAGE

    def _judge(self, sighting: PageSighting) -> Guidance:
        if sighting.margin_to_edge() < EDGE_MARGIN:
            width, height = sighting.frame_size
            span = sighting.corners.max(axis=0) - sighting.corners.min(axis=0)
            if span[0] >= OVERFLOW_SPAN * width or span[1] >= OVERFLOW_SPAN * height:
                return Guidance.TOO_CLOSE
            return Guidance.CUT_OFF
        if sighting.area_fraction < READY_MIN_FRACTION:
            return Guidance.TOO_SMALL
        if self._movement(sighting) > MAX_MOVEMENT:
            return Guidance.HOLD_STILL
        if sighting.sharpness < MIN_SHARPNESS:
            return Guidance.TOO_BLURRY
        return Guidance.READY

    def _movement(self, sighting: PageSighting) -> float:
        """Largest corner displacement within the window, as a part of the diagonal."""
        now = sighting.corners
        moved = max((float(np.linalg.norm(now - then, axis=1).max()) for _, then in self._history), default=0.0)
        return moved / max(1.0, sighting.diagonal)
