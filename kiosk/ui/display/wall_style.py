"""The wall screen's colours and sizes: high contrast (WCAG 2.2 AAA, ≥ 7:1 for every text) and sized
in proportion to the screen's height, so a number can be read from the back of a waiting room.

A number 300 px high on a 1080-line, 55-inch screen is about 20 cm tall; legibility guidance for
signage (about 1 cm of letter height per 3–4 m of distance, less for poorer sight) puts that well
within reach of a large hall. Dark background, light text: a wall screen lit all day glares less so.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.ui.launch import FONT_FAMILY


@dataclass(frozen=True, slots=True)
class WallPalette:
    background: str
    panel: str
    text: str
    number: str  # the called number: the eye's first stop
    muted: str
    highlight: str  # the current call's panel, briefly, when a new number is called
    highlight_text: str
    warning: str  # "connection lost": readable but quiet


WALL = WallPalette(
    background="#0b1f3a",
    panel="#13294b",
    text="#ffffff",
    number="#ffd33d",
    muted="#c9d3e3",
    highlight="#ffd33d",
    highlight_text="#0b1f3a",
    warning="#ffb4a8",
)

# Pixel sizes on a 1920×1080 screen; scaled by the screen's shorter side / 1080, so a portrait
# 1080×1920 screen has the same sizes, and fits them by stacking (wall.py).
SIZES = {
    "current_label": 300,
    "current_empty": 160,
    "current_desk": 130,
    "current_desk_empty": 48,
    "current_tag": 48,
    "heading": 40,
    "recent": 64,
    "wait_letter": 88,
    "wait_name": 30,
    "wait_headline": 44,
    "wait_detail": 30,
    "clock": 64,
    "location": 44,
    "notice": 32,
}


def size(name: str, short_side: int) -> int:
    return max(8, round(SIZES[name] * short_side / 1080))


def style_sheet(short_side: int, *, highlighted: bool, palette: WallPalette = WALL) -> str:
    panel, number, desk = (
        (palette.highlight, palette.highlight_text, palette.highlight_text)
        if highlighted
        else (palette.panel, palette.number, palette.text)
    )
    radius = size("heading", short_side) // 2
    return f"""
    QWidget#wall {{ background: {palette.background}; }}
    QLabel {{ color: {palette.text}; font-family: "{FONT_FAMILY}"; background: transparent; }}
    QFrame#current_panel {{ background: {panel}; border-radius: {radius}px; }}
    QFrame#recent_panel, QFrame#waits_panel {{ background: {palette.panel}; border-radius: {radius}px; }}
    QLabel#current_label {{ color: {number}; font-size: {size("current_label", short_side)}px; font-weight: bold; }}
    QLabel#current_label[empty="true"] {{ font-size: {size("current_empty", short_side)}px; }}
    QLabel#current_desk {{ color: {desk}; font-size: {size("current_desk", short_side)}px; font-weight: bold; }}
    QLabel#current_desk[empty="true"] {{ color: {palette.muted}; font-size: {size("current_desk_empty", short_side)}px;
        font-weight: normal; }}
    QLabel#current_tag {{ color: {desk}; font-size: {size("current_tag", short_side)}px; }}
    QLabel[role="heading"] {{ color: {palette.muted}; font-size: {size("heading", short_side)}px; }}
    QLabel#current_heading {{ color: {desk}; }}
    QLabel[role="recent"] {{ font-size: {size("recent", short_side)}px; font-weight: bold; }}
    QLabel[role="recent_desk"] {{ font-size: {size("recent", short_side)}px; color: {palette.muted}; }}
    QLabel#wait_letter {{ color: {palette.number}; font-size: {size("wait_letter", short_side)}px; font-weight: bold; }}
    QLabel[role="wait_name"] {{ color: {palette.muted}; font-size: {size("wait_name", short_side)}px; }}
    QLabel[role="wait_headline"] {{ font-size: {size("wait_headline", short_side)}px; font-weight: bold; }}
    QLabel[role="wait_detail"] {{ color: {palette.muted}; font-size: {size("wait_detail", short_side)}px; }}
    QLabel#clock {{ font-size: {size("clock", short_side)}px; font-weight: bold; }}
    QLabel#location {{ font-size: {size("location", short_side)}px; color: {palette.muted}; }}
    QLabel#link_notice {{ font-size: {size("notice", short_side)}px; color: {palette.warning}; }}
    """
