"""From a camera frame to a PDF: flattening, cleaning, the in-memory PDF and the outbox."""

from __future__ import annotations

import builtins
import os
import re
from dataclasses import replace

import cv2
import numpy as np
import pytest

from drivers.camera.scenes import Placement, compose, desk_background, document_page
from drivers.camera.vision.page_cleanup import A4_MM, RIM_INSET, clean, flatten, page_proportions, paper_size_mm
from drivers.camera.vision.page_scanner import find_page
from drivers.camera.vision.scan_pdf import ScanOutbox, ScanReceipt, pages_to_pdf

PAGE = document_page()
CAMERA = Placement(scale=0.85, noise_sigma=3.0, jpeg_quality=85)
A4_200DPI = (1654, 2339)  # width, height in pixels


def captured(placement: Placement, page: np.ndarray = PAGE) -> tuple[np.ndarray, np.ndarray]:
    """A frame with the page held up, and the page's corners as the scanner finds them."""
    image, _ = compose(desk_background(seed=2), page, placement, seed=2)
    sighting = find_page(image)
    assert sighting is not None
    return image, sighting.corners


def source_like(page: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """The original page in grey, cropped like `flatten` crops the rim, at `size`."""
    height, width = page.shape[:2]
    dx, dy = round(RIM_INSET * width), round(RIM_INSET * height)
    grey = cv2.cvtColor(page[dy : height - dy, dx : width - dx], cv2.COLOR_BGR2GRAY)
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    a = cv2.GaussianBlur(a.astype(np.float32), (0, 0), 3)
    b = cv2.GaussianBlur(b.astype(np.float32), (0, 0), 3)
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


# -- flatten ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "placement",
    [
        replace(CAMERA, tilt_x_deg=20, tilt_y_deg=-15),
        replace(CAMERA, rotate_deg=12, tilt_y_deg=20, scale=0.75),
        replace(CAMERA, rotate_deg=-8, tilt_x_deg=-22, light_gradient=0.5),
    ],
    ids=["tilted", "turned", "leaning back"],
)
def test_flatten_gives_the_upright_page_at_a4_200_dpi(placement: Placement) -> None:
    image, corners = captured(placement)
    page = flatten(image, corners, dpi=200)
    assert (page.shape[1], page.shape[0]) == A4_200DPI
    # Compared after `clean`, so uneven light does not count against the geometry.
    assert correlation(clean(page), source_like(PAGE, A4_200DPI)) > 0.8


