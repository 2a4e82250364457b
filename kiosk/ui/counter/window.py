"""The counter device's one window: the welcome between citizens, the desk's current request, and the
citizen's two ways out ("I don't understand", "No") always in reach while something is asked.

The window is a view of what the desk asked: each request gets a fresh step widget, deleted when it is
answered, replaced or wiped; `wipe` drops the step, silences the voice and returns to Dutch and the
welcome, so nothing about a citizen survives the end of a visit, an unpairing or a long outage.
"""

from __future__ import annotations

from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QStackedWidget, QVBoxLayout, QWidget

from kiosk.counter.answers import Answer, DeclinedAnswer, HelpMessage, PrintedAnswer
from kiosk.counter.link import LinkPhase, LinkStatus
from kiosk.counter.requests import (
    FeedbackRequest,
    IdentifyRequest,
    PrintRequest,
    Request,
    ScanRequest,
    SignatureRequest,
    SummaryRequest,
    WelcomeRequest,
)
from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.counter.feedback_step import FeedbackStep
from kiosk.ui.counter.identify_step import IdentifyStep
from kiosk.ui.counter.print_step import PrintStep
from kiosk.ui.counter.scan_step import ScanStep
from kiosk.ui.counter.signature_step import SignatureStep
from kiosk.ui.counter.step import CounterServices, CounterStep
from kiosk.ui.counter.summary_step import SummaryStep
from kiosk.ui.counter.texts import say
from kiosk.ui.counter.welcome_page import WelcomePage
from kiosk.ui.theme import Theme

LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}  # each in its own language, never translated


def _make_step(request: Request, services: CounterServices) -> CounterStep:
    if isinstance(request, IdentifyRequest):
        return IdentifyStep(request, services)
    if isinstance(request, SummaryRequest):
        return SummaryStep(request, services)
    if isinstance(request, SignatureRequest):
        return SignatureStep(request, services)
    if isinstance(request, PrintRequest):
        return PrintStep(request, services)
    if isinstance(request, ScanRequest):
        return ScanStep(request, services)
    if isinstance(request, FeedbackRequest):
        return FeedbackStep(request, services)
    raise ValueError(f"no step for {request!r}")


