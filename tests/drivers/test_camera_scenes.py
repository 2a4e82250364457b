import cv2
import numpy as np
import pytest
import zxingcpp

from drivers.camera import scenes
from drivers.camera.scenes import Placement

PAYLOAD = "https://afspraken.example.nl/qr/4F7A-22C1"


def decoded(image: np.ndarray) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def is_image(image: np.ndarray, height: int, width: int) -> bool:
    return image.shape == (height, width, 3) and image.dtype == np.uint8 and image.flags.c_contiguous


def test_qr_image_is_black_on_white_with_exact_modules():
    image = scenes.qr_image(PAYLOAD, module_px=6, border=4)
    side = image.shape[0]
    assert is_image(image, side, side)
    assert side % 6 == 0 and (side // 6 - 8 - 21) % 4 == 0  # 21 + 4·version modules, plus the quiet zone
    assert set(np.unique(image)) == {0, 255}
    assert (image[: 4 * 6] == 255).all()  # the quiet zone
    assert decoded(image) == [PAYLOAD]


def test_letter_and_phone_show_a_readable_code():
    letter = scenes.letter_with_qr(PAYLOAD)
    assert is_image(letter, 1754, 1240)
    assert decoded(letter) == [PAYLOAD]
    assert decoded(letter[: letter.shape[0] // 2]) == []  # the code is in the bottom corner
    phone = scenes.phone_with_qr(PAYLOAD)
    assert phone.shape[0] > phone.shape[1]  # portrait
    assert decoded(phone) == [PAYLOAD]
    edge = phone[:, :10]
    middle = phone[phone.shape[0] // 2, phone.shape[1] // 2 - 250]
    assert edge.mean() < 40  # a dark body around a bright, bluish screen
    assert middle[0] > middle[2]


def test_document_page_is_a_white_page_with_text_and_a_title():
    page = scenes.document_page(lines=10, size=(620, 877), seed=3)
    assert is_image(page, 877, 620)
    margin = 620 // 12
    assert (page[:, : margin - 1] == 255).all()
    title = page[margin + 5, margin + 5 : -margin - 5]
    assert title.mean() < 100
    assert 0.04 < (page < 128).mean() < 0.5
    assert np.array_equal(page, scenes.document_page(lines=10, size=(620, 877), seed=3))
    assert not np.array_equal(page, scenes.document_page(lines=10, size=(620, 877), seed=4))


def test_desk_background_is_textured_mid_grey_and_reproducible():
    desk = scenes.desk_background(320, 180, seed=5)
    assert is_image(desk, 180, 320)
    assert 50 < desk.mean() < 180
    assert desk.std() > 5
    assert np.array_equal(desk, scenes.desk_background(320, 180, seed=5))
    assert not np.array_equal(desk, scenes.desk_background(320, 180, seed=6))


def white_card_on_black(placement: Placement) -> tuple[np.ndarray, np.ndarray]:
    background = np.zeros((480, 640, 3), dtype=np.uint8)
    card = np.full((300, 200, 3), 255, dtype=np.uint8)
    return scenes.compose(background, card, placement)


def found_corners(frame: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    _, mask = cv2.threshold(grey, 127, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    outline = max(contours, key=cv2.contourArea)
    return cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True).reshape(-1, 2).astype(np.float32)


def assert_same_quad(expected: np.ndarray, found: np.ndarray, tolerance: float) -> None:
    assert found.shape == (4, 2)
    for corner in expected:
        assert np.min(np.linalg.norm(found - corner, axis=1)) <= tolerance


def test_compose_without_faults_places_the_object_where_it_says():
    frame, corners = white_card_on_black(Placement(scale=0.5, center=(0.25, 0.5)))
    assert is_image(frame, 480, 640)
    assert corners.dtype == np.float32 and corners.shape == (4, 2)
    # scale is the fraction of the frame's height: 240 px high, so 160 px wide
    np.testing.assert_allclose(corners, [[80, 120], [240, 120], [240, 360], [80, 360]], atol=0.5)
    assert_same_quad(corners, found_corners(frame), tolerance=2.0)


def test_compose_corners_follow_tilt_and_rotation_in_order():
    placement = Placement(scale=0.6, tilt_x_deg=35, tilt_y_deg=-20, rotate_deg=15)
    frame, corners = white_card_on_black(placement)
    assert_same_quad(corners, found_corners(frame), tolerance=3.0)
    top_left, top_right, bottom_right, bottom_left = corners
    # clockwise order in image coordinates (y down): positive signed area
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(corners, np.roll(corners, -1, axis=0), strict=True))
    assert area > 0
    assert top_left[1] < bottom_left[1] and top_right[1] < bottom_right[1]
    top = np.linalg.norm(top_right - top_left)
    bottom = np.linalg.norm(bottom_right - bottom_left)
    assert abs(top - bottom) > 5  # a tilted card is a trapezoid, not a rectangle


@pytest.mark.parametrize(
    "fault",
    [
        {"motion_blur_px": 9},
        {"blur_sigma": 2.0},
        {"noise_sigma": 10.0},
        {"light_gradient": 0.8},
        {"jpeg_quality": 20},
    ],
)
def test_each_fault_changes_the_picture_and_is_reproducible(fault):
    background = scenes.desk_background(320, 240, seed=1)
    obj = scenes.qr_image(PAYLOAD, module_px=4)
    clean, _ = scenes.compose(background, obj, Placement(scale=0.5))
    faulty, corners = scenes.compose(background, obj, Placement(scale=0.5, **fault), seed=9)
    again, corners_again = scenes.compose(background, obj, Placement(scale=0.5, **fault), seed=9)
    assert is_image(faulty, 240, 320)
    assert np.array_equal(faulty, again) and np.array_equal(corners, corners_again)
    assert np.abs(faulty.astype(int) - clean.astype(int)).mean() > 0.5


def test_motion_blur_smears_along_its_direction():
    background = np.zeros((200, 200, 3), dtype=np.uint8)
    dot = np.full((10, 10, 3), 255, dtype=np.uint8)
    frame, _ = scenes.compose(background, dot, Placement(scale=0.05, motion_blur_px=21, motion_angle_deg=0))
    lit = np.argwhere(frame[:, :, 0] > 0)
    height = lit[:, 0].max() - lit[:, 0].min()
    width = lit[:, 1].max() - lit[:, 1].min()
    assert width > height + 10


def test_uneven_light_darkens_one_side_of_the_frame():
    grey = np.full((240, 320, 3), 128, dtype=np.uint8)
    frame, _ = scenes.compose(grey, grey[:10, :10], Placement(scale=0.01, light_gradient=1.0))
    assert int(frame.max()) - int(frame.min()) > 100


def test_hard_frames_are_labelled_reproducible_and_mostly_readable():
    frames = scenes.hard_qr_frames(PAYLOAD, count=20, seed=2, size=(640, 360))
    labels = [label for label, _ in frames]
    assert set(labels) == {"easy", "small", "tilted", "motion", "defocus", "noisy", "uneven", "phone", "jpeg", "mixed"}
    assert all(is_image(image, 360, 640) for _, image in frames)
    again = scenes.hard_qr_frames(PAYLOAD, count=20, seed=2, size=(640, 360))
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(frames, again, strict=True))
    other = scenes.hard_qr_frames(PAYLOAD, count=1, seed=3, size=(640, 360))
    assert not np.array_equal(frames[0][1], other[0][1])
    readable = [label for label, image in frames if PAYLOAD in decoded(image)]
    assert readable.count("easy") == 2
    assert len(readable) >= len(frames) * 0.6  # hard, but meant to be decodable


def test_small_codes_have_two_to_three_pixels_per_module():
    frames = scenes.hard_qr_frames(PAYLOAD, count=30, seed=0)
    modules = scenes.qr_image(PAYLOAD, module_px=1, border=0).shape[0]
    pitches = []
    for label, image in frames:
        if label != "small":
            continue
        (result,) = zxingcpp.read_barcodes(image)
        corners = result.position
        top = np.hypot(corners.top_right.x - corners.top_left.x, corners.top_right.y - corners.top_left.y)
        side = np.hypot(corners.bottom_left.x - corners.top_left.x, corners.bottom_left.y - corners.top_left.y)
        pitches.append(max(top, side) / modules)
    assert len(pitches) == 3
    assert all(1.5 <= pitch <= 3.5 for pitch in pitches), pitches
