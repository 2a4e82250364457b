"""A citizen walks through the kiosk by tapping: attract → menu → task → goodbye → attract."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.attract import AttractScreen
from kiosk.ui.screens.goodbye import GoodbyeScreen
from kiosk.ui.screens.help import HelpScreen
from kiosk.ui.screens.menu import MenuScreen
from kiosk.ui.screens.opening_hours import OpeningHoursScreen
from tests.conftest import FakeClock
from tests.ui.conftest import find, tap


def visible_texts(kiosk: Kiosk) -> str:
    screen = kiosk.window.current_screen
    return "\n".join(w.text() for w in screen.findChildren(QLabel) if w.isVisible())


def test_attract_to_menu_to_task_to_goodbye_and_back(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    assert isinstance(kiosk.window.current_screen, AttractScreen)
    assert "Welkom bij Stadswinkel Centrum" in visible_texts(kiosk)

    tap(qtbot, find(kiosk, "startButton"))
    assert isinstance(kiosk.window.current_screen, MenuScreen)
    assert "Waarmee kunnen we u helpen?" in visible_texts(kiosk)
    assert find(kiosk, "tile_checkin").accessibleName() == "Ik heb een afspraak"

    tap(qtbot, find(kiosk, "tile_opening_hours"))
    assert isinstance(kiosk.window.current_screen, OpeningHoursScreen)
    texts = visible_texts(kiosk)
    assert "Donderdag" in texts and "09:00 tot 20:00 uur" in texts and "gesloten" in texts

    tap(qtbot, find(kiosk, "taskBack"))
    assert isinstance(kiosk.window.current_screen, MenuScreen)

    tap(qtbot, find(kiosk, "stopButton"))
    assert isinstance(kiosk.window.current_screen, GoodbyeScreen)
    assert "Bedankt en tot ziens!" in visible_texts(kiosk)

    clock.advance(kiosk.machine._settings.goodbye_seconds)
    kiosk.controller.tick()
    assert isinstance(kiosk.window.current_screen, AttractScreen)
    assert kiosk.machine.citizen is None


def test_choosing_english_on_attract(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "language_en"))
    assert kiosk.machine.language == "en"
    assert "What can we help you with?" in visible_texts(kiosk)
    assert find(kiosk, "talkToPerson").text() == "Talk to a person"


def test_talk_to_a_person_is_on_every_screen(qtbot: QtBot, kiosk: Kiosk) -> None:
    expected_where = kiosk.window.context.config.counter.location_text["nl"]
    seen: list[Phase] = []

    def ask_for_a_person_and_return() -> None:
        button = find(kiosk, "talkToPerson")
        assert button.text() == "Praat met een medewerker"
        seen.append(kiosk.machine.phase)
        tap(qtbot, button)
        assert isinstance(kiosk.window.current_screen, HelpScreen)
        assert expected_where in visible_texts(kiosk)
        tap(qtbot, find(kiosk, "helpBack"))

    ask_for_a_person_and_return()  # from attract: a session starts, back leads to the menu
    assert kiosk.machine.phase is Phase.MENU
    ask_for_a_person_and_return()
    assert kiosk.machine.phase is Phase.MENU
    tap(qtbot, find(kiosk, "tile_checkin"))
    ask_for_a_person_and_return()
    assert kiosk.machine.phase is Phase.TASK
    tap(qtbot, find(kiosk, "taskBack"))
    tap(qtbot, find(kiosk, "settingsButton"))
    ask_for_a_person_and_return()
    assert kiosk.machine.phase is Phase.WELCOME
    tap(qtbot, find(kiosk, "welcomeDone"))
    tap(qtbot, find(kiosk, "stopButton"))
    ask_for_a_person_and_return()
    assert seen == [Phase.ATTRACT, Phase.MENU, Phase.TASK, Phase.WELCOME, Phase.GOODBYE]


def test_checkin_by_typing_the_code(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_checkin"))
    tap(qtbot, find(kiosk, "typeCode"))  # type instead of showing the QR code
    for char in "M4TR2WBE":
        tap(qtbot, find(kiosk, f"key_{char}"))
    assert find(kiosk, "codeField").text() == "M4TR2WBE"
    tap(qtbot, find(kiosk, "checkinSubmit"))
    # Decided off the UI thread (by the backoffice when there is one).
    qtbot.waitUntil(lambda: find(kiosk, "checkinGreeting").text() == "Welkom, Joris. U bent aangemeld.", timeout=5000)
    assert "Wachtruimte A, begane grond" in find(kiosk, "checkinWhere").text()
    # A check-in receipt prints, without the citizen's name on it.
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    assert simulator.wait_for_receipts(1, timeout=5)
    texts = [line.text for line in simulator.receipts[0].lines]
    assert "U bent aangemeld" in texts and "Verhuizing doorgeven" in texts
    assert not any("Joris" in text for text in texts)
    qtbot.waitUntil(lambda: find(kiosk, "checkinReceipt").text() == "Pak uw bon uit de printer.", timeout=5000)


def test_checkin_problems_are_explained(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_checkin"))
    tap(qtbot, find(kiosk, "typeCode"))  # type instead of showing the QR code
    field = find(kiosk, "codeField")
    for typed, expected in [
        ("K7Q", "Deze code is niet compleet"),
        ("AAAA-BBBB", "We kunnen deze code niet vinden"),
        ("P9LD-6HNA", "De tijd van deze afspraak is voorbij"),
    ]:
        field.setText(typed)
        tap(qtbot, find(kiosk, "checkinSubmit"))
        qtbot.waitUntil(lambda: find(kiosk, "checkinSubmit").isEnabled(), timeout=5000)
        problem = find(kiosk, "checkinProblem").text()
        assert expected in problem and "Praat met een medewerker" in problem
