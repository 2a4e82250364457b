"""The page scanner on generated camera scenes: finding the page, and guiding the citizen."""

from __future__ import annotations

from dataclasses import replace
from itertools import groupby

import cv2
import numpy as np
import pytest

from drivers.camera.scenes import Placement, compose, desk_background, document_page
from drivers.camera.vision.page_scanner import (
    AWAY_SECONDS,
    MIN_SHARPNESS,
    READY_SECONDS,
    Guidance,
    PageGuide,
    PageSighting,
    find_page,
    order_corners,
)

WIDTH, HEIGHT = 1280, 720
FPS = 15.0
PAGE = document_page()
# A camera picture, not a drawing: some sensor noise and JPEG in every frame.
CAMERA = Placement(noise_sigma=3.0, jpeg_quality=85)


def frame(
    placement: Placement, seed: int = 0, width: int = WIDTH, height: int = HEIGHT
) -> tuple[np.ndarray, np.ndarray]:
    return compose(desk_background(width, height, seed=seed), PAGE, placement, seed=seed)


def corner_error(found: PageSighting, truth: np.ndarray) -> float:
    """Largest corner distance, as a part of the true page's diagonal."""
    diagonal = float(np.linalg.norm(truth[2] - truth[0]))
    return float(np.linalg.norm(found.corners - truth, axis=1).max()) / diagonal


PLACEMENTS = {
    "straight": replace(CAMERA, scale=0.8),
    "tilted": replace(CAMERA, scale=0.75, tilt_x_deg=20, tilt_y_deg=-18),
    "rotated": replace(CAMERA, scale=0.7, rotate_deg=25, center=(0.45, 0.5)),
    "small": replace(CAMERA, scale=0.42, center=(0.3, 0.4), tilt_y_deg=10),
    "large": replace(CAMERA, scale=0.95, rotate_deg=-4),
    "uneven light": replace(CAMERA, scale=0.8, tilt_x_deg=-15, light_gradient=0.8),
    "soft and noisy": replace(CAMERA, scale=0.7, blur_sigma=1.2, noise_sigma=8.0, jpeg_quality=50),
}


@pytest.mark.parametrize("name", list(PLACEMENTS))
def test_the_page_is_found_where_it_is(name: str) -> None:
    for seed in range(3):
        image, truth = frame(PLACEMENTS[name], seed=seed)
        found = find_page(image)
        assert found is not None, f"{name}, seed {seed}: no page found"
        assert corner_error(found, truth) < 0.03, (name, seed, found.corners.tolist(), truth.tolist())
        true_fraction = cv2.contourArea(truth) / (WIDTH * HEIGHT)
        assert found.area_fraction == pytest.approx(true_fraction, rel=0.05)
        assert found.frame_size == (WIDTH, HEIGHT)


def test_an_empty_desk_has_no_page() -> None:
    for seed in range(12):
        assert find_page(desk_background(WIDTH, HEIGHT, seed=seed)) is None, f"seed {seed}"


def test_a_page_partly_outside_the_picture_is_still_seen_with_a_corner_out() -> None:
    image, truth = frame(replace(CAMERA, scale=0.8, center=(0.9, 0.45)))
    found = find_page(image)
    assert found is not None
    assert found.margin_to_edge() < 0.01
    # the visible corners are still where they are
    assert np.linalg.norm(found.corners[0] - truth[0]) < 0.03 * found.diagonal
    assert np.linalg.norm(found.corners[3] - truth[3]) < 0.03 * found.diagonal


def test_grey_frames_and_other_sizes_work_too() -> None:
    image, truth = frame(replace(CAMERA, scale=0.8), width=640, height=480)
    found = find_page(image[:, :, 1].copy())
    assert found is not None
    assert found.frame_size == (640, 480)
    assert corner_error(found, truth) < 0.03


def test_corners_are_ordered_clockwise_from_top_left() -> None:
    tl, tr, br, bl = [100, 80], [500, 120], [460, 600], [60, 560]
    for shuffled in ([br, tl, bl, tr], [bl, br, tr, tl], [tr, bl, tl, br]):
        assert order_corners(shuffled).tolist() == [tl, tr, br, bl]


