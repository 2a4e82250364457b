"""Take a number: choose a topic, the ticket prints, the number is shown and said.

The number is taken before printing, so a printer failure never costs the citizen
their place: the number is then shown large, spoken, and they are told to write it
down or take a photo of it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressBar, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import Translator, localized
from kiosk.print_layouts import queue_ticket
from kiosk.session import Phase
from kiosk.ticket_queue import QueueTicket
from kiosk.ui.controls import KioskButton, TileButton, label
from kiosk.ui.printing import PrintJob, PrintOutcome
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme
from kiosk.ui.ticket_service import TicketJob


class TicketScreen(Screen):
    phase = Phase.TASK
    task_id = "ticket"

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self._ticket: QueueTicket | None = None
        self._pending: TicketJob | None = None
        self._job: PrintJob | None = None
        self._outcome: PrintOutcome | None = None
        self.pages = QStackedWidget()
        self.layout_.addWidget(self.pages)

        self.topic_page = QWidget()
        topics = QVBoxLayout(self.topic_page)
        topics.setContentsMargins(0, 0, 0, 0)
        topics.setSpacing(24)
        self.title = label("title", object_name="ticketTitle")
        topics.addWidget(self.title)
        self.topic_tiles: dict[str, TileButton] = {}
        for topic in context.config.queue.topics:
            tile = TileButton(f"topic_{topic.letter}")
            tile.clicked.connect(lambda _=False, letter=topic.letter: self.take(letter))
            self.topic_tiles[topic.letter] = tile
            topics.addWidget(tile)
        topics.addStretch(1)
        self.back_button = KioskButton(object_name="taskBack")
        self.back_button.clicked.connect(self.machine.back)
        topics.addLayout(button_row(self.back_button))

        self.result_page = QWidget()
        result = QVBoxLayout(self.result_page)
        result.setContentsMargins(0, 0, 0, 0)
        result.setSpacing(24)
        self.number_intro = label("subtitle", object_name="ticketNumberIntro")
        self.number = label("huge", object_name="ticketNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setObjectName("ticketProgress")
        self.progress.setRange(0, 0)  # busy: a serial printer gives no percentage
        self.progress.setTextVisible(False)
        self.message = label("notice", object_name="ticketMessage")
        self.where = label("subtitle", object_name="ticketWhere")
        # Only when the backoffice knows a wait: a guess nobody can keep is worse than none.
        self.wait = label("subtitle", object_name="ticketWait")
        self.wait.setVisible(False)
        self.done_button = KioskButton("primary", object_name="ticketDone")
        self.done_button.clicked.connect(self.machine.finish)
        self.more_button = KioskButton(object_name="ticketMore")
        self.more_button.clicked.connect(self.machine.task_done)
        for widget in (self.number_intro, self.number, self.progress, self.message, self.where, self.wait):
            result.addWidget(widget)
        result.addStretch(1)
        result.addLayout(button_row(self.more_button, self.done_button))

        self.pages.addWidget(self.topic_page)
        self.pages.addWidget(self.result_page)
        self.apply_theme(context.theme)

    # -- the flow --------------------------------------------------------------------
    def take(self, letter: str) -> None:
        """Ask for a number off the UI thread (the backoffice may take a moment); `_issued` goes on."""
        service = self.context.ticket_service
        assert service is not None, "the kiosk is started before screens are used"
        if self._pending is not None:
            return  # a second tap while the number is on its way
        # Nothing to tap until the number is there: leaving now would leave without it.
        for control in (*self.topic_tiles.values(), self.done_button, self.more_button):
            control.setEnabled(False)
        self._ticket, self._outcome = None, None
        self.number_intro.setText(self._t.text("Your number"))
        self.number.setText("…")
        self.where.setText("")
        self.wait.setText("")
        self.wait.setVisible(False)
        self.message.setText(self._t.text("Your number is being made…"))
        self.progress.setVisible(True)
        self.pages.setCurrentWidget(self.result_page)
        self._pending = service.take(letter, self.machine.language, self._issued)

    def _issued(self, ticket: QueueTicket) -> None:
        self._pending = None
        for control in (*self.topic_tiles.values(), self.done_button, self.more_button):
            control.setEnabled(True)
        if self.machine.citizen is None:
            return  # the session ended while the number was on its way
        tickets, printing = self.context.tickets, self.context.printing
        assert tickets is not None and printing is not None, "the kiosk is started before screens are used"
        if self.context.events is not None:
            self.context.events.record("ticket_issued", {"number": ticket.number, "topic": ticket.topic.letter})
        self._ticket, self._outcome = ticket, None
        citizen = self.machine.citizen
        if citizen is not None:
            citizen.task_data["ticket"] = ticket.number
        config = self.context.config
        document = queue_ticket(
            ticket,
            self._t,
            municipality=config.device.municipality,
            location=config.device.location,
            status_url=tickets.status_url(ticket),
            logo=self.context.logo,
        )
        self._job = printing.submit(document, f"ticket {ticket.number}", self._printed)
        self._show()
        self.pages.setCurrentWidget(self.result_page)
        self.done_button.setFocus()
        self._say(self._t.text("Your number is {number}. It is being printed.", number=ticket.spoken()))

    def _printed(self, outcome: PrintOutcome) -> None:
        if self._ticket is None:
            return  # the session ended while printing: nothing to show any more
        self._outcome = outcome
        self._show()
        assert self._ticket is not None
        if outcome.printed:
            self._say(" ".join(text for text in (self.message.text(), self.where.text(), self.wait.text()) if text))
        else:
            self._say(
                self._t.text(
                    "Your number is {number}. The printer is not working. Please write your number down.",
                    number=self._ticket.spoken(),
                )
            )

    def _say(self, text: str) -> None:
        """Numbers are always spoken: they matter too much to rely on reading alone."""
        if self.context.speak is not None:
            self.context.speak(text)

    def _show(self) -> None:
        t, ticket, outcome = self._t, self._ticket, self._outcome
        if ticket is None:
            return
        self.number_intro.setText(t.text("Your number"))
        self.number.setText(ticket.number)
        self.number.setAccessibleName(t.text("Your number is {number}", number=ticket.spoken()))
        self.where.setText(t.text("Please wait in: {where}", where=localized(ticket.topic.wait_area, t.language)))
        self.wait.setText(wait_text(t, ticket.expected_wait_minutes))
        self.wait.setVisible(ticket.expected_wait_minutes is not None)
        self.progress.setVisible(outcome is None)
        if outcome is None:
            self.message.setText(t.text("Your ticket is being printed…"))
        elif outcome.printed:
            self.message.setText(t.text("Take your ticket from the printer. You will be called by your number."))
        else:
            self.message.setText(
                t.text("The printer is not working. Please write your number down or take a photo of it.")
            )

    # -- screen hooks ----------------------------------------------------------------
    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.title.setText(t.text("What is your question about?"))
        for topic in self.context.config.queue.topics:
            self.topic_tiles[topic.letter].set_texts(localized(topic.name, t.language), "")
        self.back_button.set_label(t.text("Back"))
        self.done_button.set_label(t.text("Done"))
        self.more_button.set_label(t.text("Something else"))
        self._show()

    def announcement(self, t: Translator) -> str:
        names = ", ".join(localized(topic.name, t.language) for topic in self.context.config.queue.topics)
        return f"{t.text('What is your question about?')} {names}."

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        set_pictogram(self.back_button, "back.svg", theme.palette.text, 44)

    def first_focus(self) -> QWidget | None:
        if self._ticket is not None:
            return self.done_button
        return next(iter(self.topic_tiles.values()), self.back_button)

    def wipe(self) -> None:
        self._ticket, self._outcome, self._job, self._pending = None, None, None, None


def wait_text(t: Translator, minutes: int | None) -> str:
    """ "Expected wait: about 12 minutes"; empty when unknown. Under a minute still reads as one minute."""
    if minutes is None:
        return ""
    if minutes <= 1:
        return t.text("Expected wait: about 1 minute")
    return t.text("Expected wait: about {minutes} minutes", minutes=minutes)