def test_the_text_lines_of_a_flattened_page_run_straight_across() -> None:
    image, corners = captured(replace(CAMERA, rotate_deg=10, tilt_x_deg=15, tilt_y_deg=-10))
    grey = cv2.cvtColor(flatten(image, corners), cv2.COLOR_BGR2GRAY)
    height, width = grey.shape
    body = grey[height // 6 : height * 9 // 10, width // 10 : width * 9 // 10] < 128
    ink_per_row = body.mean(axis=1)
    # Straight lines leave whole rows of paper between them; a page still turned by a
    # degree or two smears every line into its neighbours' gaps.
    assert (ink_per_row < 0.01).mean() > 0.3
    assert ink_per_row.max() > 0.5


def test_flatten_keeps_a_page_held_sideways_sideways() -> None:
    image, corners = captured(replace(CAMERA, rotate_deg=90, scale=0.95))
    page = flatten(image, corners, dpi=100)
    assert (page.shape[1], page.shape[0]) == (1169, 827)


def test_flatten_takes_the_paper_size_from_the_outline() -> None:
    def outline(width: float, height: float) -> np.ndarray:
        return np.array([[100, 50], [100 + width, 50], [100 + width, 50 + height], [100, 50 + height]], np.float32)

    frame = (640, 480)
    assert paper_size_mm(outline(300, 430), frame) == A4_MM
    assert paper_size_mm(outline(300, 390), frame) == A4_MM  # US letter is rare here: A4
    assert paper_size_mm(outline(430, 300), frame) == (A4_MM[1], A4_MM[0])
    assert paper_size_mm(outline(300, 300), frame) == pytest.approx((297.0, 297.0))
    grey = flatten(np.full((480, 640), 200, np.uint8), outline(300, 300), dpi=100)
    assert grey.shape == (1169, 1169)


@pytest.mark.parametrize(("tilt_x", "tilt_y"), [(0, 0), (25, 0), (-25, 0), (0, 25), (20, -20)])
def test_the_proportions_of_a_tilted_page_are_recovered(tilt_x: float, tilt_y: float) -> None:
    placement = replace(CAMERA, scale=0.7, tilt_x_deg=tilt_x, tilt_y_deg=tilt_y, rotate_deg=5)
    _, truth = compose(desk_background(seed=2), PAGE, placement, seed=2)
    seen = page_proportions(truth, (1280, 720))
    assert seen == pytest.approx(PAGE.shape[0] / PAGE.shape[1], rel=0.03)


def test_flatten_refuses_a_silly_resolution() -> None:
    with pytest.raises(ValueError):
        flatten(np.zeros((10, 10, 3), np.uint8), np.array([[0, 0], [9, 0], [9, 9], [0, 9]], np.float32), dpi=0)


# -- clean ------------------------------------------------------------------------------------


def test_clean_evens_out_strong_uneven_light() -> None:
    image, truth = compose(desk_background(seed=3), PAGE, replace(CAMERA, light_gradient=0.9), seed=3)
    page = flatten(image, truth)
    height, width = page.shape[:2]
    source = source_like(PAGE, (width, height))
    paper = cv2.erode((source > 200).astype(np.uint8), np.ones((25, 25), np.uint8)).astype(bool)
    ink = cv2.erode((source < 100).astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)
    before = cv2.cvtColor(page, cv2.COLOR_BGR2GRAY)
    after = clean(page)

    assert after.dtype == np.uint8 and after.ndim == 2
    assert before[paper].std() > 25  # the light really is uneven
    assert after[paper].std() < before[paper].std() / 5
    assert after[paper].mean() > 240  # paper comes out white ...
    assert after[ink].mean() < 60  # ... and ink black, on both the bright and the dark side
    assert np.percentile(after[ink], 95) < 100


def test_clean_keeps_grey_tones_for_stamps_and_signatures() -> None:
    page = np.full((1000, 700), 235, np.uint8)
    cv2.putText(page, "Gemeente", (80, 200), cv2.FONT_HERSHEY_SIMPLEX, 2.5, 20, 8)
    cv2.circle(page, (350, 600), 120, 150, 14)  # a faint stamp ...
    cv2.line(page, (100, 850), (600, 800), 110, 3)  # ... and a pencil signature
    cleaned = clean(page)
    stamp = cleaned[600, 350 + 120]
    pencil = cleaned[825, 350]
    assert 40 < stamp < 220 and 20 < pencil < 200, (stamp, pencil)
    assert len(np.unique(cleaned)) > 50  # tones, not black and white
    assert cleaned[50, 50] == 255


def test_clean_leaves_a_blank_page_blank() -> None:
    rng = np.random.default_rng(0)
    blank = np.clip(rng.normal(200, 3, (800, 600)), 0, 255).astype(np.uint8)
    assert clean(blank).min() > 200


# -- the PDF ----------------------------------------------------------------------------------


def a4_pages(count: int) -> list[np.ndarray]:
    image, corners = captured(CAMERA)
    page = clean(flatten(image, corners))
    return [np.roll(page, 40 * i, axis=0) for i in range(count)]


def test_the_pdf_has_a_greyscale_jpeg_page_per_image_at_a4_size() -> None:
    pdf = pages_to_pdf(a4_pages(3), dpi=200)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 3
    assert pdf.count(b"/DCTDecode") == 3
    assert b"/DeviceGray" in pdf
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert len(boxes) == 3
    for width, height in boxes:  # A4 is 595 × 842 points
        assert float(width) == pytest.approx(595.3, abs=1) and float(height) == pytest.approx(841.9, abs=1)
    assert len(pdf) < 3 * 400_000


def test_colour_pages_stay_colour() -> None:
    page = np.zeros((300, 200, 3), np.uint8)
    page[:, :, 2] = 255  # red in BGR
    pdf = pages_to_pdf([page], dpi=100)
    assert b"/DeviceRGB" in pdf


def test_the_pdf_is_made_without_touching_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = a4_pages(2)
    pages_to_pdf(pages[:1])  # let Pillow load its plugins first

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"tried to open a file: {args}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    assert pages_to_pdf(pages).startswith(b"%PDF")


def test_a_pdf_needs_pages() -> None:
    with pytest.raises(ValueError):
        pages_to_pdf([])
    with pytest.raises(ValueError):
        pages_to_pdf([np.zeros((10, 10, 4), np.uint8)])


# -- the outbox -------------------------------------------------------------------------------

PDF = b"%PDF-1.4 a scanned letter"


def test_the_outbox_hands_out_a_reference_per_scan() -> None:
    outbox = ScanOutbox(clock=lambda: 1_700_000_000.0)
    first = outbox.add(PDF, pages=2)
    second = outbox.add(PDF + b" and another", pages=1)
    assert isinstance(first, ScanReceipt)
    assert re.fullmatch(r"SCAN-[0-9A-F]{6}", first.reference)
    assert first.reference != second.reference
    assert (first.pages, second.pages) == (2, 1)
    assert outbox.receipts() == [first, second]
    assert len(outbox) == 2


def test_take_all_empties_the_outbox() -> None:
    outbox = ScanOutbox(clock=lambda: 1_700_000_000.0)
    receipt = outbox.add(PDF, pages=2)
    documents = outbox.take_all()
    assert [(d.reference, d.pages, d.pdf, d.created) for d in documents] == [
        (receipt.reference, 2, PDF, 1_700_000_000.0)
    ]
    assert PDF not in repr(documents).encode()  # the bytes stay out of logs
    assert outbox.take_all() == []
    assert len(outbox) == 0


def test_wipe_leaves_nothing() -> None:
    outbox = ScanOutbox()
    outbox.add(PDF, pages=1)
    outbox.add(PDF, pages=3)
    outbox.wipe()
    assert len(outbox) == 0
    assert outbox.receipts() == []
    assert outbox.take_all() == []


def test_the_outbox_takes_only_pdfs_with_pages() -> None:
    outbox = ScanOutbox()
    with pytest.raises(ValueError):
        outbox.add(b"GIF89a", pages=1)
    with pytest.raises(ValueError):
        outbox.add(PDF, pages=0)
    assert len(outbox) == 0


def test_a_whole_scan_from_frame_to_outbox() -> None:
    image, corners = captured(replace(CAMERA, tilt_x_deg=12, rotate_deg=-6, light_gradient=0.6))
    pdf = pages_to_pdf([clean(flatten(image, corners))])
    outbox = ScanOutbox()
    receipt = outbox.add(pdf, pages=1)
    (document,) = outbox.take_all()
    assert document.reference == receipt.reference
    assert document.pdf == pdf
