"""A PDF printed on the receipt printer: rendered, trimmed, made 1-bit, sent as ESC/POS, cut per page.

The PDFs are made here, with Qt's QPdfWriter (embedded fonts, compressed streams, images, as
real PDFs are) or written out by hand where a test needs an odd one (no pages, a password, a
page 5 m long). What comes out is checked on the paper the simulated printer draws from the
ESC/POS bytes it parsed, against a picture of the same page drawn by Qt directly.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import threading
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import numpy.typing as npt
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

from drivers.printer import escpos_parser as ev
from drivers.printer.document import Cut, DocumentError, Feed, Raster
from drivers.printer.encoder import encode
from drivers.printer.pdf_document import (
    MAX_PAGE_DOTS,
    PdfError,
    PdfProblem,
    pdf_document,
    pdf_page_rasters,
)
from drivers.printer.profile import PAPER_DOTS, PrinterProfile
from drivers.printer.protocol import PrinterError
from drivers.printer.simulated_line import SimulatedLinePrinter

Bits = npt.NDArray[np.bool_]
Drawing = Callable[[QPainter], None]  # draws one page in millimetres, origin top left
PDF_DPI = 1200  # QPdfWriter's device units; the drawings are in mm, scaled to this
A4 = (210.0, 297.0)
PROFILE = PrinterProfile()


# -- making PDFs ------------------------------------------------------------------------------


def qt_pdf(pages: Sequence[Drawing], size_mm: tuple[float, float] = A4) -> bytes:
    """A PDF with one page per drawing, as QPdfWriter writes it (fonts embedded, streams compressed)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QSizeF(*size_mm), QPageSize.Unit.Millimeter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    painter = QPainter(writer)
    for index, draw in enumerate(pages):
        if index:
            writer.newPage()
        painter.save()
        painter.scale(PDF_DPI / 25.4, PDF_DPI / 25.4)
        draw(painter)
        painter.restore()
    painter.end()
    buffer.close()
    return bytes(data.data())


def qt_picture(draw: Drawing, size_mm: tuple[float, float], dots_per_mm: float) -> Bits:
    """The same drawing straight onto a grey image: what the page should look like, by another road."""
    image = QImage(round(size_mm[0] * dots_per_mm), round(size_mm[1] * dots_per_mm), QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(dots_per_mm, dots_per_mm)
    draw(painter)
    painter.end()
    stride = image.bytesPerLine()
    grey = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), stride)[:, : image.width()]
    return trimmed(grey < 160)


def big_text(text: str, left: float, top: float, height_mm: int = 12, bold: bool = True) -> Drawing:
    def draw(painter: QPainter) -> None:
        font = QFont("DejaVu Sans")
        font.setPixelSize(height_mm)  # in mm: the painter is scaled to millimetres
        font.setBold(bold)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.drawText(QRectF(left, top, 200, height_mm * 2), Qt.AlignmentFlag.AlignLeft, text)

    return draw


def box(left: float, top: float, width: float, height: float, pen_mm: float = 1.0, fill: str = "") -> Drawing:
    def draw(painter: QPainter) -> None:
        painter.setPen(QPen(QColor("black"), pen_mm) if pen_mm else Qt.PenStyle.NoPen)
        painter.setBrush(QColor(fill) if fill else Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(left, top, width, height))

    return draw


def gradient(left: float, top: float, width: float, height: float) -> Drawing:
    """A photograph stand-in: an embedded image going from black to white, left to right."""
    ramp = np.tile(np.linspace(0, 255, 256).astype(np.uint8), (64, 1))
    image = QImage(ramp.tobytes(), 256, 64, 256, QImage.Format.Format_Grayscale8).copy()

    def draw(painter: QPainter) -> None:
        painter.drawImage(QRectF(left, top, width, height), image)

    return draw


