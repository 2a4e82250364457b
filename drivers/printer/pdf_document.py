"""A PDF (a letter, a form, a confirmation a caseworker sends) as pages for the receipt printer.

Each page is rendered with PDFium (pypdfium2) in grey, its blank margins trimmed, and the
content scaled to the printable width (never larger than the PDF says: at most 203 dpi,
the head's own resolution). Landscape pages print sideways, along the paper, when that
makes their text clearly larger. A page becomes one `Raster`; the encoder sends it
in GS v 0 bands the printer accepts. Pages are separated by a cut; a blank page is
skipped.

Grey becomes black or white in two ways, because a receipt is mostly text:
- everything is cut at one threshold (TEXT_THRESHOLD). Text and lines keep sharp edges;
  Floyd–Steinberg would fray every glyph edge into a speckled fringe, and at 4–5 pt
  (an A4 letter's 11 pt on 72 mm) that is the difference between "e" and "c";
- photographs (image objects in the PDF whose rendered area is mostly mid-tones) are
  Floyd–Steinberg dithered, after a levels stretch that keeps their paper white and
  their shadows solid. A scanned letter is an image too, but mostly white paper, so it
  is thresholded like text.

What cannot print is a `PdfError` with a `PdfProblem` for the caller to put into words:
not a PDF, needs a password, no pages or nothing on them, a file or a page too large,
too many pages. PDFium is not thread-safe, so every call into it holds one lock.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image

from drivers.printer.document import Align, Block, Cut, Document, DocumentError, Feed, Raster
from drivers.printer.profile import PrinterProfile

MAX_PDF_BYTES = 10 * 1024 * 1024  # a letter is 50 kB-2 MB; more is a scan archive, not a receipt
MAX_PAGES = 5
HEAD_DPI = 203  # thermal receipt heads: 8 dots a millimetre
POINTS_PER_INCH = 72  # PDF user space unit (ISO 32000-1 §8.3.2.3)
MAX_DOTS_PER_POINT = HEAD_DPI / POINTS_PER_INCH  # content is shrunk to fit, never blown up past its size
MAX_PAGE_MM = 600  # one page's paper; a longer page is not a document a citizen can take along
MAX_PAGE_DOTS = round(MAX_PAGE_MM / 25.4 * HEAD_DPI)
MAX_RENDER_PIXELS = 40_000_000  # one grey page render (40 MB): an A4 page at 203 dpi is 3.9 M
INK_LEVEL = 230  # grey darker than this is content when trimming margins (it is what prints)
TEXT_THRESHOLD = 160  # darker prints black: a stroke covering ~40 % of a dot prints, thin type survives
MIDTONES = (48, 208)  # grey levels neither paper nor ink
PHOTO_MIDTONE_SHARE = 0.25  # an image region with more mid-tone pixels than this is a photograph
PHOTO_LEVELS = (24, 232)  # dithered images: below prints solid, above stays paper (no speckle)
SIDEWAYS_GAIN = 1.25  # a landscape page turns when that prints it at least this much larger
PAGE_FEED_LINES = 1  # a little paper after the page, before the cut feeds it past the knife


class PdfProblem(StrEnum):
    NOT_PDF = "not_pdf"
    ENCRYPTED = "encrypted"
    EMPTY = "empty"
    TOO_BIG = "too_big"
    TOO_MANY_PAGES = "too_many_pages"
    PAGE_TOO_LONG = "page_too_long"


class PdfError(DocumentError):
    """The PDF cannot be printed; `problem` says why, the message says it in English for logs and the CLI."""

    def __init__(self, problem: PdfProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem


_PDFIUM = threading.Lock()

Grey = npt.NDArray[np.uint8]
PdfPage = Any  # pypdfium2.PdfPage: the package has no type information
Box = tuple[int, int, int, int]  # left, top, right, bottom in pixels; right and bottom exclusive


def pdf_document(
    data: bytes, profile: PrinterProfile, *, max_pages: int = MAX_PAGES, max_bytes: int = MAX_PDF_BYTES
) -> Document:
    """The PDF as one print job: each page an image across the paper, then a cut.

    Raises PdfError (a DocumentError) before anything is printed when the PDF cannot be.
    """
    blocks: list[Block] = []
    for raster in pdf_page_rasters(data, profile.dots_per_line, max_pages=max_pages, max_bytes=max_bytes):
        blocks += [raster, Feed(PAGE_FEED_LINES), Cut()]
    return Document(tuple(blocks))


def pdf_page_rasters(
    data: bytes, dots_per_line: int, *, max_pages: int = MAX_PAGES, max_bytes: int = MAX_PDF_BYTES
) -> list[Raster]:
    """One 1-bit image per page that has anything on it, at most `dots_per_line` wide."""
    if dots_per_line < 8:
        raise ValueError("the paper must be at least 8 dots wide")
    if not data:
        raise PdfError(PdfProblem.EMPTY, "The PDF file is empty")
    if len(data) > max_bytes:
        raise PdfError(
            PdfProblem.TOO_BIG, f"The PDF is too big to print: {_megabytes(len(data))}, at most {_megabytes(max_bytes)}"
        )
    if b"%PDF-" not in data[:1024]:  # ISO 32000-1 §7.5.2: the header; PDFium also looks in the first 1 kB
        raise PdfError(PdfProblem.NOT_PDF, "The file is not a PDF")
    with _PDFIUM:
        return _rasters(data, dots_per_line, max_pages)


def _rasters(data: bytes, dots_per_line: int, max_pages: int) -> list[Raster]:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # 20 ms and a shared library: only when printing
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

    # Loaded through the C call rather than PdfDocument(data): pypdfium2 reports a document without
    # pages as a load failure with whatever error PDFium last set, which may be an earlier file's.
    # `data` outlives the document: PDFium reads from it until the document is closed.
    handle = pdfium_c.FPDF_LoadMemDocument64(data, len(data), None)
    if not handle:
        raise _open_error(pdfium_c.FPDF_GetLastError())
    document = pdfium.PdfDocument(handle)
    try:
        pages = len(document)
        if pages == 0:
            raise PdfError(PdfProblem.EMPTY, "The PDF has no pages")
        if pages > max_pages:
            raise PdfError(
                PdfProblem.TOO_MANY_PAGES, f"The PDF has {pages} pages; at most {max_pages} can be printed here"
            )
        document.init_forms()  # filled-in form fields are part of what the citizen should get
        rasters: list[Raster] = []
        for index in range(pages):
            try:
                page = document[index]
                try:
                    raster = _page_raster(page, index + 1, dots_per_line)
                finally:
                    page.close()
            except pdfium.PdfiumError:
                raise PdfError(PdfProblem.NOT_PDF, f"Page {index + 1} of the PDF cannot be read") from None
            if raster is not None:
                rasters.append(raster)
        if not rasters:
            raise PdfError(PdfProblem.EMPTY, "The PDF's pages are blank")
        return rasters
    finally:
        document.close()


def _open_error(code: int) -> PdfError:
    """PDFium's FPDF_GetLastError after a failed load, in the caller's terms."""
    import pypdfium2.raw as pdfium_c

    if code == pdfium_c.FPDF_ERR_PASSWORD:
        return PdfError(PdfProblem.ENCRYPTED, "The PDF is protected with a password")
    if code == pdfium_c.FPDF_ERR_SECURITY:
        return PdfError(PdfProblem.ENCRYPTED, "The PDF is encrypted in a way that cannot be opened")
    return PdfError(PdfProblem.NOT_PDF, "The file is not a PDF that can be read")


def _page_raster(page: PdfPage, number: int, dots_per_line: int) -> Raster | None:
    """The page trimmed, scaled and made 1-bit; None for a blank page."""
    width_pt, height_pt = page.get_size()  # after the page's own /Rotate
    if width_pt <= 0 or height_pt <= 0:
        return None
    rotation = 90 if _sideways_is_larger(width_pt, height_pt, dots_per_line) else 0
    across, along = (height_pt, width_pt) if rotation else (width_pt, height_pt)

    # 1. Where is the content? A render one paper wide (or at the head's resolution, if smaller).
    probe_scale = min(dots_per_line / across, MAX_DOTS_PER_POINT)
    _check_render(number, across * probe_scale, along * probe_scale)
    probe = _render(page, probe_scale, rotation, (0.0, 0.0, 0.0, 0.0), find_images=False)[0]
    box = _ink_box(probe < INK_LEVEL)
    if box is None:
        return None
    left, top, right, bottom = (edge / probe_scale for edge in box)
    content = _Content(left, top, right, bottom, pad=1 / probe_scale)

    # 2. The content alone, scaled to the paper. The probe's dots are coarse, so its width may be a dot
    # or two off: measured again on this finer render, the scale is corrected once.
    scale = min(dots_per_line / content.width, MAX_DOTS_PER_POINT)
    for attempt in range(2):
        crop = content.crop(across, along)
        _check_render(number, (across - crop[0] - crop[2]) * scale, (along - crop[1] - crop[3]) * scale)
        grey, photos = _render(page, scale, rotation, crop)
        box = _ink_box(_one_bit(grey, photos))
        if box is None:
            return None
        x0, y0, x1, y1 = box
        if attempt or scale >= MAX_DOTS_PER_POINT or x1 - x0 == dots_per_line:
            break
        start_x, start_y = math.ceil(crop[0] * scale), math.ceil(crop[3] * scale)  # pypdfium2's bitmap origin
        content = _Content(
            (start_x + x0) / scale, (start_y + y0) / scale, (start_x + x1) / scale, (start_y + y1) / scale, 1 / scale
        )
        scale = min(scale * (dots_per_line + 0.5) / (x1 - x0), MAX_DOTS_PER_POINT)  # half a dot over, then shrink

    grey, photos = grey[y0:y1, x0:x1], _moved(photos, (x0, y0), 1.0, (x1 - x0, y1 - y0))
    if grey.shape[1] > dots_per_line:
        factor = dots_per_line / grey.shape[1]
        size = (dots_per_line, max(1, round(grey.shape[0] * factor)))
        grey = np.array(Image.fromarray(grey, "L").resize(size, Image.Resampling.LANCZOS), dtype=np.uint8)
        photos = _moved(photos, (0, 0), factor, size)
    black = _one_bit(grey, photos)
    box = _ink_box(black)
    if box is None:
        return None
    x0, y0, x1, y1 = box
    if y1 - y0 > MAX_PAGE_DOTS:
        raise PdfError(
            PdfProblem.PAGE_TOO_LONG,
            f"Page {number} of the PDF would be {(y1 - y0) * 25.4 / HEAD_DPI / 10:.0f} cm of paper; "
            f"at most {MAX_PAGE_MM // 10} cm a page",
        )
    return _raster(black[y0:y1, x0:x1])


def _sideways_is_larger(width_pt: float, height_pt: float, dots_per_line: int) -> bool:
    """Landscape pages print along the paper when that makes them clearly larger (A4 landscape: 1.4x).

    A label a little wider than the paper (80 x 30 mm) stays upright: shrunk by a tenth it is
    still easier to read than a receipt turned on its side.
    """
    upright = min(dots_per_line / width_pt, MAX_DOTS_PER_POINT)
    sideways = min(dots_per_line / height_pt, MAX_DOTS_PER_POINT)
    return width_pt > height_pt and sideways >= SIDEWAYS_GAIN * upright


@dataclass(frozen=True, slots=True)
class _Content:
    """Where the ink is on the (turned) page, in points from its top left corner."""

    left: float
    top: float
    right: float
    bottom: float
    pad: float  # a margin of about a dot, so a render at another scale does not clip an edge

    @property
    def width(self) -> float:
        return self.right - self.left

    def crop(self, across: float, along: float) -> tuple[float, float, float, float]:
        """pypdfium2's crop: what to cut off the left, bottom, right and top, in points."""
        pad = self.pad
        return (
            max(0.0, self.left - pad),
            max(0.0, along - self.bottom - pad),
            max(0.0, across - self.right - pad),
            max(0.0, self.top - pad),
        )


