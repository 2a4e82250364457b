"""The QR decoder on generated camera frames: every hard kind read exactly, nothing invented,
junk survived, the ladder bounded by its budget, and guidance for codes it cannot read."""

from __future__ import annotations

import time
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
import qrcode  # type: ignore[import-untyped]
import zxingcpp

from drivers.camera.scenes import (
    HARD_QR_LABELS,
    Placement,
    compose,
    desk_background,
    document_page,
    hard_qr_frames,
    qr_image,
)
from drivers.camera.vision.qr_decoder import (
    MAX_PAYLOAD_CHARS,
    QrDecoder,
    SightingHint,
    appointment_code,
)

URL = "https://afspraak.example.nl/bevestiging/K7Q29XZD"
CARD = qr_image(URL)
CARD_MODULES = CARD.shape[0] // 10  # including the quiet zone
HARD = hard_qr_frames(URL, count=2 * len(HARD_QR_LABELS), seed=4)


@pytest.fixture(scope="module")
def decoder() -> Iterator[QrDecoder]:
    """What the decoder can read, whatever else the test machine is doing: the frame budget
    (a matter of speed, measured in benchmarks/camera.py) is tested on its own below."""
    yield QrDecoder(budget_s=1.0)


def card_at(module_px: float, seed: int = 0, **faults: object) -> tuple[np.ndarray, np.ndarray]:
    """The URL's code on a card in front of the desk, `module_px` pixels a module."""
    placement = Placement(scale=module_px * CARD_MODULES / 720, noise_sigma=2.0, **faults)  # type: ignore[arg-type]
    return compose(desk_background(seed=seed), CARD, placement, seed=seed)


def zxing_alone(image: np.ndarray) -> list[str]:
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def code_image(data: str | bytes, box: int = 4, level: int = qrcode.constants.ERROR_CORRECT_M) -> np.ndarray:
    """Any payload, bytes included, as a plain code (scenes.qr_image takes text only)."""
    code = qrcode.QRCode(error_correction=level, box_size=box, border=4)
    code.add_data(data)
    code.make(fit=True)
    grey = np.array(code.make_image().convert("L"))
    return np.ascontiguousarray(cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR))


# -- reading ------------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "image"), HARD, ids=[f"{label}-{i}" for i, (label, _) in enumerate(HARD)])
def test_every_kind_of_hard_frame_is_read_exactly(decoder: QrDecoder, label: str, image: np.ndarray) -> None:
    result = decoder.decode(image)
    assert result is not None, label
    assert result.payload == URL
    assert not result.truncated
    assert result.corners.shape == (4, 2)


def test_corners_are_the_codes_in_the_frame(decoder: QrDecoder) -> None:
    image, card = card_at(6.0, rotate_deg=20)
    result = decoder.decode(image)
    assert result is not None
    # The code sits inside the card's quiet zone: 4 of its modules in from every edge.
    centre = card.mean(axis=0)
    assert np.linalg.norm(result.corners.mean(axis=0) - centre) < 6
    code_side = np.linalg.norm(card[1] - card[0]) * (CARD_MODULES - 8) / CARD_MODULES
    sides = np.linalg.norm(result.corners - np.roll(result.corners, 1, axis=0), axis=1)
    assert np.allclose(sides, code_side, rtol=0.05)


def test_motion_blur_zxing_cannot_read_is_undone(decoder: QrDecoder) -> None:
    image, _ = card_at(6.0, motion_blur_px=13, motion_angle_deg=100)
    assert zxing_alone(image) == []
    result = decoder.decode(image)
    assert result is not None and (result.payload, result.strategy) == (URL, "deblur")


def test_defocus_zxing_cannot_read_is_undone(decoder: QrDecoder) -> None:
    image, _ = card_at(6.0, blur_sigma=3.2)
    assert zxing_alone(image) == []
    result = decoder.decode(image)
    assert result is not None and (result.payload, result.strategy) == (URL, "deblur")


def test_a_code_tilted_past_45_degrees_is_unwarped(decoder: QrDecoder) -> None:
    image, _ = card_at(6.0, tilt_x_deg=55, tilt_y_deg=30)
    assert zxing_alone(image) == []
    result = decoder.decode(image)
    assert result is not None and (result.payload, result.strategy) == (URL, "unwarp")


