"""Reading the QR code on an appointment letter or a phone screen from a camera frame.

zxing-cpp reads a clear frame in a few milliseconds, and most hard ones too. What it
misses is mostly blurred (a hand moving, a camera focused on the counter), small or
noisy; for those the decoder works on the region where a code seems to be (zxing's own
near-misses, else a texture locator) and climbs a short ladder of fixes, stopping at the
first read or when the frame's time budget is spent: an unread frame is simply dropped,
the next one arrives a fifteenth of a second later. The steps and their order come from
measurements on synthetic camera frames (benchmarks/camera.py); the most useful one is
undoing the blur, with a Wiener filter whose kernel is estimated from the code's edges.

`scan` gives both what the kiosk needs per frame: the result, if any, and a sighting
that answers "is there a code, and why can it not be read yet?" for the screen's
guidance: how many pixels a module has (hold it closer) and how far its edges are
smeared (hold still). `decode` and `find` are its two halves.

One QrDecoder per thread: the OpenCV detectors inside it are not thread-safe.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, cast
from urllib.parse import parse_qsl, unquote, urlsplit

import cv2
import numpy as np
import zxingcpp

from kiosk.appointments import CODE_PATTERN, normalise_code

if TYPE_CHECKING:
    import numpy.typing as npt

    Image = npt.NDArray[np.uint8]
    Corners = npt.NDArray[np.float32]  # 4×2: x, y of the code's corners in the frame
    _ToFrame = Callable[[Corners], Corners]  # from a step's working image back to the frame

MAX_PAYLOAD_CHARS = 4096
# Leaves room under 100 ms per frame for the colour conversion and one step overrunning its estimate.
FRAME_BUDGET_S = 0.060
# Guidance thresholds (benchmarks/camera.py): the ladder reads sharp modules down to about
# 1.5 px; frames it cannot read have edges smeared over 1.2–2 modules, while a sharp edge
# measures 2–3 px.
CLOSER_BELOW_MODULE_PX = 2.0
STILL_ABOVE_BLUR_MODULES = 1.2
STILL_ABOVE_BLUR_PX = 4.0

# Micro QR and rMQR are included in QRCode. Passed as the enum value, not kept as a module-level
# BarcodeFormats object: nanobind reports such an object alive at exit as a leak on stderr.
_QR = zxingcpp.BarcodeFormat.QRCode
_NOT_FULL_SIZE = (zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode)
_URL_SCHEMES = ("http", "https")
_TYPICAL_MODULES = 29  # a version-3 code, an appointment link's usual size, when nothing better is known
# Starting cost estimates in seconds per megapixel, so a step never run before still
# respects the budget; measured values replace them as frames go by.
_PRIOR_COST = {"opencv-aruco": 0.08, "opencv": 0.4, "deblur": 0.1}
_PRIOR_COST_OTHERS = 0.02  # a zxing-cpp pass: 5–20 ms for a 1280×720 frame


@dataclass(frozen=True, slots=True, eq=False)
class QrResult:
    """A read code. `payload` is the text as encoded (bytes that are not UTF-8 come through
    as Latin-1 characters); longer than MAX_PAYLOAD_CHARS it is cut there and `truncated` set."""

    payload: str
    corners: Corners
    strategy: str
    truncated: bool = False


class SightingHint(StrEnum):
    READABLE = "readable"  # large and sharp enough: keep it there a moment
    CLOSER = "closer"  # modules too small to read
    HOLD_STILL = "hold_still"  # edges smeared by motion or focus


@dataclass(frozen=True, slots=True, eq=False)
class QrSighting:
    """Where a code is, read or not, with what the UI needs to help the citizen."""

    corners: Corners
    module_px: float  # estimated side of one module, in frame pixels
    blur_px: float  # estimated length of the smear on the code's edges, in frame pixels (1–2 when sharp)

    @property
    def hint(self) -> SightingHint:
        if self.module_px < CLOSER_BELOW_MODULE_PX:
            return SightingHint.CLOSER
        if self.blur_px > max(STILL_ABOVE_BLUR_PX, STILL_ABOVE_BLUR_MODULES * self.module_px):
            return SightingHint.HOLD_STILL
        return SightingHint.READABLE


@dataclass(frozen=True, slots=True, eq=False)
class QrScan:
    result: QrResult | None
    sighting: QrSighting | None
    seconds: float
    tried: tuple[str, ...]  # the steps run, in order, for the benchmark and logs


def appointment_code(payload: str) -> str | None:
    """The appointment code a scanned payload carries, or None if it carries none.

    The payload itself when it is a code ("K7Q2-9XZD"), else from a web address: its
    `?code=` parameter or its last path segment (letters link to a confirmation page).
    """
    if len(payload) > 2048:  # no address a municipality prints is this long
        return None
    text = payload.strip()
    code = normalise_code(text)
    if CODE_PATTERN.match(code):
        return code
    try:
        url = urlsplit(text)
    except ValueError:  # e.g. an unbalanced "[" where a host should be
        return None
    if url.scheme.lower() not in _URL_SCHEMES or not url.netloc:
        return None
    candidates = [value for key, value in parse_qsl(url.query) if key.lower() == "code"]
    segments = [segment for segment in url.path.split("/") if segment]
    if segments:
        candidates.append(unquote(segments[-1]))
    for candidate in candidates:
        code = normalise_code(candidate)
        if CODE_PATTERN.match(code):
            return code
    return None


@dataclass(slots=True)
class _Region:
    quad: Corners
    module_px: float | None = None  # known when zxing read the code's version
    found_by_zxing: bool = True  # zxing saw its finder patterns; else the texture locator did
    _blur: tuple[float, float, float] | None = None
    _sure: bool | None = None

    def blur(self, grey: Image) -> tuple[float, float, float]:
        """The longest smear of the code's edges, its direction, and the shortest smear."""
        if self._blur is None:
            self._blur = _smear(_crop(grey, self.quad)[0])
        return self._blur

    def sure(self, grey: Image) -> bool:
        """Surely a code, so worth guidance, rather than only worth a try: zxing saw its
        finder patterns, or its edges run every way, as modules' do (a block of text's run
        along the lines), once motion blur is undone."""
        if self._sure is None:
            self._sure = self.found_by_zxing
            if not self._sure:
                crop, origin = _crop(grey, self.quad)
                local = (self.quad - np.array(origin, np.float32)).astype(np.float32)
                self._sure = _coherence(crop, local) <= _SURE_COHERENCE
                kernels = _deblur_kernels(*self.blur(grey))
                if not self._sure and kernels and kernels[0][2] == "motion":
                    sharp = _wiener(crop, kernels[0][0], kernels[0][1])
                    self._sure = _coherence(sharp, local) <= _SURE_COHERENCE
        return self._sure


