"""What to print, as data: the contract between layouts, the ESC/POS encoder and the simulator.

A layout (a queue ticket, a receipt) builds a `Document` of blocks; the encoder turns it
into ESC/POS bytes for one printer's `PrinterProfile`; the bytes travel over a link. None
of these three knows how the others work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Align(StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Text:
    """One line (or paragraph, wrapped by the printer) of text."""

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    size: int = 1  # character magnification 1..8 in both directions (ESC/POS GS ! n)

    def __post_init__(self) -> None:
        if not 1 <= self.size <= 8:
            raise ValueError("text size must be 1..8")
        if "\n" in self.text:
            raise ValueError("one Text block is one line; use several blocks")


@dataclass(frozen=True, slots=True)
class QrCode:
    """A QR code (model 2, error correction M), printed natively or as a raster image."""

    payload: str
    module_dots: int = 6  # dots per QR module (ESC/POS GS ( k function 167: 1..16)
    align: Align = Align.CENTER


@dataclass(frozen=True, slots=True)
class Raster:
    """A 1-bit image: rows of `width` dots, packed 8 dots a byte, most significant bit left.

    Each row takes ceil(width / 8) bytes; a set bit is a black dot (ESC/POS GS v 0).
    """

    width: int
    height: int
    bits: bytes
    align: Align = Align.CENTER

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise ValueError("an image needs a width and a height")
        if len(self.bits) != self.row_bytes * self.height:
            raise ValueError("image data does not match its size")

    @property
    def row_bytes(self) -> int:
        return (self.width + 7) // 8


@dataclass(frozen=True, slots=True)
class Feed:
    lines: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    partial: bool = True


Block = Text | QrCode | Raster | Feed | Cut


@dataclass(frozen=True, slots=True)
class Document:
    blocks: tuple[Block, ...] = field(default_factory=tuple)


class DocumentError(ValueError):
    """The document cannot be printed as asked (a QR payload too long, an image too wide)."""


class TextRasterizer(Protocol):
    """Draws text the printer's code pages cannot encode (Arabic, some Turkish, Cyrillic).

    The kiosk supplies one built on Qt, which shapes every script; the encoder calls it
    only for lines no code page of the printer can hold.
    """

    def rasterize(self, text: Text, width_dots: int) -> Raster: ...
