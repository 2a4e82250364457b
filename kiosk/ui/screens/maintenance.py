"""The technician's screens: the PIN after the hidden gesture, then the maintenance screen.

How to open it (see kiosk/maintenance.py): five taps within 3 s in the top-left corner of
the attract screen, then the PIN. It closes by itself after `[maintenance] idle_seconds`
without a touch. Everything slow (a test ticket, the reader, the self-test) runs on a
thread of its own and comes back as a Qt signal; the camera preview runs only while shown.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QSizePolicy, QWidget

from drivers.health import Health
from kiosk.i18n import Translator
from kiosk.maintenance import PIN_DIGITS, PinResult
from kiosk.session import Phase
from kiosk.ui.camera_feed import CameraFeed
from kiosk.ui.camera_view import CameraView
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.digit_keypad import DigitKeypad
from kiosk.ui.printing import PrintOutcome
from kiosk.ui.screens.base import Screen, ScreenContext, button_row

log = logging.getLogger(__name__)

DEVICES = ("camera", "cardreader", "printer", "speech")


class MaintenancePinScreen(Screen):
    phase = Phase.MAINTENANCE_PIN

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self.title = label("title", object_name="maintenancePinTitle")
        self.prompt = label(object_name="maintenancePinPrompt")
        self.pin = QLineEdit()
        self.pin.setObjectName("maintenancePin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_DIGITS[1])
        self.pin.setReadOnly(True)  # typed on the keypad only
        self.keypad = DigitKeypad()
        self.keypad.typed.connect(lambda digit: self.pin.setText(self.pin.text() + digit))
        self.keypad.erased.connect(lambda: self.pin.setText(self.pin.text()[:-1]))
        self.message = label("notice", object_name="maintenancePinMessage")
        self.message.hide()
        self.ok_button = KioskButton("primary", object_name="maintenancePinOk")
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button = KioskButton(object_name="maintenancePinCancel")
        self.cancel_button.clicked.connect(self.machine.close_maintenance)
        self.lockout_timer = QTimer(self)  # the countdown, so the technician sees when to try again
        self.lockout_timer.setInterval(1000)
        self.lockout_timer.timeout.connect(self._count_down)
        for widget in (self.title, self.prompt, self.pin, self.keypad, self.message):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)
        self.layout_.addLayout(button_row(self.cancel_button, self.ok_button))

    def submit(self) -> None:
        pin, t = self.pin.text(), self._t
        self.pin.clear()
        result = self.machine.enter_pin(pin)
        if result is PinResult.OPEN:
            self.message.hide()
            return
        if result is PinResult.WRONG:
            gate = self.machine.maintenance.gate
            left = gate.attempts_left if gate is not None else 0
            self.message.setText(t.text("Wrong PIN. {count} attempts left.", count=left))
        else:
            self._show_lockout()
        self.message.show()

    def _count_down(self) -> None:
        gate = self.machine.maintenance.gate
        if gate is not None and gate.seconds_locked():
            self._show_lockout()
            return
        self.lockout_timer.stop()
        self.message.hide()

    def _show_lockout(self) -> None:
        gate = self.machine.maintenance.gate
        seconds = gate.seconds_locked() if gate is not None else 0
        self.lockout_timer.start()
        minutes, rest = divmod(seconds, 60)
        self.message.setText(
            self._t.text("Too many wrong PINs. Try again in {minutes} min {seconds} s.", minutes=minutes, seconds=rest)
        )

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.title.setText(t.text("Maintenance"))
        self.prompt.setText(t.text("Enter the technician's PIN"))
        self.pin.setAccessibleName(t.text("Technician's PIN"))
        self.keypad.retranslate(t)
        self.ok_button.set_label(t.text("Open"))
        self.cancel_button.set_label(t.text("Cancel"))

    def announcement(self, t: Translator) -> str:
        return t.text("Enter the technician's PIN")

    def first_focus(self) -> QWidget:
        return self.keypad.keys["1"]

    def hideEvent(self, event: QHideEvent) -> None:
        self.pin.clear()
        self.lockout_timer.stop()
        self.message.hide()
        super().hideEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        gate = self.machine.maintenance.gate
        if gate is not None and gate.seconds_locked():
            self._show_lockout()  # still locked from an earlier opening: say so before a PIN is typed
            self.message.show()

    def wipe(self) -> None:
        self.pin.clear()


class _Results(QObject):
    """Outcomes of the screen's background jobs, back on the UI thread."""

    reader = Signal(str)
    selftest = Signal(object)  # provisioning.selftest.SelftestReport or an error text