def scanned_text(left: float, top: float, width: float, height: float) -> Drawing:
    """A scan of a typed letter: an embedded image of black words on white paper."""
    image = QImage(1200, 300, QImage.Format.Format_Grayscale8)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont("DejaVu Sans")
    font.setPixelSize(60)
    painter.setFont(font)
    for row in range(4):
        painter.drawText(20, 70 + row * 70, "Hierbij ontvangt u de bevestiging")
    painter.end()

    def draw(painter: QPainter) -> None:
        painter.drawImage(QRectF(left, top, width, height), image)

    return draw


def together(*drawings: Drawing) -> Drawing:
    def draw(painter: QPainter) -> None:
        for drawing in drawings:
            drawing(painter)

    return draw


TEST_PAGE = together(big_text("BALIE TEST 42", 25, 25), box(25, 50, 160, 40))


def raw_pdf(page_dicts: Sequence[bytes], contents: Sequence[bytes] = (), trailer: bytes = b"", extra=()) -> bytes:
    """A PDF written by hand: catalog 1, pages 2, then the pages, their content streams, `extra` objects."""
    first_page = 3
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(page_dicts)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_dicts)),
    ]
    first_content = first_page + len(page_dicts)
    font = b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >>"
    for i, page in enumerate(page_dicts):
        content = b"/Contents %d 0 R" % (first_content + i) if i < len(contents) else b""
        objects.append(b"<< /Type /Page /Parent 2 0 R %s %s %s >>" % (page, content, font))
    objects += [b"<< /Length %d >>\nstream\n%s\nendstream" % (len(c), c) for c in contents]
    objects += list(extra)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref)
    return bytes(out)


def rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def password_pdf(user_password: bytes, content: bytes = b"") -> bytes:
    """A PDF locked with the standard security handler, revision 2 (ISO 32000-1 §7.6.3, algorithms 1-4)."""
    pad = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")

    def padded(password: bytes) -> bytes:
        return (password + pad)[:32]

    file_id = hashlib.md5(b"balie test").digest()
    permissions = -4
    owner = rc4(hashlib.md5(padded(b"owner")).digest()[:5], padded(user_password))
    key = hashlib.md5(padded(user_password) + owner + permissions.to_bytes(4, "little", signed=True) + file_id)
    file_key = key.digest()[:5]
    user = rc4(file_key, pad)
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P %d >>" % (
        owner.hex().encode(),
        user.hex().encode(),
        permissions,
    )
    contents = []
    if content:  # object 4, generation 0: its key is the file key, the object number and generation (algorithm 1)
        object_key = hashlib.md5(file_key + (4).to_bytes(3, "little") + (0).to_bytes(2, "little")).digest()[:10]
        contents.append(rc4(object_key, content))
    trailer = b"/Encrypt %d 0 R /ID [<%s> <%s>]" % (4 + len(contents), file_id.hex().encode(), file_id.hex().encode())
    return raw_pdf([b"/MediaBox [0 0 200 200]"], contents, trailer=trailer, extra=[encrypt])


# -- reading what came out --------------------------------------------------------------------


def raster_bits(raster: Raster) -> Bits:
    rows = np.frombuffer(raster.bits, np.uint8).reshape(raster.height, raster.row_bytes)
    return np.unpackbits(rows, axis=1)[:, : raster.width].astype(bool)


def paper_bits(png_image) -> Bits:  # type: ignore[no-untyped-def]
    return np.asarray(png_image.convert("L")) < 128


def trimmed(black: Bits) -> Bits:
    rows, columns = np.flatnonzero(black.any(axis=1)), np.flatnonzero(black.any(axis=0))
    return black[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]


def near(a: Bits, b: Bits) -> float:
    """Share of a's black dots with a black dot of b within one dot (rendering differs by a dot here and there)."""
    height, width = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    a, b = a[:height, :width], b[:height, :width]
    grown = b.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            grown |= np.roll(np.roll(b, dy, axis=0), dx, axis=1)
    return float(np.count_nonzero(a & grown) / max(1, np.count_nonzero(a)))


