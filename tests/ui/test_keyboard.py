"""Keyboard-only use: Tab, arrows and Enter, as a tactile navigation keypad sends them."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from kiosk.ui.app import Kiosk
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.goodbye import GoodbyeScreen
from kiosk.ui.screens.menu import MenuScreen
from kiosk.ui.screens.opening_hours import OpeningHoursScreen
from tests.ui.conftest import press


def focused_name() -> str:
    widget = QApplication.focusWidget()
    return widget.objectName() if widget else ""


def move_focus_to(qtbot: QtBot, name: str, key: Qt.Key = Qt.Key.Key_Down, limit: int = 40) -> None:
    for _ in range(limit):
        if focused_name() == name:
            return
        press(qtbot, key)
    raise AssertionError(f"{name!r} cannot be reached with {key!r}; focus is on {focused_name()!r}")


def test_keyboard_only_walkthrough(qtbot: QtBot, kiosk: Kiosk) -> None:
    qtbot.waitUntil(lambda: focused_name() == "startButton", timeout=2000)
    press(qtbot, Qt.Key.Key_Return)
    assert isinstance(kiosk.window.current_screen, MenuScreen)
    assert focused_name() == "tile_checkin", "focus starts on the first task"

    move_focus_to(qtbot, "tile_opening_hours", Qt.Key.Key_Down)
    press(qtbot, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: isinstance(kiosk.window.current_screen, OpeningHoursScreen), timeout=2000)
    assert focused_name() == "taskBack"
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(kiosk.window.current_screen, MenuScreen), timeout=2000)

    move_focus_to(qtbot, "stopButton", Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(kiosk.window.current_screen, GoodbyeScreen), timeout=2000)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(kiosk.window.current_screen, AttractScreen), timeout=2000)


def test_talk_to_a_person_reachable_by_keyboard(qtbot: QtBot, kiosk: Kiosk) -> None:
    qtbot.waitUntil(lambda: focused_name() == "startButton", timeout=2000)
    move_focus_to(qtbot, "talkToPerson", Qt.Key.Key_Up)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: focused_name() == "helpBack", timeout=2000)


def test_typing_a_code_on_a_physical_keyboard(qtbot: QtBot, kiosk: Kiosk) -> None:
    qtbot.waitUntil(lambda: focused_name() == "startButton", timeout=2000)
    press(qtbot, Qt.Key.Key_Return)
    press(qtbot, Qt.Key.Key_Return)  # focus is on the first tile: check in
    assert focused_name() == "typeCode", "the camera is offered first, typing one key away"
    press(qtbot, Qt.Key.Key_Return)
    assert focused_name() == "codeField"
    qtbot.keyClicks(QApplication.focusWidget(), "m4tr-2wbe")
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: focused_name() == "checkinDone", timeout=2000)