def _check_render(number: int, width: float, height: float) -> None:
    """Refuse before rendering what would be absurdly long (the trimmed page is checked again)."""
    if height > 4 * MAX_PAGE_DOTS or width * height > MAX_RENDER_PIXELS:
        raise PdfError(PdfProblem.PAGE_TOO_LONG, f"Page {number} of the PDF is too long to print on a receipt")


def _render(
    page: PdfPage, scale: float, rotation: int, crop: tuple[float, float, float, float], *, find_images: bool = True
) -> tuple[Grey, list[Box]]:
    """The page in grey (white paper), and where its image objects landed on the bitmap."""
    import pypdfium2.raw as pdfium_c

    bitmap = page.render(
        scale=scale, rotation=rotation, crop=crop, grayscale=True, force_bitmap_format=pdfium_c.FPDFBitmap_Gray
    )
    try:
        grey = np.array(bitmap.to_numpy(), dtype=np.uint8).reshape(bitmap.height, bitmap.width)
        to_bitmap = bitmap.get_posconv(page).to_bitmap
        photos: list[Box] = []
        for left, bottom, right, top in _image_bounds(page) if find_images else []:
            corners = [to_bitmap(x, y) for x in (left, right) for y in (bottom, top)]
            xs, ys = [c[0] for c in corners], [c[1] for c in corners]
            box = (max(0, min(xs)), max(0, min(ys)), min(grey.shape[1], max(xs)), min(grey.shape[0], max(ys)))
            if box[2] > box[0] and box[3] > box[1]:
                photos.append(box)
        return grey, photos
    finally:
        bitmap.close()