def isolated_dots(black: Bits) -> int:
    """Black dots with no black neighbour: the speckle dithering leaves, never found in crisp type."""
    padded = np.pad(black, 1)
    neighbours = sum(
        np.roll(np.roll(padded, dy, axis=0), dx, axis=1)[1:-1, 1:-1].astype(int)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if (dy, dx) != (0, 0)
    )
    return int(np.count_nonzero(black & (neighbours == 0)))


@pytest.fixture
def printer() -> Iterator[SimulatedLinePrinter]:
    line = SimulatedLinePrinter(PROFILE)
    yield line
    line.close()
    assert line.simulator.error is None


# -- the real path: PDF → Document → ESC/POS over a pty → the simulator's paper ------------------


def test_a_pdf_page_comes_out_on_paper_as_drawn_and_is_cut(qapp, printer: SimulatedLinePrinter) -> None:
    pdf = qt_pdf([TEST_PAGE])
    document = pdf_document(pdf, printer.profile)
    assert [type(block) for block in document.blocks] == [Raster, Feed, Cut]

    printer.print(document)
    assert printer.simulator.wait_for_receipts(1, timeout=10)
    (receipt,) = printer.simulator.receipts
    assert receipt.cuts == [True]
    assert receipt.lines == [] and receipt.unknown == []
    paper = paper_bits(receipt.image())

    # The paper carries exactly the page's raster: nothing lost in GS v 0, the pty or the parser.
    (raster,) = [block for block in document.blocks if isinstance(block, Raster)]
    page = raster_bits(raster)
    left = (PROFILE.dots_per_line - raster.width) // 2
    assert np.array_equal(paper[: raster.height, left : left + raster.width], page)
    assert not paper[raster.height :, :].any(axis=1)[:-20].any(), "only the cut line follows the page"

    # Margins trimmed: the box's 160 mm (+ its pen) spans the printable width.
    assert raster.width == PROFILE.dots_per_line
    assert page[:, 0].any() and page[:, -1].any() and page[0].any() and page[-1].any()

    # The box: its top and bottom edges are rows black from side to side, its sides columns.
    full_rows = np.flatnonzero(page.mean(axis=1) > 0.97)
    assert full_rows.size >= 2 and full_rows[-1] == raster.height - 1
    top_edge = full_rows[0]
    assert page[top_edge:, :3].mean() > 0.9 and page[top_edge:, -3:].mean() > 0.9
    inside = page[top_edge + 10 : raster.height - 10, 10:-10]
    assert not inside.any(), "the box is empty inside"

    # The text: above the box, as dark as big bold letters are, and shaped like Qt draws them.
    text = trimmed(page[:top_edge])
    assert 0.25 < text.mean() < 0.6
    dots_per_mm = raster.width / 161.0  # the box's outer edges: 160 mm and a 1 mm pen
    expected = qt_picture(big_text("BALIE TEST 42", 25, 25), A4, dots_per_mm)
    assert abs(text.shape[1] - expected.shape[1]) <= 3 and abs(text.shape[0] - expected.shape[0]) <= 3
    assert near(text, expected) > 0.97 and near(expected, text) > 0.97
    whole = qt_picture(TEST_PAGE, A4, dots_per_mm)
    assert near(page, whole) > 0.97 and near(whole, page) > 0.97


def test_every_page_is_cut_and_comes_out_in_order(qapp, printer: SimulatedLinePrinter) -> None:
    pages = [together(big_text(f"PAGE {n}", 20, 20), box(20, 40, 20 * n, 10, fill="black")) for n in (1, 2, 3)]
    pdf = qt_pdf(pages, (80, 100))
    document = pdf_document(pdf, printer.profile)
    assert [type(block) for block in document.blocks] == [Raster, Feed, Cut] * 3

    printer.print(document)
    assert printer.simulator.wait_for_receipts(3, timeout=10)
    receipts = printer.simulator.receipts
    assert [receipt.cuts for receipt in receipts] == [[True]] * 3
    bars = []
    for receipt in receipts:
        paper = paper_bits(receipt.image())
        bars.append(max(np.count_nonzero(row) for row in paper))  # the widest row is the black bar
    assert bars[0] < bars[1] < bars[2]


