"""`balie kiosk --screenshot` renders real content offscreen, in every display variant."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent


def screenshot(tmp_path: Path, *args: str) -> QImage:
    out = tmp_path / "shot.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "kiosk", "--screenshot", str(out), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull()
    return image


def colours(image: QImage, step: int = 7) -> dict[int, int]:
    counts: dict[int, int] = {}
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            rgb = image.pixel(x, y) & 0xFFFFFF
            counts[rgb] = counts.get(rgb, 0) + 1
    return counts


@pytest.mark.parametrize("theme", ["standard", "high-contrast", "large-text"])
def test_attract_screen_renders_offscreen(tmp_path: Path, theme: str) -> None:
    image = screenshot(tmp_path, "--theme", theme)
    assert (image.width(), image.height()) == (1080, 1920)
    counts = colours(image)
    assert len(counts) > 20, "anti-aliased text and pictograms, not an empty window"
    background = max(counts, key=counts.__getitem__)
    if theme == "high-contrast":
        assert background == 0x000000
    else:
        assert background == 0xF4F6F9
    # The "talk to a person" bar is on screen in its own colour.
    help_colour = 0x00FFFF if theme == "high-contrast" else 0xB3430E
    assert counts.get(help_colour, 0) > 200


def test_landscape_from_config(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text('[device]\norientation = "landscape"\n', encoding="utf-8")
    image = screenshot(tmp_path, "--config", str(config), "--language", "en")
    assert (image.width(), image.height()) == (1920, 1080)
