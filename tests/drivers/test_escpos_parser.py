"""ESC/POS read back as a printer would: the parser's events, and the paper the renderer draws."""

import random

import cv2
import numpy as np
import pytest

from drivers.printer.document import Align as Alignment
from drivers.printer.escpos_parser import (
    Align,
    CharacterSize,
    CodePage,
    Cut,
    Emphasis,
    EscPosParser,
    Event,
    FeedLines,
    Initialise,
    PaperSensorRequest,
    PrintText,
    QrErrorCorrection,
    QrModel,
    QrModuleSize,
    QrPrint,
    QrStore,
    RasterImage,
    StatusRequest,
    Unknown,
)
from drivers.printer.receipt_image import PrintedLine, ReceiptRenderer, render

ESC, GS, DLE = b"\x1b", b"\x1d", b"\x10"
URL = b"https://example.org/t/A042"


def qr_store(data: bytes) -> bytes:
    """GS ( k pL pH 49 80 48 d1…dk (function 180)."""
    size = len(data) + 3
    return GS + b"(k" + bytes((size % 256, size // 256)) + b"1P0" + data


QR_PRINT = GS + b"(k\x03\x001Q0"  # function 181
TICKET = (
    ESC + b"@" + ESC + b"t\x13" + ESC + b"a\x01"
    + GS + b"!\x33" + b"A042\n" + GS + b"!\x00"
    + ESC + b"E\x01" + "Paspoort ophalen: café, één, €".encode("cp858") + b"\n" + ESC + b"E\x00"
    + GS + b"(k\x04\x001A2\x00" + GS + b"(k\x03\x001C\x06" + GS + b"(k\x03\x001E1"
    + qr_store(URL) + QR_PRINT
    + ESC + b"d\x03" + GS + b"VB\x10"
)  # fmt: skip


def parse(data: bytes) -> list[Event]:
    return EscPosParser().feed(data)


def parse_bytewise(data: bytes) -> list[Event]:
    parser = EscPosParser()
    return [event for i in range(len(data)) for event in parser.feed(data[i : i + 1])]


def decode_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


# -- the parser ---------------------------------------------------------------------------


def test_a_ticket_becomes_events_in_order():
    assert parse(TICKET) == [
        Initialise(),
        CodePage(19),
        Align(1),
        CharacterSize(4, 4),
        PrintText(b"A042"),
        CharacterSize(1, 1),
        Emphasis(True),
        PrintText("Paspoort ophalen: café, één, €".encode("cp858")),
        Emphasis(False),
        QrModel(50),
        QrModuleSize(6),
        QrErrorCorrection("M"),
        QrStore(URL),
        QrPrint(),
        FeedLines(3),
        Cut(partial=True, feed=16),
    ]


def test_bytes_split_anywhere_give_the_same_events():
    assert parse_bytewise(TICKET) == parse(TICKET)
    parser = EscPosParser()
    halves = parser.feed(TICKET[:100]) + parser.feed(TICKET[100:])
    assert halves == parse(TICKET)


def test_an_incomplete_command_waits_for_the_rest():
    parser = EscPosParser()
    assert parser.feed(b"abc" + GS + b"(k\x1d\x001P0https") == []
    assert parser.pending_text == b"abc"
    assert parser.pending_bytes > 0
    assert parser.feed(b"://example.org/t/A042") == [QrStore(URL)]
    assert parser.pending_bytes == 0


@pytest.mark.parametrize(
    ("data", "events"),
    [
        (b"one\r\ntwo\n", [PrintText(b"one"), PrintText(b"two")]),  # CR does nothing
        (b"\n", [PrintText(b"")]),  # LF alone prints an empty line
        (ESC + b"a\x30" + ESC + b"a\x02", [Align(48), Align(2)]),
        (ESC + b"E\x00" + ESC + b"E\x03", [Emphasis(False), Emphasis(True)]),  # bit 0 only
        (ESC + b"!\x38", [Emphasis(True), CharacterSize(2, 2)]),  # ESC ! bits 3, 4, 5
        (ESC + b"!\x00", [Emphasis(False), CharacterSize(1, 1)]),
        (GS + b"!\x10", [CharacterSize(2, 1)]),
        (GS + b"!\x77", [CharacterSize(8, 8)]),
        (ESC + b"d\x02", [FeedLines(2)]),
        (b"end" + ESC + b"d\x02", [PrintText(b"end"), FeedLines(1)]),  # printing the buffer is one line
        (b"end" + ESC + b"d\x01", [PrintText(b"end")]),
        (GS + b"V\x00", [Cut(partial=False)]),
        (GS + b"V\x30", [Cut(partial=False)]),
        (GS + b"V\x01", [Cut(partial=True)]),
        (GS + b"V\x31", [Cut(partial=True)]),
        (GS + b"VA\x05", [Cut(partial=False, feed=5)]),
        (GS + b"VB\x00", [Cut(partial=True, feed=0)]),
        (b"last" + GS + b"V\x01", [PrintText(b"last"), Cut(partial=True)]),
        (DLE + b"\x04\x01" + DLE + b"\x04\x04", [StatusRequest(1), StatusRequest(4)]),
        (GS + b"r\x01" + GS + b"r1", [PaperSensorRequest(), PaperSensorRequest()]),
        (b"ab" + ESC + b"@cd\n", [Initialise(), PrintText(b"cd")]),  # ESC @ drops the unprinted line
    ],
)
def test_each_command(data, events):
    assert parse(data) == events
    assert parse_bytewise(data) == events


@pytest.mark.parametrize(
    ("data", "events"),
    [
        (ESC + b"\x7fA\n", [Unknown(ESC + b"\x7f"), PrintText(b"A")]),  # unknown: prefix and command byte
        (GS + b"\x7fA\n", [Unknown(GS + b"\x7f"), PrintText(b"A")]),
        (ESC + b"-\x01A\n", [Unknown(ESC + b"-\x01"), PrintText(b"A")]),  # known length: arguments go too
        (GS + b"(L\x02\x000p", [Unknown(GS + b"(L\x02\x000p")]),  # GS ( says its own length
        (GS + b"(k\x03\x000Q0", [Unknown(GS + b"(k\x03\x000Q0")]),  # PDF417, not QR
        (GS + b"k\x04123\x00", [Unknown(GS + b"k\x04123\x00")]),  # a barcode is skipped whole
        (DLE + b"\x04\x07", [Unknown(DLE + b"\x04\x07")]),  # not a DLE EOT n this printer answers
        (GS + b"r\x02", [Unknown(GS + b"r\x02")]),  # drawer status: not answered
        (GS + b"V\x07", [Unknown(GS + b"V\x07")]),
        (b"\x09\x00", [Unknown(b"\x09"), Unknown(b"\x00")]),  # stray control bytes
    ],
)
def test_what_it_does_not_understand_becomes_unknown(data, events):
    assert parse(data) == events
    assert parse_bytewise(data) == events


def test_raster_image_bits_pass_through_and_hold_no_commands():
    bits = bytes([0x10, 0x04, 0x01, 0x1B]) * 2  # DLE EOT 1 and ESC inside image data are just dots
    data = GS + b"v0\x00\x04\x00\x02\x00" + bits + b"after\n"
    expected = [RasterImage(32, 2, bits), PrintText(b"after")]
    assert parse(data) == expected
    assert parse_bytewise(data) == expected


def test_a_raster_header_beyond_any_printer_is_not_waited_for():
    header = GS + b"v0\x00\xff\xff\xff\xff"
    assert parse(header + b"ok\n") == [Unknown(header), PrintText(b"ok")]


def test_random_bytes_never_raise_and_always_move_on():
    noise = random.Random(42).randbytes(20_000)
    events = parse(noise)
    assert parse_bytewise(noise) == events
    parser = EscPosParser()
    parser.feed(noise)
    assert parser.pending_bytes < 65_536 + 5  # at most one GS ( command is waited for


# -- the renderer -------------------------------------------------------------------------


def test_big_number_and_dutch_text_decode_exactly():
    receipt = render(TICKET).receipt()
    assert receipt.lines == [
        PrintedLine("A042", Alignment.CENTER, bold=False, width=4, height=4),
        PrintedLine("Paspoort ophalen: café, één, €", Alignment.CENTER, bold=True),
    ]
    assert receipt.cuts == [True]
    assert receipt.unknown == []


def test_text_is_decoded_with_the_selected_code_page():
    em_dash_line = "Paspoort ophalen — café, één, €"  # the em dash is in WPC1252, not in PC858
    data = ESC + b"@" + ESC + b"t\x10" + em_dash_line.encode("cp1252") + b"\n"
    data += ESC + b"@" + "é".encode("cp437") + b"\n"  # ESC @ goes back to PC437
    assert [line.text for line in render(data).lines] == [em_dash_line, "é"]


def test_an_unknown_code_page_is_reported():
    renderer = render(ESC + b"t\x63")
    assert renderer.unknown == [ESC + b"t\x63"]


def test_native_qr_code_scans_back_from_the_png():
    receipt = render(TICKET).receipt()
    assert receipt.qr_codes == [URL.decode()]
    assert decode_qr(receipt.png) == URL.decode()


def test_qr_module_size_sets_the_symbol_size():
    small = render(GS + b"(k\x03\x001C\x02" + qr_store(URL) + QR_PRINT).image()
    large = render(GS + b"(k\x03\x001C\x08" + qr_store(URL) + QR_PRINT).image()
    assert small.height * 4 == large.height  # border 4 included in both


def test_a_qr_code_wider_than_the_paper_is_not_printed():
    renderer = render(GS + b"(k\x03\x001C\x10" + qr_store(URL * 4) + QR_PRINT, dots_per_line=384)
    assert renderer.qr_codes == []
    assert renderer.blank


def test_raster_image_is_pasted_aligned_black_on_white():
    bits = b"\xff" * 8 * 16  # a black square, 64 x 16 dots
    renderer = render(ESC + b"a\x02" + GS + b"v0\x00\x08\x00\x10\x00" + bits, dots_per_line=384)
    image = renderer.image()
    assert renderer.images == 1
    assert (image.width, image.height) == (384, 16)
    assert image.getpixel((383, 0)) == 0 and image.getpixel((384 - 64, 15)) == 0
    assert image.getpixel((384 - 65, 0)) == 255


def test_wide_text_wraps_at_the_paper_edge():
    renderer = ReceiptRenderer(384)  # 32 characters of 12 dots
    renderer.handle_all(EscPosParser().feed(b"x" * 40 + b"\n" + GS + b"!\x10" + b"y" * 17 + b"\n"))
    assert [line.text for line in renderer.lines] == ["x" * 40, "y" * 17]
    assert renderer.image().height == 4 * 34  # two rows each


def test_bold_text_has_more_ink():
    def ink(data: bytes) -> int:
        return sum(render(data).image().histogram()[:128])  # dots darker than mid grey

    assert ink(ESC + b"E\x01Balie\n") > ink(b"Balie\n")


def test_cut_draws_a_line_and_tear_off_starts_new_paper():
    renderer = render(b"one\n" + GS + b"V\x00" + b"two\n" + GS + b"V\x01")
    assert renderer.cuts == [False, True]
    renderer.handle_all(EscPosParser().feed(ESC + b"a\x01"))
    first = renderer.tear_off()
    assert [line.text for line in first.lines] == ["one", "two"]
    renderer.handle_all(EscPosParser().feed(b"three\n"))
    assert renderer.lines == [PrintedLine("three", Alignment.CENTER)]  # settings outlive the cut
    assert renderer.cuts == []


def test_feed_adds_blank_paper():
    assert render(ESC + b"d\x04").image().height == 4 * 34
    assert render(ESC + b"d\x04").blank is False


def test_png_is_white_paper_the_width_of_the_roll():
    receipt = render(b"x\n", dots_per_line=384).receipt()
    image = receipt.image()
    assert image.mode == "L" and image.width == 384
    assert image.getpixel((383, 0)) == 255
