"""Colours and sizes as data, turned into one Qt style sheet.

High contrast and large text are per-session choices of the citizen and can be
combined; the standard palette keeps text contrast above WCAG AA (4.5:1) anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


class ThemeName(StrEnum):
    STANDARD = "standard"
    HIGH_CONTRAST = "high-contrast"
    LARGE_TEXT = "large-text"


@dataclass(frozen=True, slots=True)
class Palette:
    background: str
    surface: str
    text: str
    muted_text: str
    accent: str  # primary buttons
    accent_text: str
    help: str  # the "talk to a person" button, recognisable on every screen
    help_text: str
    focus: str  # keyboard focus ring: must stand out against everything
    border: str
    disabled: str


STANDARD = Palette(
    background="#f4f6f9",
    surface="#ffffff",
    text="#14213d",
    muted_text="#3d4a63",
    accent="#154273",  # Rijkshuisstijl-like dark blue
    accent_text="#ffffff",
    help="#b3430e",
    help_text="#ffffff",
    focus="#ffb612",
    border="#8a94a6",
    disabled="#d5d9e0",
)

HIGH_CONTRAST = Palette(
    background="#000000",
    surface="#000000",
    text="#ffffff",
    muted_text="#ffffff",
    accent="#ffff00",
    accent_text="#000000",
    help="#00ffff",
    help_text="#000000",
    focus="#ff00ff",
    border="#ffffff",
    disabled="#333333",
)


@dataclass(frozen=True, slots=True)
class Theme:
    palette: Palette
    scale: float = 1.0  # text size factor
    base_px: int = 32  # body text on a 1080 px wide portrait screen

    @classmethod
    def for_preferences(cls, *, high_contrast: bool, large_text: bool) -> Theme:
        return cls(HIGH_CONTRAST if high_contrast else STANDARD, 1.45 if large_text else 1.0)

    @classmethod
    def named(cls, name: ThemeName) -> Theme:
        return cls.for_preferences(
            high_contrast=name is ThemeName.HIGH_CONTRAST, large_text=name is ThemeName.LARGE_TEXT
        )

    @property
    def high_contrast(self) -> bool:
        return self.palette is HIGH_CONTRAST

    @property
    def large_text(self) -> bool:
        return self.scale > 1.0

    def with_base(self, base_px: int) -> Theme:
        return replace(self, base_px=base_px)

    def px(self, factor: float) -> int:
        return round(self.base_px * self.scale * factor)

    def style_sheet(self) -> str:
        p = self.palette
        border_width = 3 if p is HIGH_CONTRAST else 2
        return f"""
* {{ font-family: "DejaVu Sans"; color: {p.text}; }}
#KioskWindow, QStackedWidget, #Screen {{ background: {p.background}; }}
QLabel {{ font-size: {self.px(1.0)}px; background: transparent; }}
QLabel[role="title"] {{ font-size: {self.px(1.9)}px; font-weight: bold; }}
QLabel[role="subtitle"] {{ font-size: {self.px(1.25)}px; color: {p.muted_text}; }}
QLabel[role="huge"] {{ font-size: {self.px(4.0)}px; font-weight: bold; }}
QLabel[role="notice"] {{ font-size: {self.px(1.1)}px; background: {p.surface};
    border: {border_width}px solid {p.border}; border-radius: 12px; padding: 20px; }}
QPushButton {{ font-size: {self.px(1.1)}px; min-height: {max(64, self.px(2.4))}px; min-width: 64px;
    padding: 8px 24px; border-radius: 14px; background: {p.surface}; color: {p.text};
    border: {border_width}px solid {p.border}; }}
QPushButton[role="primary"] {{ background: {p.accent}; color: {p.accent_text}; border-color: {p.accent};
    font-weight: bold; }}
QPushButton[role="help"] {{ background: {p.help}; color: {p.help_text}; border-color: {p.help};
    font-weight: bold; font-size: {self.px(1.2)}px; }}
QPushButton[role="tile"] {{ min-height: {max(180, self.px(5.5))}px; border-radius: 20px; }}
QPushButton[role="wide"] {{ min-height: {max(64, self.px(2.4))}px; padding: 0; }}
QLabel[role="tileTitle"] {{ font-size: {self.px(1.45)}px; font-weight: bold; }}
QLabel[role="tileSubtitle"] {{ font-size: {self.px(1.0)}px; color: {p.muted_text}; }}
QPushButton[role="wide"] QLabel[role="tileTitle"] {{ font-size: {self.px(1.1)}px; font-weight: normal; }}
QPushButton[role="hero"] {{ background: {p.accent}; color: {p.accent_text}; border-color: {p.accent};
    font-weight: bold; font-size: {self.px(2.0)}px; min-height: {max(200, self.px(6.5))}px; border-radius: 28px; }}
QPushButton[role="key"] {{ font-size: {self.px(1.3)}px; min-width: 64px; min-height: {max(88, self.px(2.9))}px;
    padding: 0; }}
QPushButton[role="toggle"]:checked {{ background: {p.accent}; color: {p.accent_text}; }}
QPushButton:disabled {{ background: {p.disabled}; color: {p.muted_text}; border-style: dashed; }}
QPushButton:focus {{ border: 6px solid {p.focus}; }}
QLineEdit {{ font-size: {self.px(1.8)}px; padding: 12px; min-height: 72px; background: {p.surface};
    color: {p.text}; border: {border_width + 1}px solid {p.border}; border-radius: 10px; }}
QLineEdit:focus {{ border: 6px solid {p.focus}; }}
#IdleOverlay {{ background: rgba(0, 0, 0, 170); }}
#IdleCard, #Card {{ background: {p.surface}; border: {border_width}px solid {p.border}; border-radius: 20px; }}
#HelpBar {{ background: {p.surface}; border-top: {border_width}px solid {p.border}; }}
"""
