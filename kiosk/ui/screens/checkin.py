"""Check in for an appointment: show the QR code of the confirmation, or type its code.

The camera comes first when it works; typing is always one tap away and is what the
screen offers when the camera is missing. The greeting uses the first name only:
others may be reading along. The check-in itself runs off the UI thread (the backoffice
may take a moment): meanwhile the screen says so and takes no second code, and nothing
that would leave it can be tapped, so an answer never arrives to an empty screen.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QHideEvent, QRegularExpressionValidator, QShowEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QStackedWidget, QVBoxLayout, QWidget

from drivers.camera.vision.qr_decoder import appointment_code
from drivers.health import Health
from kiosk.appointments import Appointment, LookUpResult, Outcome
from kiosk.i18n import N_, Translator, localized
from kiosk.print_layouts import checkin_receipt
from kiosk.session import Phase
from kiosk.ui.checkin_service import CheckinJob
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.keyboard import CodeKeyboard
from kiosk.ui.printing import PrintJob, PrintOutcome
from kiosk.ui.qr_scan_panel import QrScanPanel
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

PROBLEMS = {
    Outcome.MALFORMED: N_("This code is not complete. A code has 8 letters and digits, like K7Q2-9XZD."),
    Outcome.UNKNOWN: N_("We cannot find this code. Check that you typed it exactly as in your letter or e-mail."),
    Outcome.ALREADY_USED: N_("You have already checked in with this code. Please wait until you are called."),
    Outcome.EXPIRED: N_("The time of this appointment has passed. A staff member can help you make a new one."),
    Outcome.TOO_EARLY: N_("It is too early to check in for this appointment. Please come back a little later."),
}
TOO_EARLY_UNTIL = N_("It is too early to check in for this appointment. You can check in from {time}.")
LOOKING_UP = N_("Looking up your appointment…")
NOT_AN_APPOINTMENT = N_(
    "This QR code is not an appointment code. Show the code from your appointment letter, or type it."
)


class CheckinScreen(Screen):
    phase = Phase.TASK
    task_id = "checkin"

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.pages = QStackedWidget()
        self.scan_page, self.entry_page, self.result_page = QWidget(), QWidget(), QWidget()
        self.pages.addWidget(self.scan_page)
        self.pages.addWidget(self.entry_page)
        self.pages.addWidget(self.result_page)
        self.layout_.addWidget(self.pages)
        self._t = Translator.for_language(self.machine.language)
        self.scanner: QrScanPanel | None = None
        self._pending: CheckinJob | None = None
        self._pending_from_camera = False
        self._build_scan_page()

        entry = QVBoxLayout(self.entry_page)
        entry.setContentsMargins(0, 0, 0, 0)
        entry.setSpacing(24)
        self.title = label("title", object_name="checkinTitle")
        self.instruction = label(object_name="checkinInstruction")
        self.code_field: QLineEdit = QLineEdit()
        self.code_field.setObjectName("codeField")
        self.code_field.setMaxLength(12)
        self.code_field.setValidator(QRegularExpressionValidator(r"[A-Za-z0-9\- ]*"))
        self.code_field.returnPressed.connect(self.submit)
        self.problem = label("notice", object_name="checkinProblem")
        self.problem.hide()
        self.keyboard = CodeKeyboard()
        self.keyboard.typed.connect(self._type)
        self.keyboard.erased.connect(self.code_field.backspace)
        self.back_button = KioskButton(object_name="taskBack")
        self.back_button.clicked.connect(self.machine.back)
        self.submit_button = KioskButton("primary", object_name="checkinSubmit")
        self.submit_button.clicked.connect(self.submit)
        self.busy, self.busy_bar = _busy_row("checkinBusy")
        for widget in (self.title, self.instruction, self.code_field, self.problem, self.busy, self.busy_bar):
            entry.addWidget(widget)
        entry.addWidget(self.keyboard)
        entry.addStretch(1)
        entry.addLayout(button_row(self.back_button, self.submit_button))

        result = QVBoxLayout(self.result_page)
        result.setContentsMargins(0, 0, 0, 0)
        result.setSpacing(28)
        self.greeting = label("title", object_name="checkinGreeting")
        self.details = label(object_name="checkinDetails")
        self.where = label("notice", object_name="checkinWhere")
        self.done_button = KioskButton("primary", object_name="checkinDone")
        self.done_button.clicked.connect(self.machine.finish)
        self.menu_button = KioskButton(object_name="checkinMenu")
        self.menu_button.clicked.connect(self.machine.task_done)
        self.receipt_note = label(object_name="checkinReceipt")
        self.receipt_note.hide()
        self._receipt_job: PrintJob | None = None
        for widget in (self.greeting, self.details, self.where, self.receipt_note):
            result.addWidget(widget)
        result.addStretch(1)
        result.addLayout(button_row(self.menu_button, self.done_button))
        self.apply_theme(context.theme)

    def _build_scan_page(self) -> None:
        layout = QVBoxLayout(self.scan_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(24)
        self.scan_title = label("title", object_name="scanTitle")
        self.scan_instruction = label(object_name="scanInstruction")
        self.scan_problem = label("notice", object_name="scanProblem")
        self.scan_problem.hide()
        self.scan_busy, self.scan_busy_bar = _busy_row("scanBusy")
        self.scan_back = KioskButton(object_name="taskBack")
        self.scan_back.clicked.connect(self.machine.back)
        self.type_button = KioskButton("primary", object_name="typeCode")
        self.type_button.clicked.connect(self.show_keyboard)
        layout.addWidget(self.scan_title)
        layout.addWidget(self.scan_instruction)
        camera = self.context.camera
        camera_works = camera is not None and self.context.health.get("camera", Health.ok()).usable
        if camera is not None and camera_works:
            self.scanner = QrScanPanel(camera)
            self.scanner.payload_found.connect(self.submit_payload)
            self.scanner.view.advice_changed.connect(self.say_if_read_aloud)
            layout.addWidget(self.scanner, 1)
        layout.addWidget(self.scan_problem)
        layout.addWidget(self.scan_busy)
        layout.addWidget(self.scan_busy_bar)
        layout.addLayout(button_row(self.scan_back, self.type_button))
        if self.scanner is None:
            self.pages.setCurrentWidget(self.entry_page)  # no camera: typing is the way

    def show_keyboard(self) -> None:
        self._stop_camera()
        self.pages.setCurrentWidget(self.entry_page)
        self.code_field.setFocus()

    def submit_payload(self, payload: str) -> None:
        """A QR code was read: an appointment code, or something else held up by mistake."""
        if self._pending is not None:
            return  # the camera still sees the letter while its code is being checked
        code = appointment_code(payload)
        if code is None:
            self.scan_problem.setText(self._t.text(NOT_AN_APPOINTMENT))
            self.scan_problem.show()
            return
        self._check_in(code, from_camera=True)

    def _camera_page_active(self) -> bool:
        return self.scanner is not None and self.pages.currentWidget() is self.scan_page and self.isVisible()

    def _camera_usable(self) -> bool:
        return self.scanner is not None and self.context.health.get("camera", Health.ok()).usable

    def update_health(self, health: Mapping[str, Health]) -> None:
        """The camera went (unplugged, covered): carry on by typing, and say why."""
        if self.pages.currentWidget() is self.scan_page and not self._camera_usable():
            self.show_keyboard()
            if self.scanner is not None:
                self.problem.setText(self._t.text("The camera is not working now. Please type the code."))
                self.problem.show()

    def _stop_camera(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.pages.currentWidget() is self.scan_page and not self._camera_usable():
            self.pages.setCurrentWidget(self.entry_page)
        if self._camera_page_active() and self.scanner is not None:
            self.scanner.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self._stop_camera()
        super().hideEvent(event)

    def _type(self, char: str) -> None:
        self.code_field.insert(char)

    def submit(self) -> None:
        self._check_in(self.code_field.text(), from_camera=False)

    def _check_in(self, code: str, *, from_camera: bool) -> None:
        """Ask off the UI thread; `_checked` or `_check_failed` goes on."""
        service = self.context.checkin
        assert service is not None, "the kiosk is started before screens are used"
        if self._pending is not None:
            return  # a second tap (or Enter) while the first code is being checked
        self._pending_from_camera = from_camera
        self._set_busy(True)
        self._pending = service.check_in(code, self._checked, self._check_failed, self.machine.language)
        self.machine.touch()

    def _set_busy(self, busy: bool) -> None:
        if busy and self.pages.currentWidget() is self.entry_page:
            # Before its button is disabled, or Qt hands the focus on (to "talk to a person").
            self.code_field.setFocus()
        # Leaving now would leave without the answer (and perhaps checked in): nothing to tap but help.
        for control in (self.submit_button, self.keyboard, self.back_button, self.scan_back, self.type_button):
            control.setEnabled(not busy)
        self.code_field.setReadOnly(busy)
        text = self._t.text(LOOKING_UP) if busy else ""
        for busy_label, bar in ((self.busy, self.busy_bar), (self.scan_busy, self.scan_busy_bar)):
            busy_label.setText(text)
            busy_label.setVisible(busy)
            bar.setVisible(busy)
        if busy:
            self.problem.hide()
            self.scan_problem.hide()
            self.say_if_read_aloud(text)

    def _checked(self, result: LookUpResult) -> None:
        if self._pending is None:
            return  # the screen was wiped (the session ended) while the code was on its way
        self._pending = None
        self._set_busy(False)
        self._handle(result)
        if result.outcome is not Outcome.CHECKED_IN:
            if self._pending_from_camera:
                self.scan_problem.setText(self.problem.text())
                self.scan_problem.show()
            self.first_focus().setFocus()  # where it was before its controls were disabled
            self.say_if_read_aloud(self.problem.text())

    def _check_failed(self, error: BaseException) -> None:
        if self._pending is None:
            return
        self._pending = None
        self._set_busy(False)
        raise error  # on the UI thread, so the kiosk's recovery logs it and resets the session

    def _handle(self, result: LookUpResult) -> None:
        citizen = self.machine.citizen
        if citizen is not None:
            citizen.task_data["checkin"] = result
        self._show(result)
        if result.outcome is Outcome.CHECKED_IN and result.appointment is not None:
            if self.context.events is not None:
                source = "backoffice" if result.via_backoffice else "kiosk"
                topic = result.appointment.topic.get("nl", "")
                self.context.events.record("checked_in", {"topic": topic, "source": source})
            self._print_receipt(result.appointment)
        self.machine.touch()

    def _print_receipt(self, appointment: Appointment) -> None:
        """A receipt to hold while waiting; it is a help, not a condition, so a failure only logs."""
        printing = self.context.printing
        if printing is None:
            return
        config = self.context.config
        document = checkin_receipt(
            appointment,
            self._t,
            municipality=config.device.municipality,
            location=config.device.location,
            logo=self.context.logo,
        )
        self._receipt_job = printing.submit(document, "check-in receipt", self._receipt_printed)

    def _receipt_printed(self, outcome: PrintOutcome) -> None:
        if outcome.printed and self.pages.currentWidget() is self.result_page:
            self.receipt_note.setText(self._t.text("Take your receipt from the printer."))
            self.receipt_note.show()

    def _show(self, result: LookUpResult) -> None:
        t = self._t
        if result.outcome is Outcome.CHECKED_IN and result.appointment is not None:
            appointment = result.appointment
            self.greeting.setText(t.text("Welcome, {name}. You are checked in.", name=appointment.first_name))
            topic = localized(appointment.topic, t.language)
            self.details.setText(
                t.text(
                    "Your appointment is at {time}: {topic}.", time=appointment.starts.strftime("%H:%M"), topic=topic
                )
            )
            where = localized(appointment.where, t.language)
            self.where.setText(
                t.text("Please wait in: {where}. You will be called.", where=where)
                if where
                else t.text("Please take a seat. You will be called.")
            )
            self._stop_camera()
            self.pages.setCurrentWidget(self.result_page)
            self.done_button.setFocus()
            return
        problem = t.text(PROBLEMS[result.outcome])
        if result.outcome is Outcome.TOO_EARLY and result.opens_at is not None:
            problem = t.text(TOO_EARLY_UNTIL, time=result.opens_at.strftime("%H:%M"))
        self.problem.setText(problem + " " + t.text("You can also ask a staff member: touch 'Talk to a person'."))
        self.problem.show()

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.scan_title.setText(t.text("Show your QR code"))
        self.scan_instruction.setText(
            t.text("Hold the QR code from your appointment letter or e-mail in front of the camera.")
        )
        self.scan_back.set_label(t.text("Back"))
        self.type_button.set_label(t.text("Type the code instead"))
        if self.scanner is not None:
            self.scanner.retranslate(t)
        self.title.setText(t.text("Your appointment code"))
        self.instruction.setText(t.text("Type the code from your appointment letter or e-mail."))
        self.code_field.setAccessibleName(t.text("Appointment code"))
        self.code_field.setPlaceholderText("K7Q2-9XZD")
        self.keyboard.retranslate(t)
        self.back_button.set_label(t.text("Back"))
        self.submit_button.set_label(t.text("Check in"))
        self.done_button.set_label(t.text("Done"))
        self.menu_button.set_label(t.text("Something else"))
        if self._pending is not None:
            self.busy.setText(t.text(LOOKING_UP))
            self.scan_busy.setText(t.text(LOOKING_UP))
        citizen = self.machine.citizen
        result = citizen.task_data.get("checkin") if citizen else None
        if isinstance(result, LookUpResult):
            self._show(result)

    def announcement(self, t: Translator) -> str:
        if self.pages.currentWidget() is self.result_page:
            return " ".join((self.greeting.text(), self.details.text(), self.where.text()))
        return f"{t.text('Your appointment code')}. {t.text('Type the code from your appointment letter or e-mail.')}"

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        for back in (self.back_button, self.scan_back):
            set_pictogram(back, "back.svg", theme.palette.text, 44)

    def first_focus(self) -> QWidget:
        if self.pages.currentWidget() is self.scan_page:
            return self.type_button
        return self.code_field

    def wipe(self) -> None:
        self._stop_camera()
        self._pending = None
        self.code_field.clear()
        for widget in (self.greeting, self.details, self.where, self.problem, self.receipt_note):
            widget.clear()
        self._receipt_job = None


def _busy_row(name: str) -> tuple[QLabel, QProgressBar]:
    """ "Looking up…" with a moving bar: the answer may take a few seconds when the network is slow."""
    text = label("subtitle", object_name=name)
    bar = QProgressBar()
    bar.setObjectName(f"{name}Bar")
    bar.setRange(0, 0)  # busy: there is no percentage to a question
    bar.setTextVisible(False)
    text.hide()
    bar.hide()
    return text, bar
