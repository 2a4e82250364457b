"""A signature as drawn: strokes of points in millimetres with time stamps, and its SVG.

Kept as vectors, not pixels, so the desk gets the signature at any resolution an application asks for
(identity-document applications take 300–600 dpi scans of a signature field) and the timing, which
shows a signature was drawn rather than pasted. Millimetres come from the screen's physical size
(the pad converts), so the SVG's viewBox is the size on the glass.
"""

from __future__ import annotations

from dataclasses import dataclass

PEN_MM = 0.8  # a felt-tip's line: what application forms ask for, and it survives a 300 dpi scan
MARGIN_MM = 2.0  # white around the ink in the cropped picture (DESK.md)
PNG_DPI = 600


@dataclass(frozen=True, slots=True)
class InkPoint:
    x_mm: float
    y_mm: float
    t_ms: int  # since the first touch of this signature


Stroke = tuple[InkPoint, ...]


@dataclass(frozen=True)
class Signature:
    strokes: tuple[Stroke, ...]
    width_mm: float  # the pad's size: the strokes' coordinate space
    height_mm: float

    def __repr__(self) -> str:
        return f"Signature(strokes={len(self.strokes)})"

    @property
    def empty(self) -> bool:
        return not any(self.strokes)

    def ink_box(self) -> tuple[float, float, float, float] | None:
        """Left, top, right, bottom of the ink in mm (the pen's width included), or None."""
        points = [point for stroke in self.strokes for point in stroke]
        if not points:
            return None
        half = PEN_MM / 2
        return (
            min(p.x_mm for p in points) - half,
            min(p.y_mm for p in points) - half,
            max(p.x_mm for p in points) + half,
            max(p.y_mm for p in points) + half,
        )

    def crop_box(self) -> tuple[float, float, float, float] | None:
        """The ink with MARGIN_MM of white all round: what the PNG shows."""
        box = self.ink_box()
        if box is None:
            return None
        left, top, right, bottom = box
        return left - MARGIN_MM, top - MARGIN_MM, right + MARGIN_MM, bottom + MARGIN_MM

    def svg(self) -> str:
        """The whole pad as SVG, one path per stroke, in millimetres (a dot is a zero-length round line)."""
        width, height = _mm(self.width_mm), _mm(self.height_mm)
        paths = []
        for stroke in self.strokes:
            if not stroke:
                continue
            first, rest = stroke[0], stroke[1:] or stroke[:1]
            line = " ".join(f"L{_mm(p.x_mm)} {_mm(p.y_mm)}" for p in rest)
            paths.append(f'<path d="M{_mm(first.x_mm)} {_mm(first.y_mm)} {line}"/>')
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
            f'viewBox="0 0 {width} {height}">'
            f'<g fill="none" stroke="#000" stroke-width="{PEN_MM}" stroke-linecap="round" stroke-linejoin="round">'
            + "".join(paths)
            + "</g></svg>"
        )

    def stroke_lists(self) -> tuple[tuple[tuple[float, float, int], ...], ...]:
        """The strokes as DESK.md sends them: [[x_mm, y_mm, t_ms], …] per stroke."""
        return tuple(tuple((round(p.x_mm, 2), round(p.y_mm, 2), p.t_ms) for p in stroke) for stroke in self.strokes)


def _mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
