"""Synthetic camera scenes: letters, phones and documents held up in front of a webcam.

The QR decoder, the page scanner and the camera simulator are developed and benchmarked on
machines without a camera and without citizens' papers, so this module draws what the kiosk
camera would see: an object warped into a cluttered background with the faults real
pictures have (tilt, motion blur, defocus, uneven light, sensor noise, JPEG). Every image is
a numpy H×W×3 uint8 array in BGR order, like `Frame.image`, and every function is
deterministic for a given seed, so a benchmark result can be reproduced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
import numpy.typing as npt
import qrcode  # type: ignore[import-untyped]

__all__ = [
    "Image",
    "Placement",
    "compose",
    "desk_background",
    "document_page",
    "hard_qr_frames",
    "letter_with_qr",
    "phone_with_qr",
    "qr_image",
]

Image = npt.NDArray[np.uint8]
Corners = npt.NDArray[np.float32]

_WHITE = (255, 255, 255)
_INK = (40, 40, 40)
_GREY_TEXT = (150, 150, 150)


def _image(array: cv2.typing.MatLike) -> Image:
    """An OpenCV result as the uint8 image type (no copy; OpenCV's stubs say only "MatLike")."""
    return np.asarray(array, dtype=np.uint8)


def _qr_matrix(payload: str, border: int) -> npt.NDArray[np.bool_]:
    """The QR modules including the quiet zone; True is a dark module."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=border)
    code.add_data(payload)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def qr_image(payload: str, module_px: int = 10, border: int = 4) -> Image:
    """A QR code for `payload`, black on white, error correction M, `border` modules of quiet zone.

    Modules are exact `module_px` squares (no smoothing), so a test knows the module size.
    """
    if module_px < 1 or border < 0:
        raise ValueError("module_px must be at least 1 and border at least 0")
    matrix = _qr_matrix(payload, border)
    grey = np.where(matrix, 0, 255).astype(np.uint8)
    grey = np.repeat(np.repeat(grey, module_px, axis=0), module_px, axis=1)
    return np.ascontiguousarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))


def _text_lines(
    page: Image,
    rng: np.random.Generator,
    left: int,
    right: int,
    top: int,
    bottom: int,
    line_px: int,
    colour: tuple[int, int, int],
    lines: int | None = None,
) -> None:
    """Rows of word-like blocks between the margins: reads as text to an edge detector."""
    y = top
    count = 0
    height = max(2, line_px * 5 // 10)
    while y + height <= bottom and (lines is None or count < lines):
        x = left
        end = right if rng.random() > 0.15 else left + int((right - left) * rng.uniform(0.3, 0.8))
        while x < end:
            word = int(rng.integers(line_px, line_px * 5))
            cv2.rectangle(page, (x, y), (min(x + word, end), y + height), colour, thickness=-1)
            x += word + max(3, line_px // 2)
        y += line_px
        count += 1
        if rng.random() < 0.12:  # a paragraph break
            y += line_px


def letter_with_qr(payload: str, size: tuple[int, int] = (1240, 1754), qr_module_px: int = 8) -> Image:
    """An appointment letter: an A4-ish white page, a letterhead, grey text and the QR code
    in the bottom-right corner, where municipalities print it. `size` is (width, height)."""
    width, height = size
    rng = np.random.default_rng(len(payload))
    page = np.full((height, width, 3), 255, dtype=np.uint8)
    margin = width // 12
    # letterhead: the municipality's coloured block and name
    cv2.rectangle(page, (margin, margin), (margin + width // 10, margin + width // 10), (150, 90, 20), thickness=-1)
    line_px = max(8, height // 60)
    _text_lines(page, rng, margin + width // 8, width // 2, margin, margin + width // 10, line_px, _INK, lines=3)
    qr = qr_image(payload, module_px=qr_module_px, border=2)
    qr_h, qr_w = qr.shape[:2]
    if qr_w > width - 2 * margin or qr_h > height // 2:
        raise ValueError(f"a QR code of {qr_w} px does not fit on a {width}×{height} letter; use smaller modules")
    qr_x = width - margin - qr_w
    qr_y = height - margin - qr_h
    _text_lines(page, rng, margin, width - margin, margin * 2 + width // 10, qr_y - line_px, line_px, _GREY_TEXT)
    page[qr_y : qr_y + qr_h, qr_x : qr_x + qr_w] = qr[:qr_h, :qr_w]
    return page


def phone_with_qr(payload: str) -> Image:
    """A phone showing an e-mail with the QR code: a dark body around a bright, slightly blue
    screen, whose "white" is not paper white (the decoder must not assume it)."""
    width, height = 560, 1120
    body = (28, 26, 24)
    screen = (250, 238, 226)  # BGR: a cool, bluish white
    phone = np.full((height, width, 3), body, dtype=np.uint8)
    bezel = 24
    top, bottom = 70, height - 70
    cv2.rectangle(phone, (bezel, top), (width - bezel, bottom), screen, thickness=-1)
    cv2.rectangle(phone, (bezel, top), (width - bezel, top + 36), (200, 150, 60), thickness=-1)  # status/app bar
    cv2.circle(phone, (width // 2, top // 2), 8, (60, 60, 60), thickness=-1)  # the front camera
    rng = np.random.default_rng(len(payload) + 1)
    _text_lines(phone, rng, bezel + 24, width - bezel - 24, top + 64, top + 240, 22, (90, 80, 70), lines=6)
    matrix = _qr_matrix(payload, border=3)
    module_px = max(1, (width - 2 * bezel - 40) // matrix.shape[1])
    grey = np.repeat(np.repeat(matrix, module_px, axis=0), module_px, axis=1)
    qr = np.empty((*grey.shape, 3), dtype=np.uint8)
    qr[:] = screen
    qr[grey] = (45, 35, 30)  # screen black is not pure black either
    qr_h, qr_w = qr.shape[:2]
    qr_x = (width - qr_w) // 2
    qr_y = top + 270
    phone[qr_y : qr_y + qr_h, qr_x : qr_x + qr_w] = qr
    _text_lines(phone, rng, bezel + 24, width - bezel - 24, qr_y + qr_h + 30, bottom - 20, 22, (90, 80, 70))
    return phone


def document_page(lines: int = 25, size: tuple[int, int] = (1240, 1754), seed: int = 0) -> Image:
    """A white page with a dark title bar and `lines` lines of text-like blocks: something to
    scan, whose four corners the page scanner must find. `size` is (width, height)."""
    width, height = size
    rng = np.random.default_rng(seed)
    page = np.full((height, width, 3), 255, dtype=np.uint8)
    margin = width // 12
    title_h = max(4, height // 25)
    cv2.rectangle(page, (margin, margin), (width - margin, margin + title_h), (60, 50, 40), thickness=-1)
    top = margin + title_h * 2
    line_px = max(4, (height - top - margin) // max(1, lines))
    line_px = min(line_px, max(4, height // 35))
    _text_lines(page, rng, margin, width - margin, top, height - margin, line_px, _INK, lines=lines)
    return page


def desk_background(width: int = 1280, height: int = 720, seed: int = 0) -> Image:
    """A plausible kiosk-counter scene: a mid-grey/brown surface with grain, blotchy light,
    some clutter (a pen, a mug, a leaflet) and fine noise — edges that are not a document."""
    rng = np.random.default_rng(seed)
    base = np.array([95, 110, 125], dtype=np.float32) + np.float32(rng.uniform(-25, 25))
    base += rng.uniform(-6, 6, 3).astype(np.float32)  # a slight tint, never a coloured desk
    # The shading is smooth, so it is drawn at half size and scaled up (this runs per frame
    # in benchmarks): low-frequency blotches plus a wood-like grain.
    small_w, small_h = max(1, width // 2), max(1, height // 2)
    blotch = cv2.resize(
        rng.standard_normal((6, 10), dtype=np.float32), (small_w, small_h), interpolation=cv2.INTER_CUBIC
    )
    ys = np.arange(small_h, dtype=np.float32)[:, None] * 2
    xs = np.arange(small_w, dtype=np.float32)[None, :] * 2
    grain = np.sin(ys * 0.21 + np.sin(xs * 0.013 + seed) * 3.0) * 0.5 + np.sin(ys * 0.047 + xs * 0.002) * 0.5
    shade = cv2.resize(1.0 + 0.08 * blotch + 0.05 * grain, (width, height), interpolation=cv2.INTER_LINEAR)
    scene = _image(cv2.merge([cv2.convertScaleAbs(shade, alpha=float(channel)) for channel in base]))
    scale = min(width, height)
    for _ in range(int(rng.integers(3, 7))):
        kind = int(rng.integers(0, 3))
        colour = tuple(int(c) for c in rng.integers(20, 230, 3))
        x = int(rng.integers(0, width))
        y = int(rng.integers(0, height))
        if kind == 0:  # a pen
            length = int(scale * rng.uniform(0.1, 0.3))
            angle = rng.uniform(0, math.pi)
            end = (int(x + length * math.cos(angle)), int(y + length * math.sin(angle)))
            cv2.line(scene, (x, y), end, colour, thickness=max(1, scale // 60), lineType=cv2.LINE_AA)
        elif kind == 1:  # a mug seen from above
            radius = max(2, int(scale * rng.uniform(0.04, 0.1)))
            cv2.circle(scene, (x, y), radius, colour, thickness=-1, lineType=cv2.LINE_AA)
            cv2.circle(scene, (x, y), max(1, radius * 3 // 4), (40, 40, 40), thickness=-1, lineType=cv2.LINE_AA)
        else:  # a coloured leaflet, rotated
            w = scale * rng.uniform(0.08, 0.2)
            h = w * rng.uniform(0.5, 1.5)
            box = cv2.boxPoints(((float(x), float(y)), (float(w), float(h)), float(rng.uniform(0, 90))))
            cv2.fillConvexPoly(scene, box.astype(np.int32), colour, lineType=cv2.LINE_AA)
    return _add_noise(scene, 3.0, rng)


def _add_noise(image: Image, sigma: float, rng: np.random.Generator) -> Image:
    """Sensor noise, the same on all three channels (luminance noise, what decoders see);
    one channel of normal samples is a third of the cost of three."""
    height, width = image.shape[:2]
    noise = rng.standard_normal((height, width), dtype=np.float32) * np.float32(sigma)
    return _image(cv2.add(image, cv2.merge([noise, noise, noise]), dtype=cv2.CV_8U))


@dataclass(frozen=True, slots=True)
class Placement:
    """Where and how badly an object is held in front of the camera.

    `scale` is the fraction of the frame's height the object's height takes (before tilt);
    `center` is (x, y) as fractions of the frame. Tilts are rotations about the object's
    horizontal (x) and vertical (y) axes, seen in perspective; `rotate_deg` turns it in the
    image plane. The faults are applied in the order light meets a sensor: motion blur
    (`motion_blur_px` long, at `motion_angle_deg`), defocus (`blur_sigma`), uneven light
    (`light_gradient` 0..1), sensor noise (`noise_sigma`), then JPEG (`jpeg_quality`).
    """

    scale: float = 0.6
    center: tuple[float, float] = (0.5, 0.5)
    tilt_x_deg: float = 0.0
    tilt_y_deg: float = 0.0
    rotate_deg: float = 0.0
    motion_blur_px: int = 0
    blur_sigma: float = 0.0
    noise_sigma: float = 0.0
    light_gradient: float = 0.0
    jpeg_quality: int | None = None
    motion_angle_deg: float = 0.0


def _project_corners(obj_w: int, obj_h: int, frame_w: int, frame_h: int, placement: Placement) -> Corners:
    """The object's four corners in the frame: a flat card rotated in 3-D seen by a pinhole camera."""
    target_h = placement.scale * frame_h
    target_w = target_h * obj_w / obj_h
    w, h = target_w / 2, target_h / 2
    half = np.array([[-w, -h, 0.0], [w, -h, 0.0], [w, h, 0.0], [-w, h, 0.0]], dtype=np.float64)
    ax, ay, az = (math.radians(a) for a in (placement.tilt_x_deg, placement.tilt_y_deg, placement.rotate_deg))
    rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    rz = np.array([[math.cos(az), -math.sin(az), 0], [math.sin(az), math.cos(az), 0], [0, 0, 1]])
    points = half @ (rx @ ry @ rz).T
    focal = 1.1 * max(frame_w, frame_h)  # a typical webcam's ~60° field of view
    depth = points[:, 2] + focal
    cx = placement.center[0] * frame_w
    cy = placement.center[1] * frame_h
    projected = np.stack([cx + focal * points[:, 0] / depth, cy + focal * points[:, 1] / depth], axis=1)
    return projected.astype(np.float32)


def _motion_kernel(length: int, angle_deg: float) -> npt.NDArray[np.float32]:
    kernel = np.zeros((length, length), dtype=np.float32)
    centre = (length - 1) / 2
    dx = math.cos(math.radians(angle_deg)) * centre
    dy = math.sin(math.radians(angle_deg)) * centre
    start = (round(centre - dx), round(centre - dy))
    end = (round(centre + dx), round(centre + dy))
    cv2.line(kernel, start, end, 1.0, thickness=1)
    total = float(kernel.sum())
    if total == 0.0:
        kernel[length // 2, length // 2] = 1.0
        total = 1.0
    return kernel / total


def _light_ramp(width: int, height: int, strength: float, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Brightness gain across the frame: a window on one side, shadow on the other."""
    angle = rng.uniform(0, 2 * math.pi)
    xs = np.linspace(-0.5, 0.5, width, dtype=np.float32)[None, :]
    ys = np.linspace(-0.5, 0.5, height, dtype=np.float32)[:, None]
    along = (xs * math.cos(angle) + ys * math.sin(angle)) / (abs(math.cos(angle)) / 2 + abs(math.sin(angle)) / 2)
    t = (along + 1.0) / 2.0  # 0 at the bright side, 1 at the dark side
    bright = 1.0 + 0.3 * strength
    dark = 1.0 - 0.85 * strength
    return (bright + (dark - bright) * t).astype(np.float32)


def compose(
    background: Image, obj: Image, placement: Placement, seed: int = 0
) -> tuple[Image, npt.NDArray[np.float32]]:
    """`obj` held in front of `background`, with the placement's faults.

    Returns the frame (same size as the background) and the object's corners in it as a
    4×2 float32 array — top-left, top-right, bottom-right, bottom-left of the object —
    the ground truth a page detector is scored against.
    """
    frame_h, frame_w = background.shape[:2]
    obj_h, obj_w = obj.shape[:2]
    rng = np.random.default_rng(seed)
    corners = _project_corners(obj_w, obj_h, frame_w, frame_h, placement)
    # Shrink with area averaging first: warpPerspective alone would alias fine print and
    # QR modules into patterns no real lens produces.
    shrink = min(1.0, placement.scale * frame_h / obj_h * 1.5)
    if shrink < 1.0:
        size = (max(1, round(obj_w * shrink)), max(1, round(obj_h * shrink)))
        source = cv2.resize(obj, size, interpolation=cv2.INTER_AREA)
    else:
        source = obj
    src_h, src_w = source.shape[:2]
    src = np.array([[0, 0], [src_w, 0], [src_w, src_h], [0, src_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, corners)
    warped = cv2.warpPerspective(source, matrix, (frame_w, frame_h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.ones((src_h, src_w), dtype=np.float32), matrix, (frame_w, frame_h))
    frame = _image(cv2.blendLinear(warped, background, mask, 1.0 - mask))
    if placement.motion_blur_px > 1:
        frame = _image(cv2.filter2D(frame, -1, _motion_kernel(placement.motion_blur_px, placement.motion_angle_deg)))
    if placement.blur_sigma > 0:
        frame = _image(cv2.GaussianBlur(frame, (0, 0), placement.blur_sigma))
    if placement.light_gradient > 0:
        ramp = _light_ramp(frame_w, frame_h, min(1.0, placement.light_gradient), rng)
        frame = _image(cv2.multiply(frame, cv2.merge([ramp, ramp, ramp]), dtype=cv2.CV_8U))
    if placement.noise_sigma > 0:
        frame = _add_noise(frame, placement.noise_sigma, rng)
    if placement.jpeg_quality is not None:
        ok, encoded = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, int(placement.jpeg_quality)])
        decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR) if ok else None
        if decoded is not None:
            frame = _image(decoded)
    return np.ascontiguousarray(frame, dtype=np.uint8), corners


HARD_QR_LABELS = ("easy", "small", "tilted", "motion", "defocus", "noisy", "uneven", "phone", "jpeg", "mixed")


def hard_qr_frames(
    payload: str, count: int = 60, seed: int = 0, size: tuple[int, int] = (1280, 720)
) -> list[tuple[str, Image]]:
    """A labelled, reproducible set of camera frames showing `payload` as a QR code.

    Labels cycle through HARD_QR_LABELS ("easy" frames are the control group): "small" codes
    of about 2–3 px per module, "tilted" up to 45°, "motion" blur, "defocus", "noisy",
    "uneven" light, "phone" screens, heavy "jpeg", and "mixed" (several at once). The faults
    are strong but each frame is meant to be decodable by a good decoder.
    """
    width, height = size
    rng = np.random.default_rng(seed)
    card = qr_image(payload, module_px=10, border=4)
    modules = int(card.shape[0]) // 10  # including the quiet zone
    # A letter held at arm's length fills the frame; its code is printed big enough to have
    # about 4.5 px per module then (on a frame of any size), or as big as the page allows.
    page_w, page_h = 1240, 1754
    letter_px = min(round(4.5 * page_h / (0.9 * height)), (page_w - page_w // 6) // (modules - 4))
    letter = letter_with_qr(payload, size=(page_w, page_h), qr_module_px=max(1, letter_px))
    phone = phone_with_qr(payload)
    frames: list[tuple[str, Image]] = []

    def card_scale(px_per_module: float) -> float:
        return float(px_per_module * modules / height)

    def tilt() -> tuple[float, float]:
        return float(rng.uniform(-15, 15)), float(rng.uniform(-15, 15))

    def centre(scale: float) -> tuple[float, float]:
        room = max(0.0, 0.5 - scale * 0.6)
        aspect = height / width
        return (0.5 + float(rng.uniform(-room, room)) * aspect * 2, 0.5 + float(rng.uniform(-room, room)))

    for i in range(count):
        label = HARD_QR_LABELS[i % len(HARD_QR_LABELS)]
        obj = card
        tx, ty = tilt()
        base = Placement(
            scale=card_scale(float(rng.uniform(5, 8))),
            tilt_x_deg=tx,
            tilt_y_deg=ty,
            rotate_deg=float(rng.uniform(-20, 20)),
            noise_sigma=2.0,
            motion_angle_deg=float(rng.uniform(0, 180)),
        )
        second_round = (i // len(HARD_QR_LABELS)) % 2 == 1  # alternate cards and letters
        if label == "easy":
            if second_round:
                obj, base = letter, replace(base, scale=float(rng.uniform(0.85, 1.0)))
            placement = base
        elif label == "small":
            placement = replace(base, scale=card_scale(float(rng.uniform(2.0, 3.0))), noise_sigma=3.0)
        elif label == "tilted":
            sign_x, sign_y = rng.choice([-1.0, 1.0], 2)
            angle_x, angle_y = float(rng.uniform(25, 45)), float(rng.uniform(0, 35))
            placement = replace(base, tilt_x_deg=sign_x * angle_x, tilt_y_deg=sign_y * angle_y)
            if second_round:
                obj, placement = letter, replace(placement, scale=float(rng.uniform(0.85, 1.0)))
        elif label == "motion":
            placement = replace(base, motion_blur_px=int(rng.integers(5, 12)))
        elif label == "defocus":
            placement = replace(base, blur_sigma=float(rng.uniform(1.5, 3.0)))
        elif label == "noisy":
            placement = replace(base, noise_sigma=float(rng.uniform(15, 30)))
        elif label == "uneven":
            placement = replace(base, light_gradient=float(rng.uniform(0.6, 0.9)))
        elif label == "phone":
            obj = phone
            placement = replace(
                base, scale=float(rng.uniform(0.8, 1.05)), blur_sigma=float(rng.uniform(0.0, 1.2)), noise_sigma=4.0
            )
        elif label == "jpeg":
            placement = replace(
                base, scale=card_scale(float(rng.uniform(3.5, 5))), jpeg_quality=int(rng.integers(15, 35))
            )
        else:  # mixed
            placement = replace(
                base,
                scale=card_scale(float(rng.uniform(4, 6))),
                tilt_x_deg=float(rng.uniform(-30, 30)),
                motion_blur_px=int(rng.integers(0, 6)),
                blur_sigma=float(rng.uniform(0.5, 1.5)),
                noise_sigma=float(rng.uniform(5, 12)),
                light_gradient=float(rng.uniform(0.3, 0.6)),
                jpeg_quality=int(rng.integers(40, 70)),
            )
        placement = replace(placement, center=centre(placement.scale))
        background = desk_background(width, height, seed=seed * 1000 + i)
        frame, _ = compose(background, obj, placement, seed=seed * 1000 + i)
        frames.append((label, frame))
    return frames
