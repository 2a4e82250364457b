"""A citizen checks in by holding their letter's QR code up to the (simulated) camera."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from drivers.camera.scenes import Placement, letter_with_qr, phone_with_qr
from kiosk.config import KioskConfig, parse_config
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.checkin import CheckinScreen
from tests.ui.conftest import find, tap


def checkin_screen(kiosk: Kiosk) -> CheckinScreen:
    screen = kiosk.window.current_screen
    assert isinstance(screen, CheckinScreen)
    return screen


def open_checkin(qtbot: QtBot, kiosk: Kiosk) -> CheckinScreen:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_checkin"))
    screen = checkin_screen(kiosk)
    assert screen.scanner is not None, "with a working camera, the QR code comes first"
    qtbot.waitUntil(lambda: screen.scanner is not None and screen.scanner.view.frames_shown > 3, timeout=5000)
    return screen


def test_check_in_with_the_letters_qr_code(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = open_checkin(qtbot, kiosk)
    letter = letter_with_qr("https://afspraak.example.nl/bevestiging/K7Q29XZD")
    kiosk.drivers.camera.hold_up(letter, Placement(scale=0.9, tilt_x_deg=15, rotate_deg=-8))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: screen.greeting.text() == "Welkom, Fenna. U bent aangemeld.", timeout=15_000)
    assert screen.scanner is not None and not screen.scanner.feed.running, "the camera stops once it is done"
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    assert simulator.wait_for_receipts(1, timeout=5)
    assert "U bent aangemeld" in [line.text for line in simulator.receipts[0].lines]


def test_a_qr_code_that_is_not_an_appointment_is_explained(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = open_checkin(qtbot, kiosk)
    kiosk.drivers.camera.hold_up(phone_with_qr("https://www.example.org/nieuws"), Placement(scale=0.8))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "geen afspraakcode" in screen.scan_problem.text(), timeout=15_000)
    assert screen.scan_problem.isVisible()
    assert "Praat met een medewerker" in find(kiosk, "talkToPerson").text()


def test_an_unknown_code_shown_by_qr_is_explained(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = open_checkin(qtbot, kiosk)
    kiosk.drivers.camera.hold_up(phone_with_qr("ZZZZ-ZZZZ"), Placement(scale=0.8))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "We kunnen deze code niet vinden" in screen.scan_problem.text(), timeout=15_000)


class TestWithoutCamera:
    @pytest.fixture
    def config(self) -> KioskConfig:
        return parse_config({"hardware": {"camera": {"driver": "none"}}})

    def test_the_keyboard_is_offered_at_once(self, qtbot: QtBot, kiosk: Kiosk) -> None:
        tap(qtbot, find(kiosk, "startButton"))
        tap(qtbot, find(kiosk, "tile_checkin"))
        screen = checkin_screen(kiosk)
        assert screen.pages.currentWidget() is screen.entry_page
        assert find(kiosk, "codeField").isVisible()
        assert screen.scanner is None or not screen.scanner.feed.running


def test_camera_unplugged_while_scanning_falls_back_to_typing(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = open_checkin(qtbot, kiosk)
    kiosk.drivers.camera.unplug()  # type: ignore[attr-defined]
    kiosk.controller.on_health(kiosk.drivers.health())
    assert screen.pages.currentWidget() is screen.entry_page
    assert "De camera werkt nu niet" in find(kiosk, "checkinProblem").text()
    assert screen.scanner is not None and not screen.scanner.feed.running


def test_a_covered_camera_falls_back_to_typing(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = open_checkin(qtbot, kiosk)
    camera = kiosk.drivers.camera
    camera.wait_for_frame(after_index=camera.black(True), timeout=5)  # type: ignore[attr-defined]
    kiosk.controller.on_health(kiosk.drivers.health())
    assert screen.pages.currentWidget() is screen.entry_page
    assert "De camera werkt nu niet" in find(kiosk, "checkinProblem").text()
