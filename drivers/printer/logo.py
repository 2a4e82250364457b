"""A logo (PNG, SVG-rendered PNG, JPEG) as a printable 1-bit raster, sized for the paper.

Thermal printers print dots, black or nothing: the image is scaled to fit the printable
width and dithered (Floyd–Steinberg) so grey areas and anti-aliased edges keep their look.
"""

from __future__ import annotations

from pathlib import Path

from drivers.printer.document import Align, DocumentError, Raster

LOGO_SHARE = 0.6  # of the printable width: a header, not a banner


def logo_raster(path: Path, dots_per_line: int, *, share: float = LOGO_SHARE) -> Raster:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as source:
            image = source.convert("RGBA")
    except FileNotFoundError:
        raise DocumentError(f"logo {path} does not exist") from None
    except (UnidentifiedImageError, OSError) as exc:
        raise DocumentError(f"logo {path} is not an image ({type(exc).__name__})") from None
    white = Image.new("RGBA", image.size, "white")
    flat = Image.alpha_composite(white, image).convert("L")  # transparent parts are paper
    width = max(8, min(round(dots_per_line * share), dots_per_line))
    if flat.width > width or flat.width < width // 2:
        height = max(1, round(flat.height * width / flat.width))
        flat = flat.resize((width, height), Image.Resampling.LANCZOS)
    # PIL's "1" mode: 0 is black; ESC/POS GS v 0 wants a set bit for a black dot.
    bits = flat.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    packed = bytes(255 - byte for byte in bits.tobytes())
    return Raster(bits.width, bits.height, packed, Align.CENTER)