@dataclass(slots=True)
class _Work:
    """One frame's decoding state."""

    grey: Image
    deadline: float
    tried: list[str] = field(default_factory=list)
    near: list[_Region] = field(default_factory=list)
    regions: list[_Region] | None = None
    read_module_px: float | None = None


class QrDecoder:
    def __init__(
        self,
        budget_s: float = FRAME_BUDGET_S,
        steps: Sequence[str] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        """`steps` names the REGION_STEPS to try after zxing-cpp's own pass, in order;
        the benchmark passes others to measure what each step adds."""
        self.budget_s = budget_s
        self._steps = [REGION_STEPS[name] for name in (DEFAULT_STEPS if steps is None else steps)]
        self._clock = clock
        self._aruco = cv2.QRCodeDetectorAruco()
        self._opencv = cv2.QRCodeDetector()
        self._cost: dict[str, float] = dict(_PRIOR_COST)  # seconds per megapixel, per step

    # -- public ----------------------------------------------------------------------

    def decode(self, image: Image) -> QrResult | None:
        """The code in a BGR (or grey) frame, or None when none can be read in the budget."""
        return self.scan(image).result

    def find(self, image: Image) -> QrSighting | None:
        """Where a code is, even when it cannot be read yet, and how to make it readable.

        The same work as `decode` (the ladder's near-misses are the best evidence of a
        code's size), so call `scan` to have both."""
        return self.scan(image).sighting

    def scan(self, image: Image) -> QrScan:
        """Decode, and say where the code is either way: what the kiosk calls per frame."""
        started = self._clock()
        work = self._start(image)
        result = self._decode(work)
        sighting = self._sighting(work, result)
        return QrScan(result, sighting, self._clock() - started, tuple(work.tried))

    # -- the ladder ------------------------------------------------------------------

    def _start(self, image: Image) -> _Work:
        started = self._clock()
        if image.ndim == 3 and image.shape[2] == 3 and image.shape[0] and image.shape[1]:
            grey = cast("Image", cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
        elif image.ndim == 2 and image.size:
            grey = np.ascontiguousarray(image, dtype=np.uint8)
        else:
            raise ValueError(f"expected an H×W×3 BGR or H×W grey image, got shape {image.shape}")
        return _Work(grey, started + self.budget_s)

    def _decode(self, work: _Work) -> QrResult | None:
        found = self._zxing(work, "zxing", work.grey)
        if found:
            return found
        for region in self._regions(work):
            for step in self._steps:
                found = step(self, work, region)
                if found:
                    return found
        return None

    def _affordable(self, work: _Work, name: str, pixels: int) -> bool:
        rate = self._cost.get(name, _PRIOR_COST_OTHERS)
        return self._clock() + rate * pixels / 1e6 <= work.deadline

    def _timed(self, name: str, pixels: int, started: float) -> None:
        spent = (self._clock() - started) / max(pixels, 1) * 1e6
        old = self._cost.get(name)
        self._cost[name] = spent if old is None else 0.8 * old + 0.2 * spent

    def _zxing(
        self,
        work: _Work,
        name: str,
        image: Image,
        to_frame: _ToFrame | None = None,
        downscale: bool = True,
        binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage,
    ) -> QrResult | None:
        pixels = int(image.size)
        if work.tried and not self._affordable(work, name, pixels):
            return None
        started = self._clock()
        work.tried.append(name)
        barcodes = zxingcpp.read_barcodes(
            image,
            formats=zxingcpp.BarcodeFormats(_QR),
            text_mode=zxingcpp.TextMode.Plain,
            binarizer=binarizer,
            try_downscale=downscale,
            return_errors=True,
        )
        self._timed(name, pixels, started)
        for barcode in barcodes:
            p = barcode.position
            quad = np.array([(q.x, q.y) for q in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)], np.float32)
            if to_frame is not None:
                quad = to_frame(quad)
            module_px = _module_px(quad, barcode.extra)
            if barcode.valid:
                work.read_module_px = module_px
                return _result(barcode.text or barcode.bytes.decode("latin-1"), quad, name)
            if barcode.format not in _NOT_FULL_SIZE and _side(quad) >= 12:
                work.near.append(_Region(quad, module_px))
        return None

    def _opencv_step(self, work: _Work, name: str, image: Image, to_frame: _ToFrame) -> QrResult | None:
        pixels = int(image.size)
        if not self._affordable(work, name, pixels):
            return None
        detector = self._aruco if name == "opencv-aruco" else self._opencv
        started = self._clock()
        work.tried.append(name)
        try:
            text, points, _ = detector.detectAndDecode(image)
        except cv2.error:  # a degenerate quad inside OpenCV; the frame is just not read
            text, points = "", None
        self._timed(name, pixels, started)
        if not text or points is None:
            return None
        return _result(text, to_frame(np.asarray(points, np.float32).reshape(-1, 2)[:4]), name)

    def _regions(self, work: _Work) -> list[_Region]:
        """Where to look harder: zxing's near-misses first, then what the locator sees."""
        if work.regions is None:
            regions: list[_Region] = []
            located = [_Region(quad, found_by_zxing=False) for quad in _locate(work.grey)]
            for candidate in [*work.near, *located]:
                if not any(_overlaps(candidate.quad, r.quad) for r in regions):
                    regions.append(candidate)
            work.regions = regions[:3]
        return work.regions

    def _sighting(self, work: _Work, result: QrResult | None) -> QrSighting | None:
        if result is not None:
            region: _Region | None = _Region(result.corners, work.read_module_px)
        else:
            # Near-misses found by the ladder's steps count too: a deblurred code often
            # shows its finder patterns, and so its version, without being readable.
            region = next((r for r in [*work.near, *self._regions(work)] if r.sure(work.grey)), None)
        if region is None:
            return None
        longest, _, _ = region.blur(work.grey)
        module = region.module_px or _module_by_transitions(work.grey, region.quad, longest)
        return QrSighting(region.quad, module, longest)


# -- the steps on a region, in order ---------------------------------------------------------


def _shifted(origin: tuple[float, float], scale: float = 1.0) -> _ToFrame:
    offset = np.array(origin, np.float32)
    return lambda quad: (quad / scale + offset).astype(np.float32)


def _crop(grey: Image, quad: Corners) -> tuple[Image, tuple[float, float]]:
    margin = max(12.0, 0.2 * _side(quad))
    x0, y0 = np.floor(quad.min(axis=0) - margin).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0) + margin).astype(int)
    height, width = grey.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    return grey[y0:y1, x0:x1], (float(x0), float(y0))