def test_a_long_page_goes_in_bands_the_printer_takes_and_joins_up(qapp) -> None:
    stripes = together(*(box(5, 10 + 40 * i, 60, 20, pen_mm=0, fill="black") for i in range(10)))
    pdf = qt_pdf([stripes], (70, 420))  # a receipt-shaped PDF: 10 stripes down 42 cm
    (raster,) = pdf_page_rasters(pdf, PROFILE.dots_per_line)
    assert raster.height > 2 * 1024

    data = encode(pdf_document(pdf, PROFILE), PROFILE)
    images = [event for event in ev.EscPosParser().feed(data) if isinstance(event, ev.RasterImage)]
    assert len(images) == -(-raster.height // 1024)
    assert all(image.height <= 1024 and image.width_dots == raster.row_bytes * 8 for image in images)
    assert b"".join(image.bits for image in images) == raster.bits
    bits = raster_bits(raster)
    starts = np.flatnonzero(np.diff(bits[:, bits.shape[1] // 2].astype(int)) == 1)
    assert len(starts) + 1 == 10, "ten stripes, none lost at a band's edge"


def test_text_stays_crisp_and_a_photograph_is_dithered(qapp) -> None:
    page = together(big_text("Geachte heer, mevrouw,", 20, 20, height_mm=5, bold=False), gradient(20, 40, 150, 40))
    (raster,) = pdf_page_rasters(qt_pdf([page]), PROFILE.dots_per_line)
    bits = raster_bits(raster)
    rows = np.flatnonzero(bits.any(axis=1))
    gap = np.flatnonzero(np.diff(rows) > 20)[0]
    text, photo = bits[: rows[gap] + 1], bits[rows[gap + 1] :]

    assert isolated_dots(text) == 0, "type is thresholded, not dithered"
    columns = np.array_split(photo[5:-5], 10, axis=1)
    darkness = [column.mean() for column in columns]
    assert darkness[0] > 0.9 and darkness[-1] < 0.1, "black stays solid, white stays paper"
    assert all(a > b for a, b in itertools.pairwise(darkness)), "the ramp prints as a ramp"
    assert 0.3 < darkness[4] < 0.7 and isolated_dots(photo) > 100, "mid-grey is dithered into dots"


def test_a_scanned_letter_is_thresholded_like_text(qapp) -> None:
    (raster,) = pdf_page_rasters(qt_pdf([scanned_text(20, 20, 170, 42)]), PROFILE.dots_per_line)
    assert isolated_dots(raster_bits(raster)) < 20


def test_a_landscape_page_prints_along_the_paper(qapp) -> None:
    wide = box(10, 10, 200, 40, pen_mm=0, fill="black")  # 200 mm wide, 40 mm tall
    (raster,) = pdf_page_rasters(qt_pdf([wide], (220, 60)), PROFILE.dots_per_line)
    # Sideways the bar is 40 mm across the paper (at 203 dpi, its own size), 200 mm along it.
    assert raster.width == pytest.approx(40 * 203 / 25.4, abs=2)
    assert raster.height / raster.width == pytest.approx(5, rel=0.02)


def test_a_label_a_little_wider_than_the_paper_stays_upright(qapp) -> None:
    label = box(2, 2, 76, 26, pen_mm=0, fill="black")
    (raster,) = pdf_page_rasters(qt_pdf([label], (80, 30)), PROFILE.dots_per_line)
    assert raster.width == PROFILE.dots_per_line
    assert raster.width / raster.height == pytest.approx(76 / 26, rel=0.02)


def test_small_content_prints_at_its_own_size_not_blown_up(qapp) -> None:
    (raster,) = pdf_page_rasters(qt_pdf([box(100, 100, 20, 10, pen_mm=0, fill="black")]), PROFILE.dots_per_line)
    assert raster.width == pytest.approx(20 * 203 / 25.4, abs=2)  # 20 mm at 203 dpi
    assert raster.height == pytest.approx(10 * 203 / 25.4, abs=2)


@pytest.mark.parametrize("paper_mm", sorted(PAPER_DOTS))
def test_the_page_fits_each_paper(qapp, paper_mm: int) -> None:
    profile = PrinterProfile.for_paper(paper_mm)
    (raster,) = pdf_page_rasters(qt_pdf([TEST_PAGE]), profile.dots_per_line)
    assert raster.width == profile.dots_per_line


def test_a_page_rotated_by_the_pdf_prints_upright() -> None:
    bar = b"0 0 0 rg 10 10 180 20 re f"  # a bar along the bottom of a 200 x 400 page
    upright = raw_pdf([b"/MediaBox [0 0 200 400]"], [bar])
    rotated = raw_pdf([b"/MediaBox [0 0 400 200] /Rotate 90"], [b"0 0 0 rg 10 10 20 180 re f"])
    (a,) = pdf_page_rasters(upright, PROFILE.dots_per_line)
    (b,) = pdf_page_rasters(rotated, PROFILE.dots_per_line)
    assert (a.width, a.height) == (b.width, b.height)


def test_blank_pages_are_skipped_and_all_blank_is_an_error() -> None:
    text = b"BT /F1 40 Tf 20 100 Td (BALIE TEST 42) Tj ET"
    pages = raw_pdf([b"/MediaBox [0 0 400 200]"] * 3, [b"", text, b""])
    assert len(pdf_page_rasters(pages, PROFILE.dots_per_line)) == 1
    with pytest.raises(PdfError, match="blank") as blank:
        pdf_page_rasters(raw_pdf([b"/MediaBox [0 0 200 200]"] * 2), PROFILE.dots_per_line)
    assert blank.value.problem is PdfProblem.EMPTY


# -- what cannot be printed is a plain error, never a crash ---------------------------------


def test_paper_out_refuses_with_the_plain_reason(qapp) -> None:
    printer = SimulatedLinePrinter(PROFILE, paper="out")
    try:
        with pytest.raises(PrinterError, match=r"^Paper is out$"):
            printer.print(pdf_document(qt_pdf([TEST_PAGE]), printer.profile))
        assert printer.simulator.receipts == []
    finally:
        printer.close()


def test_paper_running_out_during_the_job_is_reported(qapp) -> None:
    """Paper runs out during page 1 of 3: what came out is page 1 uncut, and the job fails with the reason."""
    pages = [together(big_text(f"PAGE {n}", 5, 5, height_mm=8), box(5, 16, 60, 4, fill="black")) for n in (1, 2, 3)]
    document = pdf_document(qt_pdf(pages, (80, 30)), PROFILE)
    page_bytes = len(encode(document, PROFILE)) // 3
    printer = SimulatedLinePrinter(PROFILE, baud=115200)  # a real line's pace: time to pull the paper mid-job
    simulator = printer.simulator

    def run_out() -> None:
        if simulator.wait_for_bytes(page_bytes // 2, timeout=10):
            simulator.set_paper("out")

    spoiler = threading.Thread(target=run_out)
    spoiler.start()
    try:
        with pytest.raises(PrinterError, match=r"^Paper is out$"):
            printer.print(document)
        assert simulator.receipts == [], "no page was finished and cut"
    finally:
        spoiler.join()
        printer.close()


def test_the_six_page_limit(qapp) -> None:
    five = qt_pdf([TEST_PAGE] * 5)
    assert len(pdf_page_rasters(five, PROFILE.dots_per_line)) == 5
    with pytest.raises(PdfError, match=r"^The PDF has 6 pages; at most 5 can be printed here$") as six:
        pdf_document(qt_pdf([TEST_PAGE] * 6), PROFILE)
    assert six.value.problem is PdfProblem.TOO_MANY_PAGES
    assert len(pdf_page_rasters(qt_pdf([TEST_PAGE] * 6), PROFILE.dots_per_line, max_pages=6)) == 6


@pytest.mark.parametrize(
    ("data", "problem", "message"),
    [
        (b"", PdfProblem.EMPTY, r"^The PDF file is empty$"),
        (b"Dear citizen,\nthis is a text file.\n", PdfProblem.NOT_PDF, r"^The file is not a PDF$"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), PdfProblem.NOT_PDF, r"^The file is not a PDF$"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 4, PdfProblem.NOT_PDF, r"^The file is not a PDF that can be read$"),
        (password_pdf(b"geheim"), PdfProblem.ENCRYPTED, r"^The PDF is protected with a password$"),
        (raw_pdf([]), PdfProblem.EMPTY, r"^The PDF has no pages$"),
        (
            raw_pdf([b"/MediaBox [0 0 200 14400]"], [b"0 0 0 rg 0 0 200 14400 re f"]),
            PdfProblem.PAGE_TOO_LONG,
            r"^Page 1 of the PDF is too long to print on a receipt$",
        ),
    ],
    ids=["empty", "text", "png", "garbage", "password", "no-pages", "too-long"],
)
def test_what_cannot_print_says_why(data: bytes, problem: PdfProblem, message: str) -> None:
    with pytest.raises(PdfError, match=message) as error:
        pdf_document(data, PROFILE)
    assert error.value.problem is problem
    assert isinstance(error.value, DocumentError), "the printer's callers already handle DocumentError"


def test_a_pdf_with_only_an_owner_password_prints() -> None:
    """Encrypted for permissions only: anyone may open it without a password, so it prints, as readers show it."""
    (raster,) = pdf_page_rasters(password_pdf(b"", b"0 0 0 rg 10 10 180 20 re f"), PROFILE.dots_per_line)
    assert raster_bits(raster).mean() > 0.95, "the decrypted content: one black bar"


def test_a_page_longer_than_the_limit_after_trimming_is_refused() -> None:
    tall = raw_pdf([b"/MediaBox [0 0 200 3000]"], [b"0 0 0 rg 0 0 200 3000 re f"])  # 106 cm of black
    with pytest.raises(PdfError, match=r"^Page 1 of the PDF would be \d+ cm of paper; at most 60 cm a page$") as long:
        pdf_page_rasters(tall, PROFILE.dots_per_line)
    assert long.value.problem is PdfProblem.PAGE_TOO_LONG
    short = raw_pdf([b"/MediaBox [0 0 200 1000]"], [b"0 0 0 rg 0 0 200 1000 re f"])
    (raster,) = pdf_page_rasters(short, PROFILE.dots_per_line)
    assert raster.height <= MAX_PAGE_DOTS


def test_too_big_a_file_is_refused_before_it_is_read(qapp) -> None:
    pdf = qt_pdf([TEST_PAGE])
    with pytest.raises(PdfError, match=r"^The PDF is too big to print: 0\.0 MB, at most 0\.0 MB$") as big:
        pdf_document(pdf, PROFILE, max_bytes=len(pdf) - 1)
    assert big.value.problem is PdfProblem.TOO_BIG


def test_damaged_pdfs_print_or_fail_plainly_never_crash(qapp) -> None:
    good = qt_pdf([TEST_PAGE])
    rng = random.Random(42)
    outcomes = set()
    for _ in range(60):
        damaged = bytearray(good)
        if rng.random() < 0.3:
            damaged = damaged[: rng.randrange(10, len(damaged))]
        for _ in range(rng.randrange(1, 20)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        try:
            rasters = pdf_page_rasters(bytes(damaged), PROFILE.dots_per_line)
        except PdfError as exc:
            outcomes.add(exc.problem)
        else:
            assert all(raster.width <= PROFILE.dots_per_line for raster in rasters)
            outcomes.add("printed")
    assert "printed" in outcomes


def test_pdfium_is_used_from_one_thread_at_a_time(qapp) -> None:
    pdf = qt_pdf([TEST_PAGE])
    expected = pdf_page_rasters(pdf, PROFILE.dots_per_line)
    results: list[list[Raster]] = []

    def work() -> None:
        results.append(pdf_page_rasters(pdf, PROFILE.dots_per_line))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4