def test_defocus_lowers_sharpness_below_the_limit() -> None:
    crisp = find_page(frame(replace(CAMERA, scale=0.8))[0])
    soft = find_page(frame(replace(CAMERA, scale=0.8, blur_sigma=1.0))[0])
    defocused = find_page(frame(replace(CAMERA, scale=0.8, blur_sigma=5.0))[0])
    assert crisp is not None and soft is not None and defocused is not None
    assert crisp.sharpness > soft.sharpness > MIN_SHARPNESS > defocused.sharpness


def test_sharpness_does_not_depend_on_the_light() -> None:
    even = find_page(frame(replace(CAMERA, scale=0.8))[0])
    dim = find_page(frame(replace(CAMERA, scale=0.8, light_gradient=0.9))[0])
    assert even is not None and dim is not None
    assert dim.sharpness == pytest.approx(even.sharpness, rel=0.2)


# -- the guide over a sequence of frames ----------------------------------------------------


class Camera:
    """Frames at FPS with their timestamps, fed through find_page into a PageGuide."""

    def __init__(self) -> None:
        self.guide = PageGuide()
        self.now = 100.0
        self.seed = 0
        self.said: list[Guidance] = []
        self.desk = desk_background(WIDTH, HEIGHT, seed=7)

    def show(self, placement: Placement | None) -> Guidance:
        self.seed += 1
        if placement is None:
            image = self.desk
        else:
            image, _ = compose(self.desk, PAGE, placement, seed=self.seed)
        advice = self.guide.update(find_page(image), self.now)
        self.now += 1 / FPS
        self.said.append(advice)
        return advice

    def hold(self, placement: Placement | None, seconds: float) -> list[Guidance]:
        return [self.show(placement) for _ in range(round(seconds * FPS))]


def spoken(advice: list[Guidance]) -> list[Guidance]:
    """The advice as the citizen hears it: each change once."""
    return [key for key, _ in groupby(advice)]


def test_moving_closer_then_holding_still_captures_once() -> None:
    camera = Camera()
    steps = 16
    for i in range(steps):  # from far away to close, in about a second
        camera.show(replace(CAMERA, scale=0.42 + 0.46 * i / (steps - 1), rotate_deg=3, tilt_x_deg=8))
    camera.hold(replace(CAMERA, scale=0.88, rotate_deg=3, tilt_x_deg=8), 2.0)

    assert spoken(camera.said) == [
        Guidance.TOO_SMALL,
        Guidance.HOLD_STILL,
        Guidance.READY,
        Guidance.CAPTURE,
        Guidance.TAKE_AWAY,
    ]
    assert camera.said.count(Guidance.CAPTURE) == 1
    ready = camera.said.count(Guidance.READY)
    assert READY_SECONDS * FPS <= ready <= READY_SECONDS * FPS + 1


def test_the_next_page_is_captured_only_after_the_first_was_taken_away() -> None:
    camera = Camera()
    held = replace(CAMERA, scale=0.85)
    camera.hold(held, 1.5)
    assert camera.said.count(Guidance.CAPTURE) == 1
    camera.hold(None, AWAY_SECONDS + 0.2)
    assert camera.said[-1] is Guidance.NO_PAGE
    camera.hold(replace(held, rotate_deg=4), 1.5)
    assert camera.said.count(Guidance.CAPTURE) == 2


def test_a_corner_outside_the_picture_is_cut_off() -> None:
    camera = Camera()
    assert set(camera.hold(replace(CAMERA, scale=0.8, center=(0.9, 0.45)), 1.0)) == {Guidance.CUT_OFF}


def test_a_page_filling_the_picture_is_too_close() -> None:
    camera = Camera()
    assert set(camera.hold(replace(CAMERA, scale=1.3), 1.0)) == {Guidance.TOO_CLOSE}


def test_a_defocused_page_is_too_blurry_and_never_captured() -> None:
    camera = Camera()
    said = camera.hold(replace(CAMERA, scale=0.85, blur_sigma=5.0), 1.5)
    assert Guidance.CAPTURE not in said
    assert said[-1] is Guidance.TOO_BLURRY


def test_no_page_asks_for_one() -> None:
    camera = Camera()
    assert set(camera.hold(None, 0.5)) == {Guidance.NO_PAGE}


# -- the guide's timing, with sightings made by hand ------------------------------------------


