"""During a call, the caseworker asks to read the citizen's passport or ID card: the citizen agrees,
types how to open the chip, and lays the document on the reader.

The pieces are the Identify screen's (keypads, date fields, the reader picture, the identity service
on the reader's own thread, the same sentences); the flow is shorter, because the caseworker, not the
citizen, compares the chip photo with the live picture. Nothing read stays here: the identity is
handed on at once and this panel forgets it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QStackedWidget, QVBoxLayout, QWidget

from drivers.cardreader.icao.document import CanKey, MrzKey
from drivers.cardreader.icao.reader import ReadStep
from kiosk import identity as idn
from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, TileButton, label, pictogram
from kiosk.ui.digit_keypad import DateField, DigitKeypad, EntryField
from kiosk.ui.identity_service import IdentityRead, IdentityService
from kiosk.ui.keyboard import CodeKeyboard
from kiosk.ui.reader_picture import ReaderPicture
from kiosk.ui.screens.base import button_row, set_pictogram
from kiosk.ui.screens.identify import STEP_TEXTS, WAITING
from kiosk.ui.theme import Theme

# What the caseworker is told when the citizen does not go on (plain English, like the engine's own).
DECLINED = "the citizen chose not to have the document read"
STOPPED = "the citizen stopped the reading"


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(16)
    return page, layout


class CallIdentityPanel(QWidget):
    identified = Signal(object)  # kiosk.identity.VerifiedIdentity, for the caseworker only
    declined = Signal(str)  # why not, for the caseworker

    def __init__(self, service: IdentityService | None) -> None:
        super().__init__()
        self._service = service
        self._t = Translator.for_language("nl")
        self._job: IdentityRead | None = None
        self._key: MrzKey | CanKey | None = None
        self._problem: str = ""  # msgid shown on the problem or an entry page
        self._focus_colour = "#ffb612"  # the theme's, once applied: the field the keys type into
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.ask_page, ask = _page()
        self.can_page, can = _page()
        self.mrz_page, mrz = _page()
        self.reading_page, reading = _page()
        self.problem_page, problem = _page()
        self.ask_title = label("title", object_name="callIdTitle")
        self.ask_text = label(object_name="callIdText")
        self.ask_picture = ReaderPicture("callIdPicture")
        self.ask_picture.setMaximumHeight(420)
        self.can_choice = TileButton("callIdCan", role="wide")
        self.can_choice.clicked.connect(lambda: self._go(self.can_page))
        self.mrz_choice = TileButton("callIdMrz", role="wide")
        self.mrz_choice.clicked.connect(self._open_mrz)
        self.no_button = KioskButton(object_name="callIdNo")
        self.no_button.clicked.connect(lambda: self._decline(DECLINED))
        for each in (self.ask_title, self.ask_text, self.ask_picture, self.mrz_choice, self.can_choice):
            ask.addWidget(each)
        ask.addStretch(1)
        ask.addLayout(button_row(self.no_button))

        self.can_title = label("title", object_name="callCanTitle")
        self.can_text = label(object_name="callCanText")
        self.can_field = EntryField()
        self.can_field.setObjectName("callCanField")
        self.can_field.setMaxLength(idn.CAN_DIGITS)
        self.can_field.returnPressed.connect(self._submit_can)
        self.can_problem = label("notice", object_name="callCanProblem")
        self.can_keypad = DigitKeypad()
        self.can_keypad.typed.connect(self._type_can)
        self.can_keypad.erased.connect(self.can_field.backspace)
        self.can_back = KioskButton(object_name="callCanBack")
        self.can_back.clicked.connect(lambda: self._go(self.ask_page))
        self.can_submit = KioskButton("primary", object_name="callCanSubmit")
        self.can_submit.clicked.connect(self._submit_can)
        for entry in (self.can_title, self.can_text, self.can_field, self.can_problem, self.can_keypad):
            can.addWidget(entry)
        can.addStretch(1)
        can.addLayout(button_row(self.can_back, self.can_submit))

        mrz.setSpacing(6)
        self.mrz_title = label("title", object_name="callMrzTitle")
        self.mrz_problem = label("notice", object_name="callMrzProblem")
        self.number_caption = label(object_name="callNumberCaption")
        self.number_field = EntryField()
        self.number_field.setObjectName("callNumberField")
        self.number_field.setMaxLength(idn.DOCUMENT_NUMBER_MAX)
        self.birth_caption = label(object_name="callBirthCaption")
        self.birth_field = DateField("callBirthField")
        self.expiry_caption = label(object_name="callExpiryCaption")
        self.expiry_field = DateField("callExpiryField")
        # One keyboard for all three: its top row has the digits the dates need.
        self.keyboard = CodeKeyboard()
        self.keyboard.typed.connect(self._type)
        self.keyboard.erased.connect(self._erase)
        self.mrz_back = KioskButton(object_name="callMrzBack")
        self.mrz_back.clicked.connect(lambda: self._go(self.ask_page))
        self.mrz_submit = KioskButton("primary", object_name="callMrzSubmit")
        self.mrz_submit.clicked.connect(self._submit_mrz)
        mrz.addWidget(self.mrz_title)
        mrz.addWidget(self.mrz_problem)
        self._active: QLineEdit = self.number_field
        for caption, field in (
            (self.number_caption, self.number_field),
            (self.birth_caption, self.birth_field),
            (self.expiry_caption, self.expiry_field),
        ):
            mrz.addWidget(caption)
            mrz.addWidget(field)
            field.entered.connect(lambda field=field: self._activate(field))
        mrz.addSpacing(8)
        mrz.addWidget(self.keyboard)
        mrz.addStretch(1)
        mrz.addLayout(button_row(self.mrz_back, self.mrz_submit))

        self.reading_title = label("title", object_name="callReadingTitle")
        self.reading_picture = ReaderPicture("callReadingPicture")
        self.reading_picture.setMaximumHeight(420)
        self.step = label("subtitle", object_name="callReadingStep")
        self.progress = QProgressBar()
        self.progress.setObjectName("callReadProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(36)
        self.reading_stop = KioskButton(object_name="callReadingStop")
        self.reading_stop.clicked.connect(self._stop_reading)
        for part in (self.reading_title, self.reading_picture, self.step, self.progress):
            reading.addWidget(part)
        reading.addStretch(1)
        reading.addLayout(button_row(self.reading_stop))

        self.problem_title = label("title", object_name="callIdProblemTitle")
        self.problem_text = label("notice", object_name="callIdProblem")
        self.problem_stop = KioskButton(object_name="callIdProblemStop")
        self.problem_stop.clicked.connect(lambda: self._decline(STOPPED))
        self.retry_button = KioskButton("primary", object_name="callIdRetry")
        self.retry_button.clicked.connect(self._retry)
        problem.addWidget(self.problem_title)
        problem.addWidget(self.problem_text)
        problem.addStretch(1)
        problem.addLayout(button_row(self.problem_stop, self.retry_button))

        for page in (self.ask_page, self.can_page, self.mrz_page, self.reading_page, self.problem_page):
            self.pages.addWidget(page)

    # -- the flow ----------------------------------------------------------------------------
    def begin(self) -> None:
        self.clear()
        self._go(self.ask_page)

    def _go(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        focus = self.first_focus()
        if focus is not None and self.isVisible():
            focus.setFocus()

    def _open_mrz(self) -> None:
        self._go(self.mrz_page)
        self._activate(self.number_field)

    def _activate(self, field: QLineEdit) -> None:
        self._active = field
        for each in (self.number_field, self.birth_field, self.expiry_field):
            each.setStyleSheet(f"border: 6px solid {self._focus_colour};" if each is field else "")

    def _type(self, char: str) -> None:
        field = self._active
        if isinstance(field, DateField):
            if char.isdigit():
                field.type_digit(char)
                if field is self.birth_field and field.complete() and not self.expiry_field.complete():
                    self._activate(self.expiry_field)
        else:
            field.insert(char)

    def _erase(self) -> None:
        field = self._active
        if isinstance(field, DateField):
            field.erase()
        else:
            field.backspace()

    def _type_can(self, digit: str) -> None:
        if len(self.can_field.text()) < idn.CAN_DIGITS:
            self.can_field.insert(digit)

    def _submit_can(self) -> None:
        digits = self.can_field.text().strip()
        problem = idn.can_problem(digits)
        if problem is not None:
            self._show_problem(self.can_problem, problem)
            return
        self._read(CanKey(digits))

    def _submit_mrz(self) -> None:
        number = self.number_field.text().strip().upper()
        birth, expiry = self.birth_field.digits(), self.expiry_field.digits()
        today = dt.date.today()
        problem = (
            idn.document_number_problem(number)
            or idn.date_problem(birth, birth=True, today=today)
            or idn.date_problem(expiry, birth=False, today=today, born=idn.entry_date(birth))
        )
        if problem is not None:
            self._show_problem(self.mrz_problem, problem)
            return
        self._read(idn.mrz_key(number, birth, expiry))

    def _show_problem(self, notice: QLabel, msgid: str) -> None:
        self._problem = msgid
        notice.setText(self._t.text(msgid))
        notice.show()

    def _read(self, key: MrzKey | CanKey) -> None:
        if self._service is None:
            self._decline("the kiosk has no card reader")
            return
        self._drop_job()
        self._key = key
        job = self._job = self._service.prepare()
        job.waiting.connect(self._waiting)
        job.progress.connect(self._progress)
        job.finished.connect(self._finished)
        self._service.start(job, key)
        self.progress.setValue(0)
        self.step.setText(self._t.text(STEP_TEXTS[ReadStep.ACCESS]))
        self._go(self.reading_page)

    def _current(self) -> bool:
        sender = self.sender()  # None when Qt cannot tell (as on the Identify screen): take it as current
        return self._job is not None and (sender is None or sender is self._job)

    def _waiting(self) -> None:
        if self._current():
            self.step.setText(self._t.text(WAITING))

    def _progress(self, step: ReadStep, fraction: float) -> None:
        if self._current():
            self.progress.setValue(round(fraction * 100))
            self.step.setText(self._t.text(STEP_TEXTS.get(step, STEP_TEXTS[ReadStep.PERSONAL_DATA])))

    def _finished(self, outcome: idn.IdentityOutcome) -> None:
        if not self._current():
            return
        self._job = None
        if outcome.kind is idn.ReadResult.CANCELLED:
            return
        if outcome.kind is idn.ReadResult.READ and outcome.identity is not None:
            identity = outcome.identity
            self.clear()
            self.identified.emit(identity)
            return
        if outcome.kind is idn.ReadResult.ACCESS_DENIED:
            if isinstance(self._key, CanKey):
                self._show_problem(self.can_problem, outcome.message)
                self._go(self.can_page)
            else:
                self._show_problem(self.mrz_problem, outcome.message)
                self._go(self.mrz_page)
            return
        self._problem = outcome.message
        self.problem_text.setText(self._t.text(outcome.message))
        self._go(self.problem_page)

    def _retry(self) -> None:
        if self._key is not None:
            self._read(self._key)
        else:
            self._go(self.ask_page)

    def _stop_reading(self) -> None:
        self._drop_job()
        self._decline(STOPPED)

    def _decline(self, reason: str) -> None:
        self.clear()
        self.declined.emit(reason)

    def _drop_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    def clear(self) -> None:
        """Forget what was typed and read; a running read is stopped."""
        self._drop_job()
        self._key = None
        self._problem = ""
        for field in (self.can_field, self.number_field, self.birth_field, self.expiry_field):
            field.clear()
        for notice in (self.can_problem, self.mrz_problem, self.problem_text):
            notice.clear()
            notice.hide()
        self.progress.setValue(0)

    # -- the screen's hooks ------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.ask_title.setText(t.text("The staff member asks to read your passport or ID card"))
        self.ask_text.setText(
            t.text("Lay it on the reader and leave it there. Your details go only to the staff member.")
        )
        self.mrz_choice.set_texts(t.text("Type the document number and dates"), t.text("For a passport or any ID card"))
        self.can_choice.set_texts(
            t.text("My card has a 6-digit number on the front"), t.text("The card access number (CAN)")
        )
        self.no_button.set_label(t.text("No, I do not want this"))
        self.can_title.setText(t.text("Type the card access number"))
        self.can_text.setText(t.text("These are the 6 digits on the front of your ID card."))
        self.can_field.setAccessibleName(t.text("Card access number"))
        self.can_keypad.retranslate(t)
        self.mrz_title.setText(t.text("Type your document details"))
        self.number_caption.setText(t.text("Document number"))
        self.number_field.setAccessibleName(t.text("Document number"))
        self.birth_caption.setText(t.text("Date of birth (day-month-year)"))
        self.birth_field.setAccessibleName(t.text("Date of birth (day-month-year)"))
        self.expiry_caption.setText(t.text("Expiry date (day-month-year)"))
        self.expiry_field.setAccessibleName(t.text("Expiry date (day-month-year)"))
        for field in (self.birth_field, self.expiry_field):
            field.setPlaceholderText(t.text("DD-MM-YYYY"))
        self.keyboard.retranslate(t)
        for back in (self.can_back, self.mrz_back):
            back.set_label(t.text("Back"))
        for submit in (self.can_submit, self.mrz_submit):
            submit.set_label(t.text("Read my document"))
        self.reading_title.setText(t.text("Reading your document"))
        self.progress.setAccessibleName(t.text("Reading your document"))
        self.reading_stop.set_label(t.text("Stop"))
        self.problem_title.setText(t.text("That did not work"))
        self.problem_stop.set_label(t.text("Stop"))
        self.retry_button.set_label(t.text("Try again"))
        for notice in (self.can_problem, self.mrz_problem, self.problem_text):
            if notice.text() and self._problem:
                notice.setText(t.text(self._problem))

    def apply_theme(self, theme: Theme) -> None:
        palette = theme.palette
        self._focus_colour = palette.focus
        if self.pages.currentWidget() is self.mrz_page:
            self._activate(self._active)
        for back in (self.can_back, self.mrz_back):
            set_pictogram(back, "back.svg", palette.text, 44)
        self.mrz_choice.set_pictogram(pictogram("keyboard.svg", palette.text, 112), 56)
        self.can_choice.set_pictogram(pictogram("id-card.svg", palette.text, 112), 56)
        for picture in (self.ask_picture, self.reading_picture):
            picture.set_colours(palette.text, palette.accent, palette.surface)
        self.progress.setStyleSheet(
            f"QProgressBar {{ border: 2px solid {palette.border}; border-radius: 10px;"
            f" background: {palette.surface}; }}"
            f"QProgressBar::chunk {{ background: {palette.accent}; border-radius: 8px; }}"
        )

    def announcement(self) -> str:
        page = self.pages.currentWidget()
        texts: tuple[QLabel, ...] = ()
        if page is self.ask_page:
            texts = (self.ask_title, self.ask_text)
        elif page is self.can_page:
            texts = (self.can_title, self.can_text)
        elif page is self.mrz_page:
            texts = (self.mrz_title,)
        elif page is self.reading_page:
            texts = (self.reading_title, self.step)
        elif page is self.problem_page:
            texts = (self.problem_title, self.problem_text)
        return " ".join(w.text() for w in texts if w.text())

    def first_focus(self) -> QWidget | None:
        page = self.pages.currentWidget()
        if page is self.can_page:
            return self.can_field
        if page is self.mrz_page:
            return self._active
        if page is self.reading_page:
            return self.reading_stop
        if page is self.problem_page:
            return self.retry_button
        return self.mrz_choice
