"""Documents to ESC/POS bytes, compared with the bytes the Epson command reference gives."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from drivers.printer import commands
from drivers.printer.document import Align, Cut, Document, DocumentError, Feed, QrCode, Raster, Text
from drivers.printer.encoder import QR_MAX_BYTES, encode, qr_modules, qr_raster
from drivers.printer.profile import PrinterProfile

ESC_AT = b"\x1b@"
PROFILE = PrinterProfile()  # 80 mm, pc858 / pc857 / pc866, native QR
URL = "https://example.org/t/A042"


def doc(*blocks: Text | QrCode | Raster | Feed | Cut) -> Document:
    return Document(tuple(blocks))


class FakeRasterizer:
    """Draws every line as the same small image and remembers what it was asked."""

    def __init__(self, raster: Raster) -> None:
        self.raster = raster
        self.calls: list[tuple[Text, int]] = []

    def rasterize(self, text: Text, width_dots: int) -> Raster:
        self.calls.append((text, width_dots))
        return self.raster


def raster_bands(data: bytes) -> list[tuple[int, int, bytes]]:
    """(bytes a row, rows, bits) of every GS v 0 in `data`, in order."""
    bands = []
    start = data.find(b"\x1dv0\x00")
    while start >= 0:
        row_bytes = int.from_bytes(data[start + 4 : start + 6], "little")
        rows = int.from_bytes(data[start + 6 : start + 8], "little")
        bits = data[start + 8 : start + 8 + row_bytes * rows]
        bands.append((row_bytes, rows, bits))
        start = data.find(b"\x1dv0\x00", start + 8 + len(bits))
    return bands


def decode_qr(width: int, row_bytes: int, bits: bytes) -> str:
    """Read a 1-bit image back with OpenCV, as a phone would read the paper."""
    packed = np.frombuffer(bits, dtype=np.uint8).reshape(-1, row_bytes)
    dots = np.unpackbits(packed, axis=1)[:, :width]
    gray = np.where(dots == 1, 0, 255).astype(np.uint8)
    gray = np.kron(gray, np.ones((2, 2), dtype=np.uint8))  # x2: the detector likes bigger modules
    gray = np.pad(gray, 16, constant_values=255)
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(gray)
    return str(text)


# -- text ---------------------------------------------------------------------------------


def test_dutch_text_uses_pc858_with_the_euro_sign():
    assert encode(doc(Text("Café €5")), PROFILE) == ESC_AT + b"\x1bt\x13" + b"Caf\x82 \xd55\n"


def test_turkish_text_switches_to_pc857_and_back_only_when_needed():
    data = encode(doc(Text("Welkom"), Text("Sağlık"), Text("İyi günler"), Text("Dank u")), PROFILE)
    assert data == (
        ESC_AT
        + b"\x1bt\x13Welkom\n"
        + b"\x1bt\x0dSa\xa7l\x8dk\n"
        + b"\x98yi g\x81nler\n"  # still pc857: no ESC t
        + b"\x1bt\x13Dank u\n"
    )


def test_cyrillic_uses_pc866():
    assert encode(doc(Text("Привет")), PROFILE) == ESC_AT + b"\x1bt\x11" + "Привет".encode("cp866") + b"\n"


def test_text_no_code_page_holds_is_drawn_by_the_rasterizer():
    image = Raster(16, 2, bytes((0xF0, 0x0F, 0xAA, 0x55)), Align.RIGHT)
    rasterizer = FakeRasterizer(image)
    line = Text("مرحبا", align=Align.RIGHT)
    data = encode(doc(line), PROFILE, rasterizer)
    assert rasterizer.calls == [(line, 576)]
    assert data == ESC_AT + b"\x1ba\x02" + b"\x1dv0\x00\x02\x00\x02\x00" + bytes((0xF0, 0x0F, 0xAA, 0x55))


def test_without_a_rasterizer_such_text_prints_question_marks():
    assert encode(doc(Text("مرحبا")), PROFILE) == ESC_AT + b"\x1bt\x13?????\n"
    assert encode(doc(Text("Ad 文字")), PROFILE) == ESC_AT + b"\x1bt\x13Ad ??\n"


def test_a_rasterizer_image_wider_than_the_paper_is_refused():
    rasterizer = FakeRasterizer(Raster(600, 1, bytes(75)))
    with pytest.raises(DocumentError, match=r"^image is 600 dots wide, the paper takes at most 576$"):
        encode(doc(Text("مرحبا")), PROFILE, rasterizer)


def test_control_characters_cannot_smuggle_in_commands():
    assert encode(doc(Text("A\x1b@\x10\x04\x01B\x7f")), PROFILE) == ESC_AT + b"\x1bt\x13A?@???B?\n"


def test_style_commands_only_when_they_change_and_reset_at_the_end():
    data = encode(
        doc(
            Text("A042", align=Align.CENTER, bold=True, size=3),
            Text("B", align=Align.CENTER, bold=True, size=3),
            Text("c", align=Align.RIGHT),
        ),
        PROFILE,
    )
    assert data == (
        ESC_AT + b"\x1bt\x13" + b"\x1ba\x01\x1bE\x01\x1d!\x22A042\n" + b"B\n" + b"\x1ba\x02\x1bE\x00\x1d!\x00c\n"
    )
    end_bold = encode(doc(Text("x", bold=True, size=2)), PROFILE)
    assert end_bold.endswith(b"x\n\x1bE\x00\x1d!\x00")


# -- QR codes -------------------------------------------------------------------------------


def test_native_qr_bytes():
    data = encode(doc(QrCode(URL)), PROFILE)
    assert data == (
        ESC_AT
        + b"\x1ba\x01"
        + bytes.fromhex("1d 28 6b 04 00 31 41 32 00")  # function 165: model 2
        + bytes.fromhex("1d 28 6b 03 00 31 43 06")  # function 167: 6 dots a module
        + bytes.fromhex("1d 28 6b 03 00 31 45 31")  # function 169: level M
        + bytes.fromhex("1d 28 6b 1d 00 31 50 30")  # function 180: store 26 bytes (+3)
        + URL.encode()
        + bytes.fromhex("1d 28 6b 03 00 31 51 30")  # function 181: print
    )


def test_qr_store_length_is_little_endian():
    payload = "x" * 300
    data = encode(doc(QrCode(payload, module_dots=2)), PROFILE)
    assert bytes.fromhex("1d 28 6b 2f 01 31 50 30") + payload.encode() in data  # 303 = 0x012f


def test_qr_payload_limit_counts_utf8_bytes():
    encode(doc(QrCode("x" * QR_MAX_BYTES, module_dots=1)), PROFILE)
    with pytest.raises(DocumentError, match=r"^QR code payload too long: 2332 bytes, at most 2331$"):
        encode(doc(QrCode("x" * 2332)), PROFILE)
    with pytest.raises(DocumentError, match=r"^QR code payload too long: 2334 bytes, at most 2331$"):
        encode(doc(QrCode("€" * 778)), PROFILE)
    with pytest.raises(DocumentError, match="empty"):
        encode(doc(QrCode("")), PROFILE)


def test_qr_modules_is_the_symbol_side():
    assert qr_modules(URL) == 25  # 26 bytes: version 2 at level M
    assert qr_modules("x") == 21  # version 1
    assert qr_modules("x" * QR_MAX_BYTES) == 177  # version 40


def test_native_qr_module_size_shrinks_to_fit_the_paper():
    narrow = PrinterProfile.for_paper(58)  # 384 dots
    payload = "x" * 1000
    modules = qr_modules(payload)
    data = encode(doc(QrCode(payload, module_dots=16)), narrow)
    assert bytes.fromhex("1d 28 6b 03 00 31 43") + bytes((384 // modules,)) in data
    assert modules * (384 // modules) <= 384 < modules * 16


def test_qr_module_size_out_of_range_is_refused():
    with pytest.raises(DocumentError, match="1 to 16"):
        encode(doc(QrCode(URL, module_dots=17)), PROFILE)


def test_raster_qr_fallback_is_a_real_qr_code():
    profile = PrinterProfile.for_paper(80, native_qr=False)
    data = encode(doc(QrCode(URL, module_dots=4, align=Align.LEFT)), profile)
    assert data.startswith(ESC_AT + b"\x1dv0\x00")  # already left: no ESC a
    assert b"\x1d(k" not in data
    ((row_bytes, rows, bits),) = raster_bands(data)
    side = (qr_modules(URL) + 8) * 4  # 4-module quiet zone on both sides
    assert (row_bytes, rows) == ((side + 7) // 8, side)
    assert decode_qr(side, row_bytes, bits) == URL


def test_raster_qr_shrinks_to_fit_and_refuses_when_it_cannot():
    tiny = PrinterProfile(paper_mm=58, dots_per_line=100, native_qr=False)
    data = encode(doc(QrCode(URL, module_dots=6)), tiny)
    ((row_bytes, rows, bits),) = raster_bands(data)
    assert rows == (25 + 8) * 3  # 6 dots would be 198 wide; 3 dots make 99
    assert decode_qr(rows, row_bytes, bits) == URL
    with pytest.raises(DocumentError, match="QR code is too wide for the paper"):
        encode(doc(QrCode(URL)), PrinterProfile(paper_mm=58, dots_per_line=30, native_qr=False))


def test_qr_raster_for_the_simulator_side_decodes():
    image = qr_raster(URL.encode(), 3)
    assert image.width == image.height == (25 + 8) * 3
    assert decode_qr(image.width, image.row_bytes, image.bits) == URL


# -- images, feeds and cuts -------------------------------------------------------------------


def test_raster_is_aligned_and_sent_in_bands_of_1024_rows():
    rows = 2500
    bits = bytes(i % 251 for i in range(2 * rows))
    data = encode(doc(Raster(12, rows, bits, Align.CENTER)), PROFILE)
    assert data.startswith(ESC_AT + b"\x1ba\x01")
    assert [(b, r) for b, r, _ in raster_bands(data)] == [(2, 1024), (2, 1024), (2, 452)]
    assert b"".join(band for _, _, band in raster_bands(data)) == bits
    assert data[len(ESC_AT) + 3 :].startswith(b"\x1dv0\x00\x02\x00\x00\x04")


def test_raster_wider_than_the_paper_is_refused():
    with pytest.raises(DocumentError, match=r"^image is 577 dots wide, the paper takes at most 576$"):
        encode(doc(Raster(577, 1, bytes(73))), PROFILE)


def test_feed_and_cut():
    data = encode(doc(Feed(2), Feed(300), Feed(0), Cut(), Cut(partial=False)), PROFILE)
    assert data == ESC_AT + b"\x1bd\x02" + b"\x1bd\xff\x1bd\x2d" + b"\x1dVB\x03" + b"\x1dVA\x03"
    with pytest.raises(DocumentError):
        encode(doc(Feed(-1)), PROFILE)


def test_an_unknown_block_is_a_document_error():
    with pytest.raises(DocumentError, match="cannot print a str"):
        encode(Document(("text",)), PROFILE)  # type: ignore[arg-type]


# -- the command vocabulary -------------------------------------------------------------------


def test_commands_match_the_reference():
    assert commands.initialize() == b"\x1b\x40"
    assert commands.code_page(19) == b"\x1b\x74\x13"
    assert [commands.justify(a) for a in Align] == [b"\x1ba\x00", b"\x1ba\x01", b"\x1ba\x02"]
    assert commands.emphasis(True) == b"\x1bE\x01"
    assert commands.character_size(2, 3) == b"\x1d!\x12"
    assert commands.character_size(8, 8) == b"\x1d!\x77"
    assert commands.feed_lines(4) == b"\x1bd\x04"
    assert commands.cut(partial=True, feed=3) == bytes.fromhex("1d 56 42 03")
    assert commands.cut(partial=False, feed=0) == bytes.fromhex("1d 56 41 00")
    assert commands.qr_store(b"AB") == bytes.fromhex("1d 28 6b 05 00 31 50 30 41 42")
    assert commands.raster_image(1, 2, b"\x80\x01") == bytes.fromhex("1d 76 30 00 01 00 02 00 80 01")
    assert commands.real_time_status(4) == b"\x10\x04\x04"
    assert commands.paper_sensor_status() == b"\x1dr\x01"


@pytest.mark.parametrize(
    "call",
    [
        lambda: commands.character_size(9, 1),
        lambda: commands.feed_lines(256),
        lambda: commands.qr_module_size(0),
        lambda: commands.qr_store(b""),
        lambda: commands.raster_image(1, 2, b"\x00"),
        lambda: commands.raster_image(1, 2304, bytes(2304)),
    ],
)
def test_commands_refuse_out_of_range_parameters(call):
    with pytest.raises(ValueError):
        call()
