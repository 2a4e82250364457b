"""What one printer model can do, from config: paper width, code pages, native QR.

ESC t n numbers are Epson's (ESC/POS command reference, "ESC t"); other brands that
speak ESC/POS use the same numbers for these common pages.
"""

from __future__ import annotations

from dataclasses import dataclass

# name -> (ESC t n, Python codec)
CODE_PAGES: dict[str, tuple[int, str]] = {
    "pc437": (0, "cp437"),
    "pc850": (2, "cp850"),
    "pc860": (3, "cp860"),
    "pc863": (4, "cp863"),
    "pc865": (5, "cp865"),
    "pc857": (13, "cp857"),  # Turkish: ğ ş ı İ
    "pc866": (17, "cp866"),  # Cyrillic
    "pc852": (18, "cp852"),  # Central European
    "pc858": (19, "cp858"),  # pc850 with €: Dutch and most Western European text
    "wpc1252": (16, "cp1252"),
}

# Dots per line at 203 dpi for the common roll widths.
PAPER_DOTS = {58: 384, 80: 576}


@dataclass(frozen=True, slots=True)
class PrinterProfile:
    paper_mm: int = 80
    dots_per_line: int = 576
    code_pages: tuple[str, ...] = ("pc858", "pc857", "pc866")  # tried in this order, per line
    native_qr: bool = True  # GS ( k; False for printers that lack it: the QR goes as an image

    def __post_init__(self) -> None:
        unknown = [name for name in self.code_pages if name not in CODE_PAGES]
        if unknown:
            raise ValueError(f"unknown code page {unknown[0]!r} (known: {', '.join(CODE_PAGES)})")
        if not self.code_pages:
            raise ValueError("at least one code page is needed")

    @property
    def chars_per_line(self) -> int:
        """Font A is 12 dots wide."""
        return self.dots_per_line // 12

    @classmethod
    def for_paper(
        cls, paper_mm: int, *, code_pages: tuple[str, ...] = ("pc858", "pc857", "pc866"), native_qr: bool = True
    ) -> PrinterProfile:
        if paper_mm not in PAPER_DOTS:
            raise ValueError(f"paper width {paper_mm} mm is not supported (use {' or '.join(map(str, PAPER_DOTS))})")
        return cls(paper_mm, PAPER_DOTS[paper_mm], code_pages, native_qr)
