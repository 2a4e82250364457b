"""Goodbye: a short thank-you, then the kiosk returns to attract by itself."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.i18n import Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.screens.base import Screen, ScreenContext


class GoodbyeScreen(Screen):
    phase = Phase.GOODBYE

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.title = label("title", object_name="goodbyeTitle")
        self.reminder = label(object_name="goodbyeReminder")
        self.next_button = KioskButton("primary", object_name="goodbyeNext")
        self.next_button.clicked.connect(lambda: self.machine.start())
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.reminder)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.next_button)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t.text("Thank you, goodbye!"))
        self.reminder.setText(t.text("Do not forget your things, such as your ID card or letter."))
        self.next_button.set_label(t.text("Done"))

    def announcement(self, t: Translator) -> str:
        return f"{t.text('Thank you, goodbye!')} {t.text('Do not forget your things, such as your ID card or letter.')}"

    def first_focus(self) -> QWidget:
        return self.next_button
