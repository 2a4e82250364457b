"""The desk camera scan (the simulated camera sees a page held up) and a signature drawn by touch."""

from __future__ import annotations

import base64
import io

from PIL import Image
from PySide6.QtCore import QPoint
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from drivers.camera.scenes import Placement, document_page
from kiosk.ui.counter.app import Counter
from kiosk.ui.signature_pad import SignaturePad
from tests.counter.desk_server import DeskServer
from tests.ui.conftest import tap
from tests.ui.counter_device import arrived, shoot, shows, visible
from tests.ui.counter_device import counter as counter
from tests.ui.counter_device import desk as desk
from tests.ui.counter_device import id_card as id_card


def paired(qtbot: QtBot, counter: Counter) -> None:
    qtbot.waitUntil(lambda: "helpt" in visible(counter, "welcomeStatus").text(), timeout=10_000)  # type: ignore[attr-defined]


def test_scan_a_page_held_up_to_the_desk_camera(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    paired(qtbot, counter)
    desk.send({"type": "scan", "id": "c1"})
    qtbot.waitUntil(lambda: shows(counter, "callScanStop"), timeout=5000)
    camera = counter.drivers.camera
    camera.hold_up(document_page(seed=1), Placement(scale=0.75, tilt_x_deg=8, rotate_deg=3))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: shows(counter, "callScanUse"), timeout=20_000)
    camera.hold_up(None)  # type: ignore[attr-defined]
    shoot(counter, "scan-review")
    tap(qtbot, visible(counter, "callScanUse"))
    tap(qtbot, visible(counter, "callScanSend"))
    answer = arrived(qtbot, desk, "scan_pages", timeout=10)
    assert answer["id"] == "c1" and len(answer["pages"]) == 1
    page = Image.open(io.BytesIO(base64.b64decode(answer["pages"][0])))
    assert page.format == "JPEG" and page.width > 400 and page.height > 400


def test_identify_declined_by_the_citizen(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    paired(qtbot, counter)
    desk.send({"type": "identify", "id": "i9"})
    qtbot.waitUntil(lambda: shows(counter, "callIdNo"), timeout=5000)
    tap(qtbot, visible(counter, "callIdNo"))
    assert arrived(qtbot, desk, "declined") == {"type": "declined", "id": "i9"}
    assert desk.messages("identity") == []


def test_a_signature_drawn_by_touch(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    paired(qtbot, counter)
    desk.send({"type": "signature", "id": "t1"})
    qtbot.waitUntil(lambda: shows(counter, "signaturePad"), timeout=5000)
    pad = visible(counter, "signaturePad")
    assert isinstance(pad, SignaturePad)
    screen = QTest.createTouchDevice()
    QTest.touchEvent(pad, screen).press(0, QPoint(100, 150), pad).commit()
    QTest.touchEvent(pad, screen).move(0, QPoint(200, 180), pad).commit()
    QTest.touchEvent(pad, screen).move(0, QPoint(300, 120), pad).commit()
    QTest.touchEvent(pad, screen).release(0, QPoint(300, 120), pad).commit()
    strokes = pad.signature().strokes
    assert len(strokes) == 1 and len(strokes[0]) >= 3  # one finger, one stroke, no mouse copy of it
    tap(qtbot, visible(counter, "signatureDone"))
    tap(qtbot, visible(counter, "signatureSend"))
    assert len(arrived(qtbot, desk, "signature")["strokes"]) == 1
