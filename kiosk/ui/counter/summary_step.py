"""`summary`: the data the caseworker entered, in large type, for the citizen to confirm; read aloud."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from kiosk.counter.answers import SummaryAnswer
from kiosk.counter.requests import SummaryRequest
from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.counter.step import CounterServices, CounterStep
from kiosk.ui.counter.texts import say
from kiosk.ui.screens.base import button_row
from kiosk.ui.theme import Theme


class SummaryStep(CounterStep):
    kind = "summary"

    def __init__(self, request: SummaryRequest, services: CounterServices) -> None:
        super().__init__(request.id, services)
        self.request = request
        self.title = label("title", object_name="summaryTitle")
        self.layout_.addWidget(self.title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(40)
        grid.setVerticalSpacing(18)
        self.rows: list[tuple[QLabel, QLabel]] = []
        for index, line in enumerate(request.lines):
            name, value = label("subtitle"), label("summaryValue")
            name.setText(line.label)
            value.setText(line.value)
            grid.addWidget(name, index, 0)
            grid.addWidget(value, index, 1)
            self.rows.append((name, value))
        grid.setColumnStretch(1, 1)
        self.layout_.addLayout(grid)
        self.layout_.addStretch(1)
        self.wrong = KioskButton(object_name="summaryWrong")
        self.wrong.clicked.connect(lambda: self.answered.emit(SummaryAnswer(self.request_id, correct=False)))
        self.right = KioskButton("primary", object_name="summaryCorrect")
        self.right.clicked.connect(lambda: self.answered.emit(SummaryAnswer(self.request_id, correct=True)))
        self.layout_.addLayout(button_row(self.wrong, self.right))

    def begin(self) -> None:
        self.services.speak(self.announcement(), self._t.language)

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(self.request.title or say(t, "Please check"))
        self.wrong.set_label(say(t, "Not correct"))
        self.right.set_label(say(t, "Correct"))

    def announcement(self) -> str:
        lines = ". ".join(f"{name.text()}: {value.text()}" for name, value in self.rows)
        return f"{self.title.text()}. {lines}. {self.right.text()}? {self.wrong.text()}?"

    def apply_theme(self, theme: Theme) -> None:
        # Larger than body text: the citizen reads it across the desk, and checks every character.
        for name, value in self.rows:
            name.setStyleSheet(f"font-size: {theme.px(1.3)}px;")
            value.setStyleSheet(f"font-size: {theme.px(1.6)}px; font-weight: bold;")

    def first_focus(self) -> QWidget | None:
        return self.right
