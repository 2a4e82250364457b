"""Take a number: a citizen taps, the ticket goes as ESC/POS over a pty to the simulated printer."""

from __future__ import annotations

import cv2
import numpy as np
from pytestqt.qtbot import QtBot

from kiosk.ui.app import Kiosk
from kiosk.ui.screens.ticket import TicketScreen
from tests.ui.conftest import find, tap


def decode_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


def ticket_screen(kiosk: Kiosk) -> TicketScreen:
    screen = kiosk.window.current_screen
    assert isinstance(screen, TicketScreen)
    return screen


def test_take_a_number_prints_the_ticket(qtbot: QtBot, kiosk: Kiosk) -> None:
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_ticket"))
    tap(qtbot, find(kiosk, "topic_A"))
    # The number is made off the UI thread (by the backoffice when there is one).
    qtbot.waitUntil(lambda: find(kiosk, "ticketNumber").text() == "A001", timeout=10_000)
    qtbot.waitUntil(lambda: ticket_screen(kiosk)._outcome is not None, timeout=10_000)
    assert "Pak uw bon uit de printer" in find(kiosk, "ticketMessage").text()

    assert simulator.wait_for_receipts(1, timeout=5)
    receipt = simulator.receipts[-1]
    texts = [line.text for line in receipt.lines]
    assert "A001" in texts
    assert "Paspoort of ID-kaart" in texts
    assert "Wacht in: Wachtruimte A, begane grond" in texts
    assert receipt.qr_codes == ["https://balie.example.nl/wachtrij/A001"]
    assert decode_qr(receipt.png) == "https://balie.example.nl/wachtrij/A001"
    assert receipt.cuts == [True]
    spoken = [u.text for u in kiosk.drivers.speech.utterances]
    assert "Uw nummer is A 1. Het wordt nu geprint." in spoken
    qtbot.waitUntil(lambda: "Wacht in: Wachtruimte A" in kiosk.drivers.speech.utterances[-1].text, timeout=5000)


def test_cable_pulled_mid_ticket_keeps_the_number_on_screen(qtbot: QtBot, kiosk: Kiosk) -> None:
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_ticket"))
    simulator.disconnect_after(40)  # the header goes through, then the line is gone
    tap(qtbot, find(kiosk, "topic_B"))
    qtbot.waitUntil(lambda: ticket_screen(kiosk)._outcome is not None, timeout=15_000)
    assert find(kiosk, "ticketNumber").text() == "B001"
    assert "Schrijf uw nummer op" in find(kiosk, "ticketMessage").text()


def test_paper_out_disables_taking_a_number(qtbot: QtBot, kiosk: Kiosk) -> None:
    kiosk.drivers.printer.simulator.set_paper("out")  # type: ignore[attr-defined]
    kiosk.controller.on_health(kiosk.drivers.health())
    tap(qtbot, find(kiosk, "startButton"))
    assert not find(kiosk, "tile_ticket").isEnabled()
    assert "de printer werkt niet" in find(kiosk, "tileNote_ticket").text()
    assert find(kiosk, "tile_checkin").isEnabled()


def test_printer_failing_during_the_job_keeps_the_citizens_number(qtbot: QtBot, kiosk: Kiosk) -> None:
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_ticket"))
    simulator.mute(True)  # the printer stops answering between the menu and the tap
    tap(qtbot, find(kiosk, "topic_C"))
    qtbot.waitUntil(lambda: ticket_screen(kiosk)._outcome is not None, timeout=10_000)
    assert find(kiosk, "ticketNumber").text() == "C001"
    assert "Schrijf uw nummer op of maak er een foto van" in find(kiosk, "ticketMessage").text()
    spoken = [u.text for u in kiosk.drivers.speech.utterances]
    assert spoken[-1] == "Uw nummer is C 1. De printer werkt niet. Schrijf uw nummer op."
    assert simulator.receipts == []