def _image_bounds(page: PdfPage) -> list[tuple[float, float, float, float]]:
    """Page-space bounds of each image, and of each form XObject that holds one.

    Bounds of objects inside a form are in the form's own space (PDFium's
    FPDFPageObj_GetBounds), so a form is taken whole, by its bounds on the page.
    """
    import pypdfium2.raw as pdfium_c

    image, form = pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM
    return [
        tuple(item.get_bounds())
        for item in page.get_objects(max_depth=0)
        if item.type == image
        or (item.type == form and any(inner.type == image for inner in page.get_objects(form=item)))
    ]


def _ink_box(ink: npt.NDArray[np.bool_]) -> Box | None:
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        return None
    columns = np.flatnonzero(ink.any(axis=0))
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def _one_bit(grey: Grey, photos: list[Box]) -> npt.NDArray[np.bool_]:
    """True for a black dot: threshold everywhere, Floyd–Steinberg where a photograph is."""
    black = grey < TEXT_THRESHOLD
    low, high = PHOTO_LEVELS
    for x0, y0, x1, y1 in photos:
        region = grey[y0:y1, x0:x1]
        midtones = np.count_nonzero((region > MIDTONES[0]) & (region < MIDTONES[1]))
        if midtones <= PHOTO_MIDTONE_SHARE * region.size:
            continue  # a scan of a letter, a logo in flat colours: crisp like text
        stretched = np.clip((region.astype(np.float32) - low) * (255 / (high - low)), 0, 255).astype(np.uint8)
        dithered = Image.fromarray(stretched, "L").convert("1", dither=Image.Dither.FLOYDSTEINBERG)
        black[y0:y1, x0:x1] = ~np.array(dithered, dtype=bool)
    return black


def _moved(boxes: list[Box], origin: tuple[int, int], factor: float, size: tuple[int, int]) -> list[Box]:
    """Boxes in a crop from `origin`, scaled by `factor`, clipped to a `size` (width, height) image."""
    moved = []
    for x0, y0, x1, y1 in boxes:
        left, top = max(0, round((x0 - origin[0]) * factor)), max(0, round((y0 - origin[1]) * factor))
        right, bottom = min(size[0], round((x1 - origin[0]) * factor)), min(size[1], round((y1 - origin[1]) * factor))
        if right > left and bottom > top:
            moved.append((left, top, right, bottom))
    return moved


def _raster(black: npt.NDArray[np.bool_]) -> Raster:
    """GS v 0 layout: rows of ceil(width / 8) bytes, most significant bit left, set bit black."""
    height, width = black.shape
    return Raster(width, height, np.packbits(black, axis=1).tobytes(), Align.CENTER)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