class CounterWindow(QWidget):
    answer_ready = Signal(object)  # Answer, for the link
    visit_wiped = Signal()  # the citizen is forgotten here; the link drops what it still holds

    def __init__(self, services: CounterServices, theme: Theme, silence: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.setObjectName("KioskWindow")
        self.setWindowTitle("Balie")
        self.services = services
        self.theme = theme
        self._silence = silence  # speech.stop, called on wipe
        languages = [lang for lang in services.config.device.languages if lang in LANGUAGE_NAMES]
        self.languages = languages or ["nl"]
        self.t = Translator.for_language(self.languages[0])
        self.status = LinkStatus(LinkPhase.CONNECTING)
        self.step: CounterStep | None = None

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        body = QWidget()
        body.setObjectName("Screen")
        body.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        content = QVBoxLayout(body)
        content.setContentsMargins(56, 40, 56, 32)
        content.setSpacing(24)
        self.banner = label("notice", object_name="counterOffline")
        self.banner.hide()
        content.addWidget(self.banner)
        self.stack = QStackedWidget()
        content.addWidget(self.stack, 1)
        self.welcome = WelcomePage(services.config)
        self.message_page = QWidget()
        message_layout = QVBoxLayout(self.message_page)
        message_layout.setContentsMargins(0, 0, 0, 0)
        self.message = label("title", object_name="counterMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        message_layout.addStretch(1)
        message_layout.addWidget(self.message)
        message_layout.addStretch(2)
        self._message_id = ""
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.message_page)
        self.help_notice = label("notice", object_name="counterHelpNotice")
        self.help_notice.hide()
        content.addWidget(self.help_notice)
        outer.addWidget(body, 1)

        self.bar = QWidget()
        self.bar.setObjectName("HelpBar")
        self.bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        bar = QHBoxLayout(self.bar)
        bar.setContentsMargins(56, 20, 56, 20)
        bar.setSpacing(24)
        self.language_button = KioskButton(object_name="counterLanguage")
        self.language_button.clicked.connect(self._next_language)
        self.language_button.setVisible(len(self.languages) > 1)
        self.decline_button = KioskButton(object_name="counterDecline")
        self.decline_button.clicked.connect(self._decline)
        self.help_button = KioskButton("help", object_name="counterHelp")
        self.help_button.clicked.connect(self._help)
        bar.addWidget(self.language_button)
        bar.addStretch(1)
        bar.addWidget(self.decline_button)
        bar.addWidget(self.help_button)
        outer.addWidget(self.bar)

        self.apply_theme(theme)
        self.retranslate(self.t)
        self._show_welcome()

    # -- the desk's requests ---------------------------------------------------------------------
    def show_request(self, request: Request) -> None:
        if isinstance(request, WelcomeRequest):
            self.wipe()
            return
        self._drop_step()
        self.help_notice.hide()
        step = self.step = _make_step(request, self.services)
        step.answered.connect(self._answered)
        # The window keeps the screen's size whatever a step's hidden pages would need (the MRZ keyboard
        # page of the chip read is tall): a landscape desk screen must not grow past its glass.
        step.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        step.retranslate(self.t)
        step.apply_theme(self.theme)
        self.stack.addWidget(step)
        self.stack.setCurrentWidget(step)
        self._show_bar(True)
        step.begin()  # may answer at once (no printer, no camera): then it is gone already
        if self.step is step:
            focus = step.first_focus()
            if focus is not None:
                focus.setFocus()

    def _answered(self, answer: Answer) -> None:
        step = self.step
        if step is None or answer.request_id != step.request_id:
            return
        self.answer_ready.emit(answer)
        self._drop_step()
        if isinstance(answer, PrintedAnswer):
            self._show_message(
                "Take your paper from the printer."
                if answer.ok
                else "The printer does not work right now. The staff member has been told."
            )
        elif isinstance(answer, DeclinedAnswer):
            self._show_message("The staff member knows that you would rather not.")
        else:
            self._show_message("Thank you. The staff member has your answer.")

    def _decline(self) -> None:
        step = self.step
        if step is None:
            return
        self.answer_ready.emit(DeclinedAnswer(step.request_id))
        self._drop_step()
        self._show_message("The staff member knows that you would rather not.")

    def _help(self) -> None:
        step = self.step
        self.answer_ready.emit(HelpMessage(step.request_id if step is not None else None))
        self.help_notice.setText(say(self.t, "The staff member has been told. They will explain."))
        self.help_notice.show()

    # -- the link --------------------------------------------------------------------------------
    def set_status(self, status: LinkStatus) -> None:
        self.status = status
        self.welcome.show_status(status)
        self._update_banner()

    def wipe(self) -> None:
        """Forget the citizen: the step and what it held, the notices, the voice, the language."""
        self._drop_step()
        self.help_notice.clear()
        self.help_notice.hide()
        if self._silence is not None:
            self._silence()
        if self.t.language != self.languages[0]:
            self.retranslate(Translator.for_language(self.languages[0]))
        self._show_welcome()
        self.visit_wiped.emit()

    # -- pages -----------------------------------------------------------------------------------
    def _drop_step(self) -> None:
        step, self.step = self.step, None
        if step is None:
            return
        step.stop()
        self.stack.removeWidget(step)
        step.hide()
        shiboken6.delete(step)  # now, not at a later turn of the event loop: it held the citizen's data

    def _show_welcome(self) -> None:
        self._message_id = ""
        self.message.clear()
        self.stack.setCurrentWidget(self.welcome)
        self._show_bar(False)
        self.set_status(self.status)

    def _show_message(self, msgid: str) -> None:
        self._message_id = msgid
        self.message.setText(say(self.t, msgid))
        self.stack.setCurrentWidget(self.message_page)
        self._show_bar(False)

    def _show_bar(self, asking: bool) -> None:
        if not asking:  # nothing to choose: no focus ring left on the language button by a deleted step
            focused = self.focusWidget()
            if focused is not None:
                focused.clearFocus()
        self.decline_button.setVisible(asking)
        self.help_button.setVisible(asking)
        self._update_banner()

    def _update_banner(self) -> None:
        """While the line is down the citizen may go on; the banner says why nothing comes back yet."""
        self.banner.setVisible(
            self.status.phase is LinkPhase.OFFLINE and self.stack.currentWidget() is not self.welcome
        )

    def _next_language(self) -> None:
        index = self.languages.index(self.t.language) if self.t.language in self.languages else 0
        self.retranslate(Translator.for_language(self.languages[(index + 1) % len(self.languages)]))

    def retranslate(self, t: Translator) -> None:
        self.t = t
        self.welcome.retranslate(t)
        if self.step is not None:
            self.step.retranslate(t)
        if self._message_id:
            self.message.setText(say(t, self._message_id))
        if self.help_notice.isVisibleTo(self):
            self.help_notice.setText(say(t, "The staff member has been told. They will explain."))
        self.banner.setText(say(t, "One moment, the connection to the desk is being restored"))
        self.help_button.set_label(say(t, "I don't understand"))
        self.decline_button.set_label(say(t, "No"))
        others = [lang for lang in self.languages if lang != t.language]
        self.language_button.set_label(LANGUAGE_NAMES[others[0]] if others else "")

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.setStyleSheet(theme.style_sheet())
        if self.step is not None:
            self.step.apply_theme(theme)

    def announcement(self) -> str:
        if self.step is not None:
            return self.step.announcement()
        if self.stack.currentWidget() is self.message_page:
            return self.message.text()
        return self.welcome.announcement()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._drop_step()
        super().closeEvent(event)
