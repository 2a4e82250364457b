"""Talk to a person. Until video calls exist, it says in plain words where the counter is."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.i18n import Translator, localized
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme


class HelpScreen(Screen):
    phase = Phase.HELP

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.title = label("title", object_name="helpTitle")
        self.intro = label(object_name="helpIntro")
        self.where = label("notice", object_name="counterLocation")
        self.back_button = KioskButton("primary", object_name="helpBack")
        self.back_button.clicked.connect(self.machine.back)
        self.stop_button = KioskButton(object_name="helpStop")
        self.stop_button.clicked.connect(self.machine.finish)
        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.intro)
        self.layout_.addWidget(self.where)
        self.layout_.addStretch(1)
        self.layout_.addLayout(button_row(self.back_button, self.stop_button))
        self.apply_theme(context.theme)

    def _where(self, t: Translator) -> str:
        texts = self.context.config.counter.location_text
        return localized(texts, t.language)

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t.text("Talk to a person"))
        self.intro.setText(t.text("A staff member will gladly help you at the counter."))
        self.where.setText(self._where(t))
        self.back_button.set_label(t.text("Back"))
        self.stop_button.set_label(t.text("Stop"))

    def announcement(self, t: Translator) -> str:
        return f"{t.text('A staff member will gladly help you at the counter.')} {self._where(t)}"

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        set_pictogram(self.back_button, "back.svg", theme.palette.accent_text, 44)

    def first_focus(self) -> QWidget:
        return self.back_button
