"""After the call: "How did it go?" and "How are you doing?", or, when no conversation took place
or it broke off, what else the citizen can do.

Every question may be skipped. The answers are kept in the session's call record; the call flow
sends them when the citizen leaves this screen however they leave it (done, idle, stop), so an
answer given is never lost and nothing is sent twice. A call that broke off for the network's sake
is offered again, first in line; "first in line" is promised only when the backoffice can grant it
(the call had been answered and has an id).
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QGridLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from drivers.health import Health
from kiosk.call.services import CALL_AGAIN_REASONS, EndReason
from kiosk.config import WEEKDAYS
from kiosk.i18n import N_, Translator, localized
from kiosk.session import CallRecord, Phase
from kiosk.ui.controls import KioskButton, TileButton, label, pictogram
from kiosk.ui.screens.base import Screen, ScreenContext, button_row
from kiosk.ui.screens.opening_hours import DAY_NAMES
from kiosk.ui.theme import Theme

HOW_DID_IT_GO = (
    (1, N_("Bad"), "face-1.svg"),
    (2, N_("Not so good"), "face-2.svg"),
    (3, N_("Good"), "face-3.svg"),
    (4, N_("Very good"), "face-4.svg"),
)
WHAT_WENT_WRONG = (
    ("sound_or_picture", N_("I could not hear or see the staff member well")),
    ("not_answered", N_("My question was not answered")),
    ("waited_too_long", N_("I had to wait too long")),
)
HOW_ARE_YOU = (
    ("good", N_("Good"), "face-3.svg"),
    ("okay", N_("Okay"), "face-neutral.svg"),
    ("not_good", N_("Not so good"), "face-2.svg"),
)
# Why no conversation took place, as a title and one sentence.
ENDINGS: dict[str, tuple[str, str]] = {
    EndReason.UNANSWERED: (
        N_("Nobody could answer your call"),
        N_("All staff members are busy. We are sorry that you had to wait."),
    ),
    EndReason.NO_CASEWORKERS: (
        N_("Nobody can take your call right now"),
        N_("There is no staff member available for video calls at the moment."),
    ),
    EndReason.REFUSED: (
        N_("Calling does not work on this kiosk right now"),
        N_("A technician has to look at it. We are sorry."),
    ),
    EndReason.CLOSED: (N_("We are closed now"), N_("You can call a staff member during opening hours.")),
    EndReason.NETWORK: (
        N_("We could not reach the municipality"),
        N_("The connection does not work right now. Try again in a moment."),
    ),
    EndReason.CASEWORKER: (N_("The call has ended"), N_("The staff member ended the call.")),
    EndReason.CITIZEN: (N_("The call has ended"), ""),
}
BROKEN = (N_("The connection was lost"), N_("The call stopped because the connection was lost. It is not your fault."))


def _page() -> tuple[QWidget, QVBoxLayout]:
    page = QWidget()
    layout = QVBoxLayout(page)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(20)
    return page, layout


class AfterCallScreen(Screen):
    phase = Phase.AFTER_CALL

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self.pages = QStackedWidget()
        self.pages.setMinimumHeight(360)  # each page fits as shown; their sum of hidden parts need not
        self.layout_.addWidget(self.pages)
        self.rating_page, rating = _page()
        self.wrong_page, wrong = _page()
        self.wellbeing_page, wellbeing = _page()
        self.other_page, other = _page()

        self.rating_title = label("title", object_name="feedbackTitle")
        self.rating_intro = label(object_name="feedbackIntro")
        grid = QGridLayout()
        grid.setSpacing(20)
        self.smileys: dict[int, TileButton] = {}
        for index, (score, _text, _picture) in enumerate(HOW_DID_IT_GO):
            tile = TileButton(f"feedback_{score}")
            tile.setMinimumHeight(230)
            tile.clicked.connect(lambda _=False, score=score: self._rated(score))
            grid.addWidget(tile, index // 2, index % 2)
            self.smileys[score] = tile
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.rating_skip = KioskButton(object_name="feedbackSkip")
        self.rating_skip.clicked.connect(lambda: self._go(self.wellbeing_page))
        rating.addWidget(self.rating_title)
        rating.addWidget(self.rating_intro)
        rating.addLayout(grid)
        rating.addStretch(1)
        rating.addLayout(button_row(self.rating_skip))

        self.wrong_title = label("title", object_name="wrongTitle")
        wrong.addWidget(self.wrong_title)
        self.wrong_choices: dict[str, TileButton] = {}
        for key, _text in WHAT_WENT_WRONG:
            tile = TileButton(f"wrong_{key}", role="wide")
            tile.icon_label.hide()
            tile.clicked.connect(lambda _=False, key=key: self._answer("what_went_wrong", key, self.wellbeing_page))
            wrong.addWidget(tile)
            self.wrong_choices[key] = tile
        self.wrong_skip = KioskButton(object_name="wrongSkip")
        self.wrong_skip.clicked.connect(lambda: self._go(self.wellbeing_page))
        wrong.addStretch(1)
        wrong.addLayout(button_row(self.wrong_skip))

        self.wellbeing_title = label("title", object_name="wellbeingTitle")
        self.wellbeing_intro = label(object_name="wellbeingIntro")
        wellbeing.addWidget(self.wellbeing_title)
        wellbeing.addWidget(self.wellbeing_intro)
        self.wellbeing_choices: dict[str, TileButton] = {}
        for key, _text, _picture in HOW_ARE_YOU:
            tile = TileButton(f"wellbeing_{key}")
            tile.clicked.connect(lambda _=False, key=key: self._answer("how_are_you", key, None))
            wellbeing.addWidget(tile)
            self.wellbeing_choices[key] = tile
        self.wellbeing_skip = KioskButton(object_name="wellbeingSkip")
        self.wellbeing_skip.clicked.connect(self.machine.finish)
        wellbeing.addStretch(1)
        wellbeing.addLayout(button_row(self.wellbeing_skip))

        self.other_title = label("title", object_name="afterCallTitle")
        self.other_text = label(object_name="afterCallText")
        self.call_again = TileButton("callAgain")
        self.call_again.clicked.connect(self.machine.call_again)
        self.hours_title = label("subtitle", object_name="afterCallHoursTitle")
        self.hours = QGridLayout()
        self.hours.setHorizontalSpacing(40)
        self.hour_rows: list[tuple[str, QLabel, QLabel]] = []
        for index, day in enumerate(WEEKDAYS):
            day_label, hours_label = label(wrap=False), label(wrap=False)
            self.hours.addWidget(day_label, index, 0)
            self.hours.addWidget(hours_label, index, 1)
            self.hour_rows.append((day, day_label, hours_label))
        self.else_title = label("subtitle", object_name="afterCallElse")
        self.take_number = TileButton("afterCallTicket", role="wide")
        self.take_number.clicked.connect(lambda: self.machine.choose_task("ticket"))
        self.opening_hours = TileButton("afterCallHours", role="wide")
        self.opening_hours.clicked.connect(lambda: self.machine.choose_task("opening_hours"))
        self.counter = label("notice", object_name="afterCallCounter")
        self.stop_button = KioskButton(object_name="afterCallStop")
        self.stop_button.clicked.connect(self.machine.finish)
        for widget in (self.other_title, self.other_text, self.call_again, self.hours_title):
            other.addWidget(widget)
        other.addLayout(self.hours)
        for widget in (self.else_title, self.take_number, self.opening_hours, self.counter):
            other.addWidget(widget)
        other.addStretch(1)
        other.addLayout(button_row(self.stop_button))

        for page in (self.rating_page, self.wrong_page, self.wellbeing_page, self.other_page):
            self.pages.addWidget(page)
        self.apply_theme(context.theme)

    # -- what to show ------------------------------------------------------------------------
    @property
    def _call(self) -> CallRecord | None:
        citizen = self.machine.citizen
        return citizen.call if citizen is not None else None

    def _start_page(self) -> QWidget:
        call = self._call
        if call is None:
            return self.other_page
        if call.answered and call.end_reason in (EndReason.CITIZEN, EndReason.CASEWORKER):
            return self.rating_page
        return self.other_page

    def _go(self, page: QWidget) -> None:
        self.pages.setCurrentWidget(page)
        focus = self.first_focus()
        if focus is not None:
            focus.setFocus()
        self.machine.touch()
        self.say_if_read_aloud(self.announcement(self._t))

    def _rated(self, score: int) -> None:
        self._answer("how_did_it_go", score, self.wrong_page if score <= 2 else self.wellbeing_page)

    def _answer(self, question: str, answer: int | str, then: QWidget | None) -> None:
        call = self._call
        if call is not None:
            call.feedback[question] = answer
        if then is None:
            self.machine.finish()  # the call flow sends the answers as the citizen leaves
        else:
            self._go(then)

    def _show_other(self) -> None:
        t, call = self._t, self._call
        reason = call.end_reason if call is not None else EndReason.NETWORK
        broken = reason in CALL_AGAIN_REASONS
        title, text = BROKEN if broken else ENDINGS.get(reason or "", ENDINGS[EndReason.NETWORK])
        self.other_title.setText(t.text(title))
        self.other_text.setText(t.text(text) if text else "")
        self.other_text.setVisible(bool(text))
        first = broken and call is not None and call.answered and call.call_id is not None
        again = broken or reason == EndReason.NETWORK
        self.call_again.setVisible(again)
        self.call_again.set_texts(t.text("Call again"), t.text("You go first") if first else "")
        closed = reason == EndReason.CLOSED
        self.hours_title.setVisible(closed)
        self.hours_title.setText(t.text("Opening hours"))
        for _day, day_label, hours_label in self.hour_rows:
            day_label.setVisible(closed)
            hours_label.setVisible(closed)
        self._fill_hours()
        tasks = self.context.config.device.tasks
        printer = self.context.health.get("printer")
        ticket = "ticket" in tasks and (printer is None or printer.usable)
        self.take_number.setVisible(ticket)
        self.opening_hours.setVisible("opening_hours" in tasks and not closed)
        self.else_title.setText(t.text("What else can you do?"))
        where = localized(self.context.config.counter.location_text, t.language)
        self.counter.setText(where)
        self.counter.setVisible(bool(where) and not closed)

    def _fill_hours(self) -> None:
        t = self._t
        for day, day_label, hours_label in self.hour_rows:
            hours = self.context.config.opening_hours.get(day, "closed")
            day_label.setText(t.text(DAY_NAMES[day]))
            if hours == "closed":
                hours_label.setText(t.text("closed"))
            else:
                start, end = hours.split("-")
                hours_label.setText(t.text("{start} to {end}", start=start, end=end))

    # -- the screen's hooks ------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        """Shown as the phase begins: the first question, or why there was no conversation."""
        super().showEvent(event)
        page = self._start_page()
        if page is self.other_page:
            self._show_other()
        self.pages.setCurrentWidget(page)

    def update_health(self, health: Mapping[str, Health]) -> None:
        if self.pages.currentWidget() is self.other_page:
            self._show_other()

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.rating_title.setText(t.text("How did it go?"))
        self.rating_intro.setText(t.text("Tap a face. You do not have to answer."))
        for score, text, _picture in HOW_DID_IT_GO:
            self.smileys[score].set_texts(t.text(text))
        self.rating_skip.set_label(t.text("Skip"))
        self.wrong_title.setText(t.text("What went wrong?"))
        for key, text in WHAT_WENT_WRONG:
            self.wrong_choices[key].set_texts(t.text(text))
        self.wrong_skip.set_label(t.text("Skip"))
        self.wellbeing_title.setText(t.text("How are you doing?"))
        self.wellbeing_intro.setText(t.text("So that we can pay attention to it next time. You do not have to answer."))
        for key, text, _picture in HOW_ARE_YOU:
            self.wellbeing_choices[key].set_texts(t.text(text))
        self.wellbeing_skip.set_label(t.text("I would rather not say"))
        self.take_number.set_texts(t.text("Take a number"), t.text("Wait your turn at the counter"))
        self.opening_hours.set_texts(t.text("Opening hours"), t.text("When is this office open?"))
        self.stop_button.set_label(t.text("Stop"))
        if self.pages.currentWidget() is self.other_page:
            self._show_other()

    def refresh(self) -> None:
        if self.isVisible() and self.pages.currentWidget() is self.other_page:
            self._show_other()

    def announcement(self, t: Translator) -> str:
        page = self.pages.currentWidget()
        if page is self.rating_page:
            faces = ", ".join(t.text(text) for _score, text, _picture in HOW_DID_IT_GO)
            return f"{self.rating_title.text()} {self.rating_intro.text()} {faces}."
        if page is self.wrong_page:
            return f"{self.wrong_title.text()} " + ". ".join(t.text(text) for _key, text in WHAT_WENT_WRONG) + "."
        if page is self.wellbeing_page:
            choices = ", ".join(t.text(text) for _key, text, _picture in HOW_ARE_YOU)
            return f"{self.wellbeing_title.text()} {self.wellbeing_intro.text()} {choices}."
        parts = [self.other_title.text(), self.other_text.text()]
        if self.call_again.isVisibleTo(self):
            parts += [self.call_again.title.text() + ".", self.call_again.subtitle.text()]
        return " ".join(p for p in parts if p)

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        palette = theme.palette
        face = 96 if theme.large_text else 128  # large text: room for "Niet zo goed" beside the face
        for score, _text, picture in HOW_DID_IT_GO:
            self.smileys[score].set_pictogram(pictogram(picture, palette.text, 2 * face), face)
        for key, _text, picture in HOW_ARE_YOU:
            self.wellbeing_choices[key].set_pictogram(pictogram(picture, palette.text, 192), 96)
        self.take_number.set_pictogram(pictogram("ticket.svg", palette.text, 112), 56)
        self.opening_hours.set_pictogram(pictogram("clock.svg", palette.text, 112), 56)
        self.call_again.set_pictogram(pictogram("person.svg", palette.accent_text, 128), 64)
        # The one thing most citizens want here: in the primary colour, and its words in the matching ink.
        self.call_again.setStyleSheet(
            f"QPushButton {{ background: {palette.accent}; border-color: {palette.accent}; }}"
            f"QPushButton:focus {{ border: 6px solid {palette.focus}; }}"
            f"QLabel {{ color: {palette.accent_text}; }}"
        )

    def first_focus(self) -> QWidget | None:
        page = self.pages.currentWidget()
        if page is self.rating_page:
            return self.smileys[3]
        if page is self.wrong_page:
            return self.wrong_choices["sound_or_picture"]
        if page is self.wellbeing_page:
            return self.wellbeing_choices["good"]
        return self.call_again if self.call_again.isVisibleTo(self) else self.stop_button

    def wipe(self) -> None:
        self.pages.setCurrentWidget(self.rating_page)