def _upscaled(work: _Work, region: _Region) -> tuple[Image, tuple[float, float], float]:
    """The region, doubled when its modules are small: zxing samples 2 px modules badly."""
    crop, origin = _crop(work.grey, region.quad)
    module = region.module_px or _side(region.quad) / _TYPICAL_MODULES
    if module >= 4:
        return crop, origin, 1.0
    return cast("Image", cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)), origin, 2.0


def _step_deblur(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    """Undo motion blur or defocus with a Wiener filter, the kernel estimated from the edges."""
    kernels = _deblur_kernels(*region.blur(work.grey))
    crop, origin = _crop(work.grey, region.quad)
    for kernel, noise_to_signal, _ in kernels:
        if not decoder._affordable(work, "deblur", crop.size):
            return None
        started = decoder._clock()
        sharp = _wiener(crop, kernel, noise_to_signal)
        decoder._timed("deblur", crop.size, started)
        found = decoder._zxing(work, "deblur-read", sharp, _shifted(origin))
        if found:
            return QrResult(found.payload, found.corners, "deblur", found.truncated)
    return None


def _deblur_kernels(longest: float, angle: float, shortest: float) -> list[tuple[npt.NDArray[np.float32], float, str]]:
    """Wiener kernels (with noise-to-signal ratios) to try, most likely first; none when sharp.

    The estimate falls short of a motion smear's length by a fifth to a half (the ends of
    a smeared edge are shallow) and matches defocus at 2.7 σ; two guesses cover most frames.
    """
    if longest < 3.0:
        return []
    if longest > 1.6 * shortest:  # smeared one way: motion
        return [(_line_kernel(max(2, round(f * longest)), angle), 0.01, "motion") for f in (1.35, 1.1)]
    defocus = _gaussian_kernel(longest / 2.7)  # smeared every way: out of focus
    return [(defocus, 0.01, "defocus"), (defocus, 0.003, "defocus")]


def _step_unwarp(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    """A strongly tilted code squeezes its modules one way: warp its outline to a square."""
    quad = _clockwise(region.quad)
    centre = quad.mean(axis=0)
    grown = (centre + (quad - centre) * 1.15).astype(np.float32)  # the quiet zone, and some slack
    size = int(min(1.5 * float(np.max(np.linalg.norm(grown - np.roll(grown, 1, axis=0), axis=1))), 900))
    if size < 40:
        return None
    square = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32)
    matrix = cv2.getPerspectiveTransform(grown, square)
    flat = cv2.warpPerspective(work.grey, matrix, (size, size), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    inverse = np.linalg.inv(matrix)
    return decoder._zxing(
        work,
        "unwarp",
        cast("Image", flat),
        lambda q: cv2.perspectiveTransform(q.reshape(-1, 1, 2), inverse).reshape(4, 2).astype(np.float32),
    )


def _step_upscale(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    if scale == 1.0:
        return None
    return decoder._zxing(work, "upscale", crop, _shifted(origin, scale), downscale=False)


def _step_unsharp(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    sigma = 1.5 * scale * max(1.0, (region.module_px or 2.0) / 2)
    soft = cv2.GaussianBlur(crop, (0, 0), sigma)
    return decoder._zxing(
        work,
        "unsharp",
        cast("Image", cv2.addWeighted(crop, 2.5, soft, -1.5, 0)),
        _shifted(origin, scale),
        downscale=scale == 1.0,
    )


def _step_clahe(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    clahe = cv2.createCLAHE(clipLimit=3.0, tileGridSize=(4, 4))
    return decoder._zxing(
        work, "clahe", cast("Image", clahe.apply(crop)), _shifted(origin, scale), downscale=scale == 1.0
    )


def _step_denoise(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    smooth = cast("Image", cv2.GaussianBlur(crop, (0, 0), 0.6 * scale))
    return decoder._zxing(work, "denoise", smooth, _shifted(origin, scale), downscale=scale == 1.0)


def _step_adaptive(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    block = max(15, int(8 * scale * (region.module_px or 3.0)) | 1)
    binary = cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 2)
    return decoder._zxing(work, "adaptive", cast("Image", binary), _shifted(origin, scale), downscale=scale == 1.0)


def _step_fixed_threshold(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    """zxing-cpp with one threshold for the whole region instead of its local average."""
    crop, origin = _crop(work.grey, region.quad)
    return decoder._zxing(work, "fixed-threshold", crop, _shifted(origin), binarizer=zxingcpp.Binarizer.FixedThreshold)


def _step_global_histogram(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin = _crop(work.grey, region.quad)
    return decoder._zxing(
        work, "global-histogram", crop, _shifted(origin), binarizer=zxingcpp.Binarizer.GlobalHistogram
    )


def _step_aruco(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    return decoder._opencv_step(work, "opencv-aruco", crop, _shifted(origin, scale))


def _step_opencv(decoder: QrDecoder, work: _Work, region: _Region) -> QrResult | None:
    crop, origin, scale = _upscaled(work, region)
    return decoder._opencv_step(work, "opencv", crop, _shifted(origin, scale))


_Step = Callable[[QrDecoder, _Work, _Region], "QrResult | None"]
REGION_STEPS: dict[str, _Step] = {
    "deblur": _step_deblur,
    "unwarp": _step_unwarp,
    "upscale": _step_upscale,
    "unsharp": _step_unsharp,
    "clahe": _step_clahe,
    "denoise": _step_denoise,
    "adaptive": _step_adaptive,
    "fixed-threshold": _step_fixed_threshold,
    "global-histogram": _step_global_histogram,
    "opencv-aruco": _step_aruco,
    "opencv": _step_opencv,
}
# The default ladder, from what each step reads that zxing-cpp's pass and the steps
# before it do not (benchmarks/camera.py): deblur by far the most; a fixed threshold
# (cheap, so first), unwarp for tilts past 45°, unsharp for modules under 1.5 px,
# denoise and OpenCV's Aruco-based detector a frame now and then. upscale, clahe,
# adaptive, global-histogram and plain OpenCV read nothing this ladder misses, so they
# are left out (and kept for the benchmark to keep asking).
DEFAULT_STEPS = ("fixed-threshold", "deblur", "unwarp", "unsharp", "denoise", "opencv-aruco")


# -- blur: estimate and undo ---------------------------------------------------------------

_ANGLES = tuple(math.radians(a) for a in range(0, 180, 15))


def _smear(crop: Image) -> tuple[float, float, float]:
    """How far edges are smeared: (longest, its direction in radians, shortest), in pixels.

    An edge of contrast C smeared over L pixels rises at most C/L per pixel, so the
    contrast over the steepest slopes (99th percentile) in each direction is that
    direction's smear; motion blur smears one direction only, defocus all of them.
    """
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return 0.0, 0.0, 0.0
    values = crop.astype(np.float32)
    low, high = np.percentile(values, (5, 95))
    contrast = float(high - low)
    if contrast < 8:
        return 0.0, 0.0, 0.0
    step = max(1, math.isqrt(crop.size // 20_000))  # 20,000 samples pin the 99th percentile down
    gx = cv2.Sobel(values, cv2.CV_32F, 1, 0, ksize=3)[::step, ::step] / 8
    gy = cv2.Sobel(values, cv2.CV_32F, 0, 1, ksize=3)[::step, ::step] / 8
    widths = []
    for angle in _ANGLES:
        slope = np.abs(gx * math.cos(angle) + gy * math.sin(angle)).ravel()
        k = int(0.99 * (slope.size - 1))
        widths.append(contrast / max(float(np.partition(slope, k)[k]), 1e-3))
    longest = int(np.argmax(widths))
    return widths[longest], _ANGLES[longest], min(widths)


def _line_kernel(length: int, angle: float) -> npt.NDArray[np.float32]:
    kernel = np.zeros((length, length), np.float32)
    centre = (length - 1) / 2
    dx, dy = math.cos(angle) * centre, math.sin(angle) * centre
    start = (round(centre - dx), round(centre - dy))
    end = (round(centre + dx), round(centre + dy))
    cv2.line(kernel, start, end, 1.0, thickness=1)
    return kernel / max(float(kernel.sum()), 1e-6)


def _gaussian_kernel(sigma: float) -> npt.NDArray[np.float32]:
    radius = int(3 * sigma) + 1
    column = cv2.getGaussianKernel(2 * radius + 1, sigma)
    return (column @ column.T).astype(np.float32)


def _wiener(image: Image, kernel: npt.NDArray[np.float32], noise_to_signal: float) -> Image:
    height, width = image.shape[:2]
    rows, cols = cv2.getOptimalDFTSize(height), cv2.getOptimalDFTSize(width)
    padded = cv2.copyMakeBorder(image, 0, rows - height, 0, cols - width, cv2.BORDER_REFLECT)
    spread = np.zeros((rows, cols), np.float32)
    kh, kw = kernel.shape
    spread[:kh, :kw] = kernel
    spread = np.roll(spread, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    picture = np.fft.rfft2(padded.astype(np.float32))
    blur = np.fft.rfft2(spread)
    restored = np.fft.irfft2(picture * np.conj(blur) / (np.abs(blur) ** 2 + noise_to_signal), s=(rows, cols))
    return np.ascontiguousarray(np.clip(restored[:height, :width], 0, 255).astype(np.uint8))


# -- geometry and estimates ------------------------------------------------------------------


def _result(text: str, quad: Corners, strategy: str) -> QrResult:
    return QrResult(text[:MAX_PAYLOAD_CHARS], quad, strategy, len(text) > MAX_PAYLOAD_CHARS)


def _side(quad: Corners) -> float:
    return float(np.mean(np.linalg.norm(quad - np.roll(quad, 1, axis=0), axis=1)))


def _module_px(quad: Corners, extra: object) -> float | None:
    """Side of a module from zxing's reported version: a version-v code has 17 + 4v modules."""
    version = extra.get("Version") if isinstance(extra, dict) else None
    if not isinstance(version, str) or not version.isdigit():
        return None
    return _side(quad) / (17 + 4 * int(version))


def _overlaps(a: Corners, b: Corners) -> bool:
    centre = a.mean(axis=0)
    return bool(cv2.pointPolygonTest(b.reshape(-1, 1, 2), (float(centre[0]), float(centre[1])), False) >= 0)


_LOCATOR_SCALE = 0.5


def _locate(grey: Image) -> list[Corners]:
    """Compact patches dense with edges in both directions, as a QR code's modules are;
    largest first, each as its four-cornered outline (so a tilted code can be unwarped)."""
    small = cv2.resize(grey, None, fx=_LOCATOR_SCALE, fy=_LOCATOR_SCALE, interpolation=cv2.INTER_AREA)
    ax = cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 1, 0, ksize=3))
    ay = cv2.convertScaleAbs(cv2.Sobel(small, cv2.CV_16S, 0, 1, ksize=3))
    both = cv2.min(cv2.blur(ax, (9, 9)), cv2.blur(ay, (9, 9)))
    otsu, _ = cv2.threshold(both, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    _, mask = cv2.threshold(both, max(otsu, 24.0), 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    found: list[tuple[float, Corners]] = []
    for contour in contours:
        hull = cast("npt.NDArray[np.int32]", cv2.convexHull(contour))
        area = cv2.contourArea(hull)
        if area < 120:
            continue
        (cx, cy), (w, h), angle = cv2.minAreaRect(hull)
        if min(w, h) < 10 or max(w, h) > 3 * min(w, h) or area < 0.6 * w * h:
            continue
        outline = _four_corners(hull)
        corners = cv2.boxPoints(((cx, cy), (w, h), angle)) if outline is None else outline
        quad = _clockwise((np.asarray(corners, np.float32).reshape(4, 2) / _LOCATOR_SCALE).astype(np.float32))
        if _blockiness(grey, quad) <= _MAX_BLOCKINESS:
            found.append((area, quad))
    found.sort(key=lambda item: -item[0])
    return [quad for _, quad in found[:3]]


def _four_corners(hull: npt.NDArray[np.int32]) -> npt.NDArray[np.int32] | None:
    perimeter = cv2.arcLength(hull, True)
    for tolerance in (0.02, 0.04, 0.06, 0.08):
        polygon = cv2.approxPolyDP(hull, tolerance * perimeter, True)
        if len(polygon) == 4:
            return cast("npt.NDArray[np.int32]", polygon)
    return None


def _warped(grey: Image, quad: Corners, size: int) -> Image:
    square = np.array([[0, 0], [size, 0], [size, size], [0, size]], np.float32)
    matrix = cv2.getPerspectiveTransform(_clockwise(quad), square)
    return cast("Image", cv2.warpPerspective(grey, matrix, (size, size), flags=cv2.INTER_AREA))


def _clockwise(quad: Corners) -> Corners:
    centre = quad.mean(axis=0)
    ordered = quad[np.argsort(np.arctan2(quad[:, 1] - centre[1], quad[:, 0] - centre[0]))]
    return np.roll(ordered, -int(np.argmin(ordered.sum(axis=1))), axis=0).astype(np.float32)


# How much longer dark and light runs are one way than the other: about 1 for a QR code's
# modules, up to 2 when smeared by motion, 2–5 for a page of text (measured on scenes).
_MAX_BLOCKINESS = 3.0
# Coherence of the edges' directions: up to 0.1 for a code seen straight, 0.45 tilted,
# 0.58–0.86 for lines of text (0 is every way alike, 1 is all one way).
_SURE_COHERENCE = 0.5


def _blockiness(grey: Image, quad: Corners) -> float:
    """Black on white, about half dark, and the ratio of run lengths both ways, or infinity
    when the patch is no code at all (a desk's grain lacks the contrast; text the dark)."""
    if _side(quad) < 48:  # smaller codes are found by zxing's finder patterns, if at all
        return math.inf
    patch = _warped(grey, quad, 96)[10:-10, 10:-10]
    low, high = np.percentile(patch, (5, 95))
    if high - low < 60:
        return math.inf
    binary = cast("Image", cv2.threshold(patch, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1])
    if not 0.25 <= 1.0 - float(np.mean(binary)) <= 0.75:
        return math.inf
    along, across = _mean_run(binary), _mean_run(binary.T)
    return max(along, across) / min(along, across)


def _coherence(crop: Image, quad: Corners) -> float:
    """How much the edges inside `quad` (crop coordinates) share one direction, 0..1: from
    the eigenvalues of the gradients' structure tensor."""
    values = crop.astype(np.float32)
    gx = cv2.Sobel(values, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(values, cv2.CV_32F, 0, 1, ksize=3)
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillConvexPoly(mask, np.round(quad).astype(np.int32), 1)
    inside = mask.astype(bool)
    if not inside.any():
        return 1.0
    xx, yy, xy = (float(np.mean(p[inside])) for p in (gx * gx, gy * gy, gx * gy))
    spread = math.hypot(xx - yy, 2 * xy)
    return spread / max(xx + yy, 1e-6)


def _mean_run(binary: Image) -> float:
    changes = int(np.count_nonzero(np.diff(binary.astype(np.int8), axis=1)))
    return float(binary.size / (changes + binary.shape[0]))


def _module_by_transitions(grey: Image, quad: Corners, smear: float) -> float:
    """Module side when zxing could not read the version: from how often rows and columns
    change between dark and light (about every second module boundary in QR data). Blur
    hides changes, so then a typical appointment code's size is assumed instead."""
    side = _side(quad)
    typical = side / _TYPICAL_MODULES
    if smear > typical:
        return typical
    size = int(min(max(side, 32), 480))
    _, binary = cv2.threshold(_warped(grey, quad, size), 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    lines = np.linspace(0.15 * size, 0.85 * size, 9).astype(int)
    changes = [np.count_nonzero(np.diff(binary[y, :].astype(np.int8))) for y in lines]
    changes += [np.count_nonzero(np.diff(binary[:, x].astype(np.int8))) for x in lines]
    modules = min(max(2.0 * float(np.median(changes)), 21.0), 177.0)
    return side / modules