class MaintenanceScreen(Screen):
    phase = Phase.MAINTENANCE

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.layout_.setSpacing(16)
        self._t = Translator.for_language(self.machine.language)
        self._jobs: list[threading.Thread] = []
        self._results = _Results()
        self._results.reader.connect(self._reader_done)
        self._results.selftest.connect(self._selftest_done)
        self._feed: CameraFeed | None = None
        self._health: Mapping[str, Health] = {}
        # Small and monospaced: a table and log lines for a technician standing close, not a citizen.
        mono = "font-family: 'DejaVu Sans Mono', monospace; font-size: 17px;"

        self.title = label("title", object_name="maintenanceTitle")
        self.close_button = KioskButton("primary", object_name="maintenanceClose")
        self.close_button.clicked.connect(self.machine.close_maintenance)
        self.devices_heading = label("subtitle")
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        self.device_rows: dict[str, tuple[QLabel, QLabel, QLabel]] = {}
        for row, device in enumerate(DEVICES):
            state, problem = (
                label(object_name=f"maintenanceState_{device}"),
                label(object_name=f"maintenanceProblem_{device}"),
            )
            cells = (label(wrap=False), state, problem)
            for column, cell in enumerate(cells):
                grid.addWidget(cell, row, column)
            self.device_rows[device] = cells
        grid.setColumnStretch(2, 1)
        self.network = label(object_name="maintenanceNetwork")

        self.camera_view = CameraView("maintenanceCamera")
        self.camera_view.setMinimumHeight(200)
        self.camera_view.setMaximumHeight(220)
        self.print_button = KioskButton(object_name="maintenanceTestTicket")
        self.print_button.clicked.connect(self.print_test_ticket)
        self.reader_button = KioskButton(object_name="maintenanceReaderTest")
        self.reader_button.clicked.connect(self.test_reader)
        self.selftest_button = KioskButton(object_name="maintenanceSelftest")
        self.selftest_button.clicked.connect(self.run_selftest)
        self.restart_button = KioskButton(object_name="maintenanceRestart")
        self.restart_button.clicked.connect(self.machine.maintenance.request_restart)
        self.result = label("notice", object_name="maintenanceResult")
        self.result.hide()
        self.selftest_table = label(wrap=False, object_name="maintenanceSelftestTable")
        self.selftest_table.setStyleSheet(mono)
        self.log_heading = label("subtitle")
        self.log_lines = label(wrap=False, object_name="maintenanceLog")
        self.log_lines.setStyleSheet(mono)
        self.log_lines.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        for wide in (self.log_lines, self.selftest_table):  # long lines are cut at the edge, not widen the screen
            wide.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.layout_.addLayout(button_row(self.title, self.close_button))
        self.layout_.addWidget(self.devices_heading)
        self.layout_.addLayout(grid)
        self.layout_.addWidget(self.network)
        self.layout_.addWidget(self.camera_view)
        # One tool a row: with large text two side by side would cut their labels off.
        for button in (self.print_button, self.reader_button, self.selftest_button, self.restart_button):
            self.layout_.addWidget(button)
        self.layout_.addWidget(self.result)
        self.layout_.addWidget(self.selftest_table)
        self.layout_.addWidget(self.log_heading)
        self.layout_.addWidget(self.log_lines, 1)

        self._log_timer = QTimer(self)
        self._log_timer.setInterval(2000)
        self._log_timer.timeout.connect(self._refresh_status)

    # -- what is shown ----------------------------------------------------------------
    def update_health(self, health: Mapping[str, Health]) -> None:
        self._health = health
        self._show_devices()

    def _show_devices(self) -> None:
        t = self._t
        history = self.machine.maintenance.history.last_problem
        for device, (name, state, reason) in self.device_rows.items():
            health = self._health.get(device)
            name.setText(device)
            state.setText(health.state.value if health is not None else t.text("unknown"))
            parts = [health.reason] if health is not None and health.reason else []
            if device in history:
                problem_state, problem_reason, _ = history[device]
                parts.append(t.text("last problem: {problem}", problem=f"{problem_state} {problem_reason}".strip()))
            reason.setText("; ".join(parts))

    def _refresh_status(self) -> None:
        t, access = self._t, self.machine.maintenance
        url = self.context.config.backoffice.url or t.text("embedded backoffice on this machine")
        network = access.network_status() if access.network_status is not None else None
        if network is None or not network.connected:
            status = t.text("not connected yet")
        else:
            status = t.text("connected, {count} heartbeats delivered", count=network.heartbeats)
        self.network.setText(f"{t.text('Backoffice')}: {url} — {status}")
        buffer = access.log
        self.log_lines.setText("\n".join(line[:110] for line in buffer.lines(12)) if buffer is not None else "")

    # -- actions ----------------------------------------------------------------------
    def _say_result(self, text: str) -> None:
        self.result.setText(text)
        self.result.show()

    def print_test_ticket(self) -> None:
        printing = self.context.printing
        if printing is None:
            self._say_result(self._t.text("The printer is not ready yet."))
            return
        from provisioning.selftest import SelftestContext
        from provisioning.selftest_devices import test_ticket

        document = test_ticket(SelftestContext(self.context.config))
        self._say_result(self._t.text("Printing a test ticket…"))
        printing.submit(document, "maintenance test ticket", self._printed)

    def _printed(self, outcome: PrintOutcome) -> None:
        t = self._t
        self._say_result(
            t.text("Test ticket printed.")
            if outcome.printed
            else t.text("Not printed: {reason}", reason=outcome.reason)
        )

    def test_reader(self) -> None:
        reader = self.context.card_reader
        if reader is None:
            self._say_result(self._t.text("The card reader is not ready yet."))
            return
        t = self._t
        present_text, absent_text = t.text("Card present, ATR {atr}"), t.text("No card on the reader.")

        def job() -> None:
            try:
                atr = reader.atr() if reader.card_present() else None
                text = present_text.format(atr=atr.hex(" ").upper()) if atr else absent_text
            except Exception as error:  # shown to the technician, not raised on a worker
                text = f"{type(error).__name__}: {error}"
            self._results.reader.emit(text)

        self._say_result(t.text("Asking the card reader…"))
        self._start(job, "maintenance-reader")

    def _reader_done(self, text: str) -> None:
        self._say_result(text)

    def run_selftest(self) -> None:
        drivers = self.machine.maintenance.drivers
        config = self.context.config
        self.selftest_button.setEnabled(False)
        self._stop_camera()  # the camera check starts and stops the camera itself
        self._say_result(self._t.text("Running the self-test…"))

        def job() -> None:
            from provisioning.selftest import SelftestContext, run_selftest

            class KioskSelftest(SelftestContext):
                def close(self) -> None:  # the kiosk's own drivers stay open
                    self._drivers = None
                    super().close()

            try:
                report: Any = run_selftest(KioskSelftest(config, _drivers=drivers))
            except Exception as error:
                report = f"{type(error).__name__}: {error}"
            self._results.selftest.emit(report)

        self._start(job, "maintenance-selftest")

    def _selftest_done(self, report: object) -> None:
        from provisioning.selftest import SelftestReport, table

        self.selftest_button.setEnabled(True)
        if isinstance(report, SelftestReport):
            self.selftest_table.setText("\n".join(line[:100] for line in table(report)))
            self._say_result(self._t.text("Self-test finished."))
        else:
            self._say_result(str(report))
        if self.isVisible():
            self._start_camera()

    def _start(self, job: Callable[[], None], name: str) -> None:
        self._jobs = [thread for thread in self._jobs if thread.is_alive()]
        thread = threading.Thread(target=job, name=name, daemon=True)
        self._jobs.append(thread)
        thread.start()

    # -- camera -----------------------------------------------------------------------
    def _start_camera(self) -> None:
        camera = self.context.camera
        if camera is None or self._feed is not None:
            return
        self._feed = CameraFeed(camera)
        self._feed.preview.connect(self.camera_view.show_image)
        self._feed.start()

    def _stop_camera(self) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None
        self.camera_view.clear()

    # -- Screen hooks -----------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refresh_status()
        self._show_devices()
        self._log_timer.start()
        if self.selftest_button.isEnabled():
            self._start_camera()

    def hideEvent(self, event: QHideEvent) -> None:
        self._log_timer.stop()
        self._stop_camera()
        for thread in self._jobs:
            thread.join(timeout=30)
        self._jobs = []
        self.result.hide()
        self.selftest_table.clear()
        super().hideEvent(event)

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.title.setText(t.text("Maintenance"))
        self.close_button.set_label(t.text("Close"))
        self.devices_heading.setText(t.text("Devices"))
        self.print_button.set_label(t.text("Print a test ticket"))
        self.reader_button.set_label(t.text("Test the card reader"))
        self.selftest_button.set_label(t.text("Run the self-test"))
        self.restart_button.set_label(t.text("Restart the kiosk"))
        self.camera_view.setAccessibleName(t.text("Camera picture"))
        self.log_heading.setText(t.text("Recent log lines"))
        self._show_devices()
        self._refresh_status()

    def announcement(self, t: Translator) -> str:
        return t.text("Maintenance")

    def first_focus(self) -> QWidget:
        return self.close_button

    def wipe(self) -> None:
        self._stop_camera()