def sighting(shift: float = 0.0, scale: float = 1.0, sharpness: float = 1.5) -> PageSighting:
    """An A4 page in a 1280×720 frame, moved right by `shift` pixels."""
    x, y = 640.0 + shift, 360.0
    dx, dy = 215.0 * scale, 304.0 * scale
    corners = np.array([[x - dx, y - dy], [x + dx, y - dy], [x + dx, y + dy], [x - dx, y + dy]])
    area = 4 * dx * dy / (1280 * 720)
    return PageSighting(corners.astype(np.float32), area, sharpness, (1280, 720))


def feed(guide: PageGuide, start: float, seconds: float, make: object) -> list[Guidance]:
    said = []
    steps = round(seconds * FPS)
    for i in range(steps):
        now = start + i / FPS
        said.append(guide.update(make(i) if callable(make) else make, now))  # type: ignore[arg-type]
    return said


def test_hand_tremor_is_steady_but_moving_into_place_is_not() -> None:
    guide = PageGuide()
    tremor = feed(guide, 0.0, 1.0, lambda i: sighting(shift=3.0 * (-1) ** i))
    assert Guidance.HOLD_STILL not in tremor
    assert Guidance.CAPTURE in tremor
    guide.reset()
    moving = feed(guide, 10.0, 1.0, lambda i: sighting(shift=25.0 * i))  # 3.4 % of the diagonal a frame
    assert set(moving[1:]) == {Guidance.HOLD_STILL}
    guide.reset()
    drifting = feed(guide, 20.0, 2.0, lambda i: sighting(shift=6.0 * i))  # 6 % in half a second
    assert Guidance.CAPTURE not in drifting
    assert set(drifting[round(FPS) :]) == {Guidance.HOLD_STILL}


def test_a_missed_frame_does_not_interrupt_the_hold() -> None:
    guide = PageGuide()
    said = feed(guide, 0.0, 0.3, sighting())
    gap = guide.update(None, 0.3)  # one frame without a sighting
    said += feed(guide, 0.3 + 1 / FPS, 0.4, sighting())
    assert gap is Guidance.READY
    assert said.count(Guidance.CAPTURE) == 1
    assert said.index(Guidance.CAPTURE) == round(READY_SECONDS * FPS) - 1  # the missed frame counted as held
    assert Guidance.NO_PAGE not in said


def test_capture_happens_only_on_a_frame_with_the_page() -> None:
    guide = PageGuide()
    feed(guide, 0.0, READY_SECONDS - 0.05, sighting())
    assert guide.update(None, READY_SECONDS + 0.01) is not Guidance.CAPTURE
    assert guide.update(sighting(), READY_SECONDS + 0.05) is Guidance.CAPTURE


def test_reset_allows_the_same_page_again() -> None:
    guide = PageGuide()
    assert Guidance.CAPTURE in feed(guide, 0.0, 1.0, sighting())
    assert set(feed(guide, 1.0, 1.0, sighting())) == {Guidance.TAKE_AWAY}
    guide.reset()
    assert Guidance.CAPTURE in feed(guide, 2.0, 1.0, sighting())


def test_a_short_gap_after_capture_does_not_re_arm() -> None:
    guide = PageGuide()
    feed(guide, 0.0, 1.0, sighting())
    said = feed(guide, 1.0, AWAY_SECONDS / 2, None)
    said += feed(guide, 1.0 + AWAY_SECONDS / 2, 1.0, sighting())
    assert Guidance.CAPTURE not in said


def test_progress_rises_while_ready() -> None:
    guide = PageGuide()
    progress = []
    for i in range(round(READY_SECONDS * FPS)):
        guide.update(sighting(), i / FPS)
        progress.append(guide.ready_progress)
    assert progress[0] == 0.0
    assert progress == sorted(progress)
    assert 0.8 < progress[-1] < 1.0


def test_small_and_soft_pages_get_their_own_advice() -> None:
    guide = PageGuide()
    assert set(feed(guide, 0.0, 1.0, sighting(scale=0.5))) == {Guidance.TOO_SMALL}
    guide.reset()
    assert set(feed(guide, 0.0, 1.0, sighting(sharpness=0.3))) == {Guidance.TOO_BLURRY}
