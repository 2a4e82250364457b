"""Logos become width-aware rasters that print where the image is dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from drivers.printer.document import DocumentError
from drivers.printer.logo import logo_raster
from drivers.printer.profile import PAPER_DOTS


def make_logo(path: Path) -> Path:
    image = Image.new("RGBA", (400, 200), (0, 0, 0, 0))  # transparent background
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 199, 199), fill=(20, 40, 120, 255))  # dark left half
    image.save(path)
    return path


def dot(raster, x: int, y: int) -> bool:  # type: ignore[no-untyped-def]
    return bool(raster.bits[y * raster.row_bytes + x // 8] & (0x80 >> (x % 8)))


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_logo_fits_the_paper_and_keeps_dark_and_light(tmp_path: Path, paper_mm: int) -> None:
    dots = PAPER_DOTS[paper_mm]
    raster = logo_raster(make_logo(tmp_path / "logo.png"), dots)
    assert raster.width == round(dots * 0.6)
    assert raster.height == round(raster.width / 2)
    half = raster.width // 2
    left = [dot(raster, x, y) for y in range(raster.height) for x in range(half - 4)]
    right = [dot(raster, x, y) for y in range(raster.height) for x in range(half + 4, raster.width)]
    assert sum(left) / len(left) > 0.75, "the dark blue half prints, dithered"
    assert not any(right), "the transparent half stays paper"


def test_missing_or_broken_logo_is_a_plain_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        logo_raster(tmp_path / "none.png", 576)
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not a picture")
    with pytest.raises(DocumentError, match="is not an image"):
        logo_raster(broken, 576)
