"""The signature: drawn with real mouse events on the pad, checked back by the citizen, and arriving at the
desk as strokes in millimetres, an SVG in millimetres and a 600 dpi greyscale PNG cropped to the ink."""

from __future__ import annotations

import base64
import io
import xml.etree.ElementTree as ET

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from kiosk.counter.signature import MARGIN_MM, PEN_MM, PNG_DPI
from kiosk.ui.counter.app import Counter
from kiosk.ui.signature_pad import SignaturePad
from tests.counter.desk_server import DeskServer
from tests.ui.conftest import tap
from tests.ui.counter_device import arrived, shoot, shows, visible
from tests.ui.counter_device import counter as counter
from tests.ui.counter_device import desk as desk
from tests.ui.counter_device import id_card as id_card

# A scripted signature: a zigzag, then a dot (the i's), in pad pixels.
ZIGZAG = [QPoint(120, 200), QPoint(180, 120), QPoint(240, 220), QPoint(300, 110), QPoint(420, 230)]
DOT = QPoint(460, 100)


def pad_of(counter: Counter) -> SignaturePad:
    pad = visible(counter, "signaturePad")
    assert isinstance(pad, SignaturePad)
    return pad


def draw(qtbot: QtBot, pad: SignaturePad) -> None:
    left = Qt.MouseButton.LeftButton
    qtbot.mousePress(pad, left, pos=ZIGZAG[0])
    for point in ZIGZAG[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, left, pos=ZIGZAG[-1])
    qtbot.mousePress(pad, left, pos=DOT)
    qtbot.mouseRelease(pad, left, pos=DOT)


def ask_signature(qtbot: QtBot, counter: Counter, desk: DeskServer) -> SignaturePad:
    qtbot.waitUntil(lambda: "helpt" in visible(counter, "welcomeStatus").text(), timeout=10_000)  # type: ignore[attr-defined]
    desk.send({"type": "signature", "id": "g1", "purpose": "Aanvraag identiteitskaart"})
    qtbot.waitUntil(lambda: shows(counter, "signaturePad"), timeout=5000)
    return pad_of(counter)


def test_a_drawn_signature_arrives_as_strokes_svg_and_png(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    pad = ask_signature(qtbot, counter, desk)
    assert not visible(counter, "signatureDone").isEnabled()  # nothing to send yet
    draw(qtbot, pad)
    shoot(counter, "signature")
    mm_x, mm_y = 25.4 / pad.physicalDpiX(), 25.4 / pad.physicalDpiY()
    pad_width, pad_height = pad.width(), pad.height()
    tap(qtbot, visible(counter, "signatureDone"))
    assert visible(counter, "signatureQuestion").text() == "Is dit uw handtekening?"  # type: ignore[attr-defined]
    shoot(counter, "signature-check")
    tap(qtbot, visible(counter, "signatureSend"))
    answer = arrived(qtbot, desk, "signature")
    assert answer["id"] == "g1"

    # The strokes: where the mouse went, in millimetres, with time running forward.
    strokes = answer["strokes"]
    assert len(strokes) == 2
    zigzag = strokes[0]
    assert [(round(x / mm_x), round(y / mm_y)) for x, y, _t in zigzag] == [(p.x(), p.y()) for p in ZIGZAG] + [
        (ZIGZAG[-1].x(), ZIGZAG[-1].y())
    ]
    times = [t for stroke in strokes for _x, _y, t in stroke]
    assert times == sorted(times) and times[0] == 0
    assert answer["width_mm"] == round(pad_width * mm_x, 2)
    assert answer["height_mm"] == round(pad_height * mm_y, 2)

    # The SVG: the pad in millimetres, one path per stroke.
    svg = ET.fromstring(answer["svg"])
    width, height = answer["width_mm"], answer["height_mm"]
    assert svg.get("viewBox") == f"0 0 {width:g} {height:g}"
    assert svg.get("width") == f"{width:g}mm"
    paths = svg.findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) == 2
    first = paths[0].get("d", "").split()
    assert first[0] == f"M{zigzag[0][0]:g}" and first[1] == f"{zigzag[0][1]:g}"

    # The PNG: greyscale, 600 dpi, the ink's extent plus 2 mm of white all round.
    image = Image.open(io.BytesIO(base64.b64decode(answer["png_base64"])))
    assert image.mode == "L"
    assert [round(d) for d in image.info["dpi"]] == [PNG_DPI, PNG_DPI]
    xs = [x for stroke in strokes for x, _y, _t in stroke]
    ys = [y for stroke in strokes for _x, y, _t in stroke]
    per_mm = PNG_DPI / 25.4
    assert abs(image.width - (max(xs) - min(xs) + PEN_MM + 2 * MARGIN_MM) * per_mm) <= 2
    assert abs(image.height - (max(ys) - min(ys) + PEN_MM + 2 * MARGIN_MM) * per_mm) <= 2
    ink = np.asarray(image) < 128
    rows, cols = np.nonzero(ink)
    margin_px = MARGIN_MM * per_mm
    assert abs(cols.min() - margin_px) <= 3 and abs(image.width - 1 - cols.max() - margin_px) <= 3
    assert abs(rows.min() - margin_px) <= 3 and abs(image.height - 1 - rows.max() - margin_px) <= 3
    # The dot is there, as ink, where it was tapped.
    dot_x = round((DOT.x() * mm_x - min(xs) + PEN_MM / 2 + MARGIN_MM) * per_mm)
    dot_y = round((DOT.y() * mm_y - min(ys) + PEN_MM / 2 + MARGIN_MM) * per_mm)
    assert ink[dot_y, dot_x]
    assert not counter.window.findChildren(SignaturePad)  # the pad and its strokes are gone


def test_clear_and_sign_again_start_from_an_empty_pad(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    pad = ask_signature(qtbot, counter, desk)
    draw(qtbot, pad)
    tap(qtbot, visible(counter, "signatureClear"))
    assert pad.signature().empty and not visible(counter, "signatureDone").isEnabled()
    draw(qtbot, pad)
    tap(qtbot, visible(counter, "signatureDone"))
    tap(qtbot, visible(counter, "signatureAgain"))
    assert pad.signature().empty and shows(counter, "signaturePad")
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=DOT)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=DOT)
    tap(qtbot, visible(counter, "signatureDone"))
    tap(qtbot, visible(counter, "signatureSend"))
    assert len(arrived(qtbot, desk, "signature")["strokes"]) == 1  # only what was signed last
