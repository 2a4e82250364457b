"""Identify with a passport or ID card: lay it on the reader, type how to open the chip, confirm.

The chip opens with the card access number (CAN, six digits on the front of newer ID
cards) or with the document number and the two dates. The read runs on the card reader's
own thread (kiosk.ui.identity_service); this screen only shows progress and the outcome.
The citizen confirms with the chip photo in view; a document whose signature does not
hold is never confirmed here: a staff member takes over.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from drivers.cardreader.icao.document import AuthenticityStatus, CanKey, MrzKey
from drivers.cardreader.icao.reader import ReadStep
from kiosk import identity as idn
from kiosk.i18n import N_, Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, TileButton, label, pictogram
from kiosk.ui.digit_keypad import DateField, DigitKeypad, EntryField
from kiosk.ui.identity_service import IdentityRead
from kiosk.ui.keyboard import CodeKeyboard
from kiosk.ui.reader_picture import ReaderPicture
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

STEP_TEXTS = {
    ReadStep.CONNECTING: N_("Opening the chip…"),
    ReadStep.ACCESS: N_("Opening the chip…"),
    ReadStep.PERSONAL_DATA: N_("Reading your details…"),
    ReadStep.PHOTO: N_("Reading your photo…"),
    ReadStep.DETAILS: N_("Reading your details…"),
    ReadStep.SECURITY_OBJECT: N_("Checking that the document is genuine…"),
    ReadStep.VERIFYING: N_("Checking that the document is genuine…"),
}
WAITING = N_("Lay your document on the reader.")
NOT_ME = N_("Then this is not your document, or something went wrong. Try again, or ask a staff member.")
NOT_GENUINE = N_("This document could not be checked. A staff member will help you.")
PHOTO_HEIGHT = 720
PICTURE_HEIGHT = 620


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(20)
    return page, layout


class IdentifyScreen(Screen):
    phase = Phase.TASK
    task_id = "identify"

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self._job: IdentityRead | None = None
        self._key: MrzKey | CanKey | None = None
        self._outcome: idn.IdentityOutcome | None = None
        self._notices: dict[QLabel, tuple[str, ...]] = {}  # label → msgids, for a change of language
        self._retry_reads = False  # the problem page's "Try again" reads again (else: start over)
        self.pages = QStackedWidget()
        self.layout_.addWidget(self.pages)
        self._build_place_page()
        self._build_mrz_page()
        self._build_can_page()
        self._build_reading_page()
        self._build_confirm_page()
        self._build_problem_page()
        self._build_done_page()
        self.apply_theme(context.theme)

    # -- pages ---------------------------------------------------------------------------
    def _build_place_page(self) -> None:
        self.place_page, layout = _page()
        self.place_title = label("title", object_name="identifyTitle")
        self.place_picture = ReaderPicture("placePicture")
        self.place_instruction = label(object_name="placeInstruction")
        self.can_choice = TileButton("chooseCan")
        self.can_choice.clicked.connect(self.show_can_entry)
        self.mrz_choice = TileButton("chooseMrz")
        self.mrz_choice.clicked.connect(self.show_mrz_entry)
        self.place_back = KioskButton(object_name="taskBack")
        self.place_back.clicked.connect(self.machine.back)
        self.place_picture.setMaximumHeight(PICTURE_HEIGHT)
        layout.addWidget(self.place_title)
        layout.addWidget(self.place_picture, 1)
        layout.addWidget(self.place_instruction)
        layout.addWidget(self.mrz_choice)
        layout.addWidget(self.can_choice)
        layout.addStretch(0)
        layout.addLayout(button_row(self.place_back))
        self.pages.addWidget(self.place_page)

    def _build_mrz_page(self) -> None:
        self.mrz_page, layout = _page()
        layout.setSpacing(6)
        self.mrz_title = label("title", object_name="mrzTitle")
        self.mrz_instruction = label(object_name="mrzInstruction")
        self.entry_problem = label("notice", object_name="entryProblem")
        self.number_caption = label(object_name="numberCaption")
        self.number_field = EntryField()
        self.number_field.setObjectName("documentNumberField")
        self.number_field.setMaxLength(idn.DOCUMENT_NUMBER_MAX)
        self.number_problem = label(object_name="numberProblem")
        self.birth_caption = label(object_name="birthCaption")
        self.birth_field = DateField("birthDateField")
        self.birth_problem = label(object_name="birthProblem")
        self.expiry_caption = label(object_name="expiryCaption")
        self.expiry_field = DateField("expiryDateField")
        self.expiry_problem = label(object_name="expiryProblem")
        self.code_keyboard = CodeKeyboard()
        self.code_keyboard.typed.connect(self._type_letter)
        self.code_keyboard.erased.connect(self._erase)
        self.mrz_keypad = DigitKeypad()
        self.mrz_keypad.typed.connect(self._type_digit)
        self.mrz_keypad.erased.connect(self._erase)
        self.mrz_back = KioskButton(object_name="mrzBack")
        self.mrz_back.clicked.connect(self.show_place)
        self.mrz_submit = KioskButton("primary", object_name="mrzSubmit")
        self.mrz_submit.clicked.connect(self.submit_mrz)
        for widget in (self.mrz_title, self.mrz_instruction, self.entry_problem):
            layout.addWidget(widget)
        for caption, field, problem in (
            (self.number_caption, self.number_field, self.number_problem),
            (self.birth_caption, self.birth_field, self.birth_problem),
            (self.expiry_caption, self.expiry_field, self.expiry_problem),
        ):
            layout.addWidget(caption)
            layout.addWidget(field)
            layout.addWidget(problem)
            field.entered.connect(lambda field=field: self._activate(field))
            field.textEdited.connect(lambda _text, problem=problem: self._clear_notice(problem))
            field.returnPressed.connect(self.submit_mrz)
        layout.addSpacing(6)
        layout.addWidget(self.code_keyboard)
        layout.addWidget(self.mrz_keypad)
        layout.addStretch(1)
        layout.addLayout(button_row(self.mrz_back, self.mrz_submit))
        self.mrz_keypad.hide()
        for notice in (self.entry_problem, self.number_problem, self.birth_problem, self.expiry_problem):
            notice.hide()
        self._active: QLineEdit = self.number_field
        self.pages.addWidget(self.mrz_page)

    def _build_can_page(self) -> None:
        self.can_page, layout = _page()
        self.can_title = label("title", object_name="canTitle")
        self.can_instruction = label(object_name="canInstruction")
        self.can_field = EntryField()
        self.can_field.setObjectName("canField")
        self.can_field.setMaxLength(idn.CAN_DIGITS)
        self.can_field.returnPressed.connect(self.submit_can)
        self.can_problem = label("notice", object_name="canProblem")
        self.can_problem.hide()
        self.can_field.textEdited.connect(lambda _text: self._clear_notice(self.can_problem))
        self.can_keypad = DigitKeypad()
        self.can_keypad.typed.connect(self._type_can)
        self.can_keypad.erased.connect(self._erase_can)
        self.can_back = KioskButton(object_name="canBack")
        self.can_back.clicked.connect(self.show_place)
        self.can_submit = KioskButton("primary", object_name="canSubmit")
        self.can_submit.clicked.connect(self.submit_can)
        for widget in (self.can_title, self.can_instruction, self.can_field, self.can_problem, self.can_keypad):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(button_row(self.can_back, self.can_submit))
        self.pages.addWidget(self.can_page)

    def _build_reading_page(self) -> None:
        self.reading_page, layout = _page()
        self.reading_title = label("title", object_name="readingTitle")
        self.reading_picture = ReaderPicture("readingPicture")
        self.step_label = label("subtitle", object_name="readingStep")
        self.progress = QProgressBar()
        self.progress.setObjectName("readProgress")
        self.progress.setRange(0, 100)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(36)
        self.hold_still = label("notice", object_name="holdStill")
        self.reading_stop = KioskButton(object_name="readingStop")
        self.reading_stop.clicked.connect(self.stop_reading)
        layout.addWidget(self.reading_title)
        self.reading_picture.setMaximumHeight(PICTURE_HEIGHT)
        layout.addWidget(self.reading_picture, 1)
        # Step, bar and advice stay together under the picture; spare height goes above the button.
        for widget in (self.step_label, self.hold_still):
            widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout.addWidget(self.step_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.hold_still)
        layout.addStretch(0)
        layout.addLayout(button_row(self.reading_stop))
        self.pages.addWidget(self.reading_page)

    def _build_confirm_page(self) -> None:
        self.confirm_page, layout = _page()
        self.confirm_title = label("title", object_name="confirmTitle")
        self.photo = QLabel()
        self.photo.setObjectName("chipPhoto")
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setMinimumSize(PHOTO_HEIGHT * 3 // 4, PHOTO_HEIGHT)
        self.genuine = label("subtitle", object_name="authenticityNote")
        self.genuine.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.not_genuine = label("notice", object_name="authenticityProblem")
        self.no_button = KioskButton(object_name="identifyNo")
        self.no_button.clicked.connect(self.not_me)
        self.yes_button = KioskButton("primary", object_name="identifyYes")
        self.yes_button.clicked.connect(self.confirm)
        self.confirm_menu = KioskButton(object_name="confirmMenu")
        self.confirm_menu.clicked.connect(self.machine.task_done)
        self.confirm_talk = KioskButton("help", object_name="confirmTalk")
        self.confirm_talk.clicked.connect(self.machine.talk_to_person)
        layout.addWidget(self.confirm_title)
        layout.addWidget(self.photo, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.genuine)
        layout.addWidget(self.not_genuine)
        layout.addStretch(1)
        layout.addLayout(button_row(self.no_button, self.yes_button))
        layout.addWidget(self.confirm_talk)  # a failed document: one wide button each, no "yes"
        layout.addWidget(self.confirm_menu)
        self.pages.addWidget(self.confirm_page)

    def _build_problem_page(self) -> None:
        self.problem_page, layout = _page()
        self.problem_title = label("title", object_name="problemTitle")
        self.problem_message = label("notice", object_name="problemMessage")
        self.problem_talk = KioskButton("help", object_name="problemTalk")
        self.problem_talk.clicked.connect(self.machine.talk_to_person)
        self.problem_back = KioskButton(object_name="problemBack")
        self.problem_back.clicked.connect(self.machine.back)
        self.retry_button = KioskButton("primary", object_name="identifyRetry")
        self.retry_button.clicked.connect(self.try_again)
        self.problem_picture = ReaderPicture("problemPicture")  # where the document goes back
        self.problem_picture.setMaximumHeight(PICTURE_HEIGHT)
        layout.addWidget(self.problem_title)
        layout.addWidget(self.problem_message)
        layout.addWidget(self.problem_picture, 1)
        layout.addStretch(0)
        layout.addWidget(self.problem_talk)
        layout.addLayout(button_row(self.problem_back, self.retry_button))
        self.pages.addWidget(self.problem_page)

    def _build_done_page(self) -> None:
        self.done_page, layout = _page()
        self.done_title = label("title", object_name="identifiedTitle")
        self.take_document = label("notice", object_name="takeDocument")
        self.done_menu = KioskButton(object_name="identifiedMenu")
        self.done_menu.clicked.connect(self.machine.task_done)
        self.done_button = KioskButton("primary", object_name="identifiedDone")
        self.done_button.clicked.connect(self.machine.finish)
        layout.addWidget(self.done_title)
        layout.addWidget(self.take_document)
        layout.addStretch(1)
        layout.addLayout(button_row(self.done_menu, self.done_button))
        self.pages.addWidget(self.done_page)

    # -- moving between pages --------------------------------------------------------------
    def _go(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        target = self.first_focus()
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)
        self.machine.touch()
        self.say_if_read_aloud(self.announcement(self._t))

    def show_place(self) -> None:
        self._go(self.place_page)

    def show_mrz_entry(self) -> None:
        self._go(self.mrz_page)
        self._activate(self._first_unfinished())

    def show_can_entry(self) -> None:
        self._go(self.can_page)

    def _first_unfinished(self) -> QLineEdit:
        if not self.number_field.text():
            return self.number_field
        for field in (self.birth_field, self.expiry_field):
            if not field.complete():
                return field
        return self.number_field

    # -- typing ----------------------------------------------------------------------------
    def _activate(self, field: QLineEdit) -> None:
        """The keys type into this field; letters for the number, digits for dates."""
        self._active = field
        colour = self.context.theme.palette.focus
        for each in (self.number_field, self.birth_field, self.expiry_field):
            each.setStyleSheet(f"border: 6px solid {colour};" if each is field else "")
        is_date = isinstance(field, DateField)
        self.code_keyboard.setVisible(not is_date)
        self.mrz_keypad.setVisible(is_date)
        self.machine.touch()

    def _type_letter(self, char: str) -> None:
        if self._active is self.number_field:
            self.number_field.insert(char)
            self._clear_notice(self.number_problem)
        self.machine.touch()

    def _type_digit(self, digit: str) -> None:
        field = self._active
        if isinstance(field, DateField):
            field.type_digit(digit)
            self._clear_notice(self.birth_problem if field is self.birth_field else self.expiry_problem)
            if field is self.birth_field and field.complete() and not self.expiry_field.complete():
                self._activate(self.expiry_field)
        self.machine.touch()

    def _erase(self) -> None:
        field = self._active
        if isinstance(field, DateField):
            field.erase()
        else:
            field.backspace()
        self.machine.touch()

    def _type_can(self, digit: str) -> None:
        if len(self.can_field.text()) < idn.CAN_DIGITS:
            self.can_field.insert(digit)
        self._clear_notice(self.can_problem)
        self.machine.touch()

    def _erase_can(self) -> None:
        self.can_field.backspace()
        self.machine.touch()

    # -- notices, kept as msgids so a change of language redoes them -------------------------
    def _set_notice(self, notice: QLabel, *msgids: str) -> None:
        self._notices[notice] = msgids
        notice.setText(" ".join(self._t.text(m) for m in msgids))
        notice.show()
        self._sync_instruction()

    def _clear_notice(self, notice: QLabel) -> None:
        self._notices.pop(notice, None)
        notice.clear()
        notice.hide()
        self._sync_instruction()

    def _sync_instruction(self) -> None:
        """While a field says what is wrong, that says more than where to find the details (and saves room)."""
        corrections = (self.number_problem, self.birth_problem, self.expiry_problem)
        self.mrz_instruction.setHidden(any(p in self._notices for p in corrections))

    # -- reading -----------------------------------------------------------------------------
    def submit_mrz(self) -> None:
        number = self.number_field.text().strip().upper()
        today = self._today()
        born = idn.entry_date(self.birth_field.digits())
        problems = {
            self.number_problem: idn.document_number_problem(number),
            self.birth_problem: idn.date_problem(self.birth_field.digits(), birth=True, today=today),
            self.expiry_problem: idn.date_problem(self.expiry_field.digits(), birth=False, today=today, born=born),
        }
        fields = dict(zip(problems, (self.number_field, self.birth_field, self.expiry_field), strict=True))
        self._clear_notice(self.entry_problem)
        first: QLineEdit | None = None
        for notice, problem in problems.items():
            if problem is None:
                self._clear_notice(notice)
                continue
            self._set_notice(notice, problem)
            first = first or fields[notice]
        if first is not None:
            self._activate(first)
            self.machine.touch()
            return
        self._start_read(idn.mrz_key(number, self.birth_field.digits(), self.expiry_field.digits()))

    def submit_can(self) -> None:
        digits = self.can_field.text().strip()
        problem = idn.can_problem(digits)
        if problem is not None:
            self._set_notice(self.can_problem, problem)
            self.machine.touch()
            return
        self._clear_notice(self.can_problem)
        self._start_read(CanKey(digits))

    def _today(self) -> dt.date:
        return dt.date.today()

    def _start_read(self, key: MrzKey | CanKey) -> None:
        service = self.context.identity
        assert service is not None, "the identify task needs the card reader (tasks.py says so)"
        self._drop_job()
        self._key = key
        self._job = service.prepare()
        self._job.waiting.connect(self._waiting)
        self._job.progress.connect(self._progress)
        self._job.finished.connect(self._finished)
        service.start(self._job, key)
        self.progress.setValue(0)
        self.step_label.setText(self._t.text(STEP_TEXTS[ReadStep.ACCESS]))
        self._go(self.reading_page)

    def _from_current_job(self) -> bool:
        sender = self.sender()
        return sender is None or sender is self._job

    def _waiting(self) -> None:
        if self._from_current_job():
            self.step_label.setText(self._t.text(WAITING))
            self.say_if_read_aloud(self.step_label.text())

    def _progress(self, step: ReadStep, fraction: float) -> None:
        if not self._from_current_job():
            return
        self.progress.setValue(round(fraction * 100))
        text = self._t.text(STEP_TEXTS.get(step, STEP_TEXTS[ReadStep.PERSONAL_DATA]))
        if text != self.step_label.text():
            self.step_label.setText(text)

    def _finished(self, outcome: idn.IdentityOutcome) -> None:
        if not self._from_current_job():
            return
        self._job = None
        self.progress.setValue(100)
        kind = outcome.kind
        if kind is idn.ReadResult.CANCELLED:
            return
        if kind is idn.ReadResult.READ and outcome.identity is not None:
            self._outcome = outcome
            self._show_confirm()
            self._go(self.confirm_page)
            return
        if kind is idn.ReadResult.ACCESS_DENIED:
            entry_page = self.can_page if isinstance(self._key, CanKey) else self.mrz_page
            notice = self.can_problem if entry_page is self.can_page else self.entry_problem
            hint = (
                (idn.LETTER_O_HINT,)
                if "O" in self.number_field.text().upper() and notice is not self.can_problem
                else ()
            )
            self._set_notice(notice, outcome.message, *hint)
            self._go(entry_page)
            return
        self._show_problem(outcome.message, talk=kind is idn.ReadResult.CHIP_FAULT, reread=True)

    def stop_reading(self) -> None:
        self._drop_job()
        self._go(self.can_page if isinstance(self._key, CanKey) else self.mrz_page)

    def _drop_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self._job = None

    # -- outcome -----------------------------------------------------------------------------
    def _show_confirm(self) -> None:
        outcome = self._outcome
        if outcome is None or outcome.identity is None:
            return
        t = self._t
        person = outcome.identity
        self.confirm_title.setText(t.text("Are you {name}?", name=person.first_names))
        portrait = outcome.portrait
        if portrait is not None:
            image = QImage(
                portrait.rgb, portrait.width, portrait.height, portrait.width * 3, QImage.Format.Format_RGB888
            ).copy()
            pixmap = QPixmap.fromImage(image).scaledToHeight(PHOTO_HEIGHT, Qt.TransformationMode.SmoothTransformation)
            self.photo.setPixmap(pixmap)
            self.photo.setAccessibleName(t.text("The photo from the chip"))
        else:
            self.photo.clear()
            self.photo.setText(t.text("There is no photo on the chip."))
        status = person.authenticity
        failed = status is AuthenticityStatus.FAILED
        verified = status is AuthenticityStatus.VERIFIED
        self.genuine.setStyleSheet(
            f"font-weight: bold; color: {self.context.theme.palette.accent};" if verified else ""
        )
        if verified:
            self.genuine.setText("✓ " + t.text("Genuine document"))
        else:
            self.genuine.setText(t.text("We cannot check here if this document is genuine. You can go on."))
        self.genuine.setVisible(not failed)
        if failed:
            self._set_notice(self.not_genuine, NOT_GENUINE)
        else:
            self._clear_notice(self.not_genuine)
        for button in (self.no_button, self.yes_button):
            button.setVisible(not failed)
        for button in (self.confirm_menu, self.confirm_talk):
            button.setVisible(failed)

    def confirm(self) -> None:
        """ "Yes, this is me": the identity goes into the citizen's session, for the steps after this."""
        citizen = self.machine.citizen
        outcome = self._outcome
        if citizen is None or outcome is None or outcome.identity is None:
            return
        if outcome.identity.authenticity is AuthenticityStatus.FAILED:
            return  # never confirmed here; the button is not even shown
        citizen.identity = outcome.identity
        self._go(self.done_page)

    def not_me(self) -> None:
        self._outcome = None
        self.photo.clear()
        self._show_problem(NOT_ME, talk=True, reread=False)

    def _show_problem(self, message: str, *, talk: bool, reread: bool) -> None:
        self._retry_reads = reread
        self._set_notice(self.problem_message, message)
        self.problem_talk.setVisible(talk)
        self.problem_picture.setVisible(reread and not talk)
        self._go(self.problem_page)

    def try_again(self) -> None:
        if self._retry_reads and self._key is not None:
            self._start_read(self._key)
        else:
            self.show_place()

    # -- the screen's hooks ------------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.place_title.setText(t.text("Lay your passport or ID card on the reader"))
        self.place_instruction.setText(t.text("Leave it there until we are done. Choose what you want to type:"))
        self.mrz_choice.set_texts(t.text("Type the document number and dates"), t.text("For a passport or any ID card"))
        self.can_choice.set_texts(
            t.text("My card has a 6-digit number on the front"), t.text("The card access number (CAN)")
        )
        self.place_back.set_label(t.text("Back"))
        self.mrz_title.setText(t.text("Type your document details"))
        self.mrz_instruction.setText(t.text("You find them on the page or side with your photo."))
        self.number_caption.setText(t.text("Document number"))
        self.number_field.setAccessibleName(t.text("Document number"))
        self.birth_caption.setText(t.text("Date of birth (day-month-year)"))
        self.birth_field.setAccessibleName(t.text("Date of birth (day-month-year)"))
        self.expiry_caption.setText(t.text("Expiry date (day-month-year)"))
        self.expiry_field.setAccessibleName(t.text("Expiry date (day-month-year)"))
        for field in (self.birth_field, self.expiry_field):
            field.setPlaceholderText(t.text("DD-MM-YYYY"))
        self.code_keyboard.retranslate(t)
        self.mrz_keypad.retranslate(t)
        self.mrz_back.set_label(t.text("Back"))
        self.mrz_submit.set_label(t.text("Read my document"))
        self.can_title.setText(t.text("Type the card access number"))
        self.can_instruction.setText(t.text("These are the 6 digits on the front of your ID card."))
        self.can_field.setAccessibleName(t.text("Card access number"))
        self.can_keypad.retranslate(t)
        self.can_back.set_label(t.text("Back"))
        self.can_submit.set_label(t.text("Read my document"))
        self.reading_title.setText(t.text("Reading your document"))
        self.hold_still.setText(t.text("Keep the document still on the reader."))
        self.reading_stop.set_label(t.text("Stop"))
        self.progress.setAccessibleName(t.text("Reading your document"))
        self.no_button.set_label(t.text("No, this is not me"))
        self.yes_button.set_label(t.text("Yes, this is me"))
        self.confirm_menu.set_label(t.text("Back to the menu"))
        self.confirm_talk.set_label(t.text("Talk to a person"))
        self.problem_title.setText(t.text("That did not work"))
        self.problem_talk.set_label(t.text("Talk to a person"))
        self.problem_back.set_label(t.text("Back to the menu"))
        self.retry_button.set_label(t.text("Try again"))
        self.done_title.setText(t.text("Thank you. We know who you are now."))
        self.take_document.setText(t.text("Take your document from the reader."))
        self.done_menu.set_label(t.text("Something else"))
        self.done_button.set_label(t.text("Done"))
        for notice, msgids in self._notices.items():
            notice.setText(" ".join(t.text(m) for m in msgids))
        if self.pages.currentWidget() is self.reading_page and self._job is None:
            self.step_label.clear()
        self._show_confirm()

    def announcement(self, t: Translator) -> str:
        page = self.pages.currentWidget()
        texts: tuple[QLabel, ...]
        if page is self.mrz_page:
            texts = (self.mrz_title, self.mrz_instruction, self.entry_problem)
        elif page is self.can_page:
            texts = (self.can_title, self.can_instruction, self.can_problem)
        elif page is self.reading_page:
            texts = (self.reading_title, self.hold_still)
        elif page is self.confirm_page:
            texts = (self.confirm_title, self.genuine, self.not_genuine)
        elif page is self.problem_page:
            texts = (self.problem_title, self.problem_message)
        elif page is self.done_page:
            texts = (self.done_title, self.take_document)
        else:
            spoken = f"{self.place_title.text()}. {self.place_instruction.text()}"
            return f"{spoken} {self.mrz_choice.title.text()}. {t.text('Or')}: {self.can_choice.title.text()}."
        parts = [w.text() for w in texts if w.text() and not w.isHidden()]
        return " ".join(p if p.endswith((".", "?", "!", "…")) else p + "." for p in parts)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        palette = theme.palette
        for back in (self.place_back, self.mrz_back, self.can_back):
            set_pictogram(back, "back.svg", palette.text, 44)
        set_pictogram(self.problem_talk, "person.svg", palette.help_text, 56)
        set_pictogram(self.confirm_talk, "person.svg", palette.help_text, 56)
        self.mrz_choice.set_pictogram(pictogram("keyboard.svg", palette.text, 112), 56)
        self.can_choice.set_pictogram(pictogram("id-card.svg", palette.text, 112), 56)
        for picture in (self.place_picture, self.reading_picture, self.problem_picture):
            picture.set_colours(palette.text, palette.accent, palette.surface)
        self.progress.setStyleSheet(
            f"QProgressBar {{ border: 2px solid {palette.border}; border-radius: 10px;"
            f" background: {palette.surface}; }}"
            f"QProgressBar::chunk {{ background: {palette.accent}; border-radius: 8px; }}"
        )
        self.photo.setStyleSheet(f"border: 2px solid {palette.border}; background: {palette.surface};")
        # A field's problem sits right under it, in words and in the help colour (not colour alone).
        for problem in (self.number_problem, self.birth_problem, self.expiry_problem):
            problem.setStyleSheet(
                f"color: {palette.help if not theme.high_contrast else palette.text}; font-weight: bold;"
            )
        if self.pages.currentWidget() is self.mrz_page:
            self._activate(self._active)

    def first_focus(self) -> QWidget | None:
        page = self.pages.currentWidget()
        if page is self.place_page:
            return self.mrz_choice
        if page is self.mrz_page:
            return self._active
        if page is self.can_page:
            return self.can_field
        if page is self.reading_page:
            return self.reading_stop
        if page is self.confirm_page:
            return self.yes_button if self.yes_button.isVisibleTo(page) else self.confirm_talk
        if page is self.problem_page:
            return self.retry_button
        return self.done_button

    def wipe(self) -> None:
        self._drop_job()
        self._key = None
        self._outcome = None
        for field in (self.number_field, self.birth_field, self.expiry_field, self.can_field):
            field.clear()
        for text in (self.confirm_title, self.genuine, self.step_label):
            text.clear()
        for notice in list(self._notices):
            self._clear_notice(notice)
        self.photo.clear()
        self.photo.setAccessibleName("")