def test_a_grey_frame_is_read_too(decoder: QrDecoder) -> None:
    image, _ = card_at(5.0)
    result = decoder.decode(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    assert result is not None and result.payload == URL


def test_an_image_that_is_no_frame_is_refused(decoder: QrDecoder) -> None:
    with pytest.raises(ValueError, match="BGR"):
        decoder.decode(np.zeros((10, 10, 4), np.uint8))
    with pytest.raises(ValueError, match="BGR"):
        decoder.decode(np.zeros((0, 10, 3), np.uint8))


# -- nothing there ------------------------------------------------------------------------


def no_code_frames() -> list[np.ndarray]:
    page = document_page()
    frames = [desk_background(seed=seed) for seed in range(3)]
    frames += [
        compose(
            desk_background(seed=10 + seed), page, Placement(scale=0.9, rotate_deg=8 * seed, motion_blur_px=3 * seed)
        )[0]
        for seed in range(3)
    ]
    return frames


@pytest.mark.parametrize("image", no_code_frames())
def test_frames_without_a_code_give_nothing_and_no_guidance(image: np.ndarray) -> None:
    started = time.perf_counter()
    scan = QrDecoder().scan(image)
    assert time.perf_counter() - started < 0.5  # the budget is 60 ms; generous for a busy test machine
    assert scan.result is None
    assert scan.sighting is None


def test_the_ladder_stops_when_the_budget_is_spent() -> None:
    class SlowClock:
        """Every look at the clock costs 40 ms: after zxing-cpp's pass nothing fits in 60."""

        now = 0.0

        def __call__(self) -> float:
            self.now += 0.04
            return self.now

    image, _ = card_at(6.0, motion_blur_px=13, motion_angle_deg=100)
    scan = QrDecoder(clock=SlowClock()).scan(image)
    assert scan.result is None
    assert scan.tried == ("zxing",)


def test_each_step_can_be_chosen_for_measurement() -> None:
    image, _ = card_at(6.0, motion_blur_px=13, motion_angle_deg=100)
    assert QrDecoder(steps=[]).decode(image) is None
    assert QrDecoder(budget_s=1.0, steps=["clahe", "deblur"]).scan(image).tried[:2] == ("zxing", "clahe")
    with pytest.raises(KeyError):
        QrDecoder(steps=["magic"])


# -- payloads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "payload", "code"),
    [
        ("https://www.example.org/nieuws?id=7&lang=nl", "https://www.example.org/nieuws?id=7&lang=nl", None),
        ("K7Q2-9XZD", "K7Q2-9XZD", "K7Q29XZD"),
        ("line one\nline two\x00", "line one\nline two\x00", None),
        ("één, €, 😀", "één, €, 😀", None),
        (b"\x00\x01\xff\xfe\x80junk", "\x00\x01\xff\xfe\x80junk", None),  # not UTF-8: one character a byte
        ("x" * 2000, "x" * 2000, None),
    ],
    ids=["url", "code", "control-characters", "unicode", "binary", "2000-chars"],
)
def test_payloads_come_through_exactly(decoder: QrDecoder, data: str | bytes, payload: str, code: str | None) -> None:
    result = decoder.decode(code_image(data, box=3))
    assert result is not None
    assert result.payload == payload
    assert not result.truncated
    assert appointment_code(result.payload) == code


def test_a_payload_over_4k_is_cut_and_says_so(decoder: QrDecoder) -> None:
    result = decoder.decode(code_image("9" * 5000, box=3, level=qrcode.constants.ERROR_CORRECT_L))
    assert result is not None
    assert result.truncated
    assert result.payload == "9" * MAX_PAYLOAD_CHARS
    assert appointment_code(result.payload) is None


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("K7Q2-9XZD", "K7Q29XZD"),
        (" k7q2 9xzd\n", "K7Q29XZD"),
        ("https://afspraak.example.nl/bevestiging/K7Q29XZD", "K7Q29XZD"),
        ("https://afspraak.example.nl/bevestiging/K7Q2-9XZD/", "K7Q29XZD"),
        ("https://x.example/a?code=k7q2-9xzd", "K7Q29XZD"),
        ("https://x.example/a?taal=nl&CODE=K7Q2%2D9XZD", "K7Q29XZD"),
        ("https://x.example/a/bevestiging?code=nope", None),
        ("https://afspraak.example.nl/bevestiging", None),
        ("https://afspraak.example.nl/", None),
        ("ftp://afspraak.example.nl/K7Q29XZD", None),
        ("K7Q29XZ", None),
        ("K7Q29XZD1", None),
        ("hello", None),
        ("", None),
        ("https://[broken/K7Q29XZD", None),
        ("https://x.example/" + "a" * 3000 + "/K7Q29XZD", None),
    ],
)
def test_appointment_code(payload: str, code: str | None) -> None:
    assert appointment_code(payload) == code


# -- guidance -----------------------------------------------------------------------------


def test_a_readable_code_is_sighted_with_its_module_size(decoder: QrDecoder) -> None:
    image, _ = card_at(5.0)
    scan = decoder.scan(image)
    assert scan.result is not None and scan.sighting is not None
    assert scan.sighting.module_px == pytest.approx(5.0, rel=0.1)
    assert scan.sighting.hint is SightingHint.READABLE
    assert decoder.find(image) is not None


@pytest.mark.parametrize("seed", range(2))
def test_a_code_too_small_to_read_asks_to_come_closer(decoder: QrDecoder, seed: int) -> None:
    image, _ = card_at(1.5, seed=seed, blur_sigma=0.8)
    scan = decoder.scan(image)
    assert scan.result is None
    assert scan.sighting is not None
    assert scan.sighting.hint is SightingHint.CLOSER
    found = decoder.find(image)
    assert found is not None and found.hint is SightingHint.CLOSER


@pytest.mark.parametrize(("length", "angle"), [(20, 0), (20, 30), (20, 90)])
def test_a_code_smeared_past_reading_asks_to_hold_still(decoder: QrDecoder, length: int, angle: float) -> None:
    image, card = card_at(4.0, seed=1, motion_blur_px=length, motion_angle_deg=angle)
    scan = decoder.scan(image)
    assert scan.result is None
    assert scan.sighting is not None
    assert scan.sighting.hint is SightingHint.HOLD_STILL
    assert (
        cv2.pointPolygonTest(card.reshape(-1, 1, 2), tuple(map(float, scan.sighting.corners.mean(axis=0))), False) > 0
    )
