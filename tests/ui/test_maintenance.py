"""The technician's maintenance screen: corner gesture, PIN, lockout, idle close, and its tools."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from drivers.health import Health, HealthState
from kiosk.maintenance import DEMO_PIN, LOCKOUT_SECONDS, RESTART_EXIT_CODE
from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.maintenance import MaintenancePinScreen, MaintenanceScreen
from tests.conftest import FakeClock
from tests.ui.conftest import find, tap


def corner_gesture(qtbot: QtBot, kiosk: Kiosk, taps: int = 5) -> None:
    """Five taps in the top-left corner of the attract screen, as a technician makes them."""
    for _ in range(taps):
        qtbot.mouseClick(kiosk.window, Qt.MouseButton.LeftButton, pos=QPoint(30, 30))


def type_pin(qtbot: QtBot, kiosk: Kiosk, pin: str) -> None:
    for digit in pin:
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    tap(qtbot, find(kiosk, "maintenancePinOk"))


def open_maintenance(qtbot: QtBot, kiosk: Kiosk) -> MaintenanceScreen:
    corner_gesture(qtbot, kiosk)
    assert kiosk.machine.phase is Phase.MAINTENANCE_PIN
    type_pin(qtbot, kiosk, DEMO_PIN)
    assert kiosk.machine.phase is Phase.MAINTENANCE
    screen = kiosk.window.current_screen
    assert isinstance(screen, MaintenanceScreen)
    return screen


def test_the_gesture_on_the_attract_screen_itself_counts_each_tap_once(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = kiosk.window.current_screen
    for count in range(5):
        assert kiosk.machine.phase is Phase.ATTRACT, f"opened after {count} taps"
        qtbot.mouseClick(screen, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert kiosk.machine.phase is Phase.MAINTENANCE_PIN


def test_taps_elsewhere_or_too_few_do_not_open_it(qtbot: QtBot, kiosk: Kiosk) -> None:
    corner_gesture(qtbot, kiosk, taps=4)
    assert kiosk.machine.phase is Phase.ATTRACT
    for _ in range(5):
        qtbot.mouseClick(kiosk.window, Qt.MouseButton.LeftButton, pos=QPoint(540, 30))
    assert kiosk.machine.phase is Phase.ATTRACT
    assert not find(kiosk, "talkToPerson").isHidden()


def test_correct_pin_opens_without_a_citizen_session(qtbot: QtBot, kiosk: Kiosk) -> None:
    corner_gesture(qtbot, kiosk)
    assert find(kiosk, "maintenancePinTitle").text() == "Onderhoud"
    assert kiosk.window.help_bar.isHidden()
    type_pin(qtbot, kiosk, DEMO_PIN)
    assert kiosk.machine.phase is Phase.MAINTENANCE and kiosk.machine.citizen is None
    assert find(kiosk, "maintenanceClose").accessibleName() == "Sluiten"
    assert find(kiosk, "maintenanceState_printer").text() == "ok"
    assert "nog niet verbonden" in find(kiosk, "maintenanceNetwork").text()  # no reporting in these tests
    tap(qtbot, find(kiosk, "maintenanceClose"))
    assert kiosk.machine.phase is Phase.ATTRACT


def test_five_wrong_pins_lock_out_until_the_time_has_passed(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    corner_gesture(qtbot, kiosk)
    for attempt in range(4):
        type_pin(qtbot, kiosk, "1111")
        assert f"Nog {4 - attempt} pogingen" in find(kiosk, "maintenancePinMessage").text()
    type_pin(qtbot, kiosk, "1111")
    message = find(kiosk, "maintenancePinMessage")
    assert message.text() == "Te vaak een verkeerde pincode. Probeer het opnieuw over 5 min 0 s."
    type_pin(qtbot, kiosk, DEMO_PIN)  # the right PIN, refused while locked
    assert kiosk.machine.phase is Phase.MAINTENANCE_PIN
    # Closing and opening again does not reset the count (it lives as long as the kiosk).
    tap(qtbot, find(kiosk, "maintenancePinCancel"))
    clock.advance(LOCKOUT_SECONDS - 60)
    corner_gesture(qtbot, kiosk)
    assert "1 min 0 s" in find(kiosk, "maintenancePinMessage").text()
    type_pin(qtbot, kiosk, DEMO_PIN)
    assert kiosk.machine.phase is Phase.MAINTENANCE_PIN
    screen = kiosk.window.current_screen
    assert isinstance(screen, MaintenancePinScreen) and screen.lockout_timer.isActive()
    clock.advance(30)
    screen.lockout_timer.timeout.emit()  # the countdown's second
    assert "0 min 30 s" in find(kiosk, "maintenancePinMessage").text()
    clock.advance(30)
    screen.lockout_timer.timeout.emit()
    assert not screen.message.isVisible() and not screen.lockout_timer.isActive()
    type_pin(qtbot, kiosk, DEMO_PIN)
    assert kiosk.machine.phase is Phase.MAINTENANCE


def test_idle_maintenance_closes_itself(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    open_maintenance(qtbot, kiosk)
    clock.advance(59)
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.MAINTENANCE
    tap(qtbot, find(kiosk, "maintenanceReaderTest"))  # a touch: another full minute
    qtbot.waitUntil(lambda: "ATR" in find(kiosk, "maintenanceResult").text(), timeout=5000)
    clock.advance(59)
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.MAINTENANCE
    clock.advance(2)
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.ATTRACT
    assert not kiosk.window.help_bar.isHidden()
    # The PIN entry closes by itself too.
    corner_gesture(qtbot, kiosk)
    clock.advance(61)
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.ATTRACT


def test_test_ticket_reaches_the_printer(qtbot: QtBot, kiosk: Kiosk) -> None:
    simulator = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    open_maintenance(qtbot, kiosk)
    tap(qtbot, find(kiosk, "maintenanceTestTicket"))
    assert simulator.wait_for_receipts(1, timeout=5)
    texts = [line.text for line in simulator.receipts[-1].lines]
    assert "Testbon / test ticket" in texts
    qtbot.waitUntil(lambda: find(kiosk, "maintenanceResult").text() == "Testbon geprint.", timeout=5000)


def test_reader_test_shows_the_atr(qtbot: QtBot, kiosk: Kiosk) -> None:
    open_maintenance(qtbot, kiosk)
    tap(qtbot, find(kiosk, "maintenanceReaderTest"))
    qtbot.waitUntil(lambda: "Kaart aanwezig, ATR 3B" in find(kiosk, "maintenanceResult").text(), timeout=5000)


def test_selftest_runs_and_shows_its_table(qtbot: QtBot, kiosk: Kiosk) -> None:
    open_maintenance(qtbot, kiosk)
    tap(qtbot, find(kiosk, "maintenanceSelftest"))
    table = find(kiosk, "maintenanceSelftestTable")
    assert isinstance(table, QLabel)
    qtbot.waitUntil(lambda: "selftest" in table.text(), timeout=60_000)
    assert "printer" in table.text() and "cardreader" in table.text()
    # With the table and the log shown it still fits the portrait screen (nothing pushed off it).
    qtbot.waitUntil(lambda: kiosk.window.minimumSizeHint().height() <= 1920, timeout=2000)
    assert kiosk.window.height() == 1920
    assert not kiosk.window.grab().isNull()
    assert find(kiosk, "maintenanceSelftest").isEnabled()
    # The kiosk's own drivers are still open afterwards.
    assert kiosk.drivers.printer.health().usable


def test_restart_is_requested_with_the_restart_code(qtbot: QtBot, kiosk: Kiosk) -> None:
    asked: list[int] = []
    kiosk.machine.maintenance.on_restart = asked.append
    open_maintenance(qtbot, kiosk)
    tap(qtbot, find(kiosk, "maintenanceRestart"))
    assert asked == [RESTART_EXIT_CODE] and kiosk.machine.maintenance.restart_requested == RESTART_EXIT_CODE


def test_log_lines_and_camera_preview_are_shown(qtbot: QtBot, kiosk: Kiosk) -> None:
    import logging

    logging.getLogger("kiosk.test").warning("printer: failed (Paper out)")
    screen = open_maintenance(qtbot, kiosk)
    assert "printer: failed (Paper out)" in find(kiosk, "maintenanceLog").text()
    qtbot.waitUntil(lambda: screen.camera_view.frames_shown > 0, timeout=5000)
    tap(qtbot, find(kiosk, "maintenanceClose"))
    assert screen._feed is None


def test_health_shows_the_last_problem_after_recovery(qtbot: QtBot, kiosk: Kiosk) -> None:
    healthy = kiosk.drivers.health()
    kiosk.controller.on_health({**healthy, "printer": Health(HealthState.FAILED, "Paper out")})
    kiosk.controller.on_health(healthy)
    open_maintenance(qtbot, kiosk)
    assert find(kiosk, "maintenanceState_printer").text() == "ok"
    assert find(kiosk, "maintenanceProblem_printer").text() == "laatste probleem: failed Paper out"
    assert find(kiosk, "maintenanceProblem_camera").text() == ""
