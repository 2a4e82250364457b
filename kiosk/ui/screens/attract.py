"""The attract screen: an invitation to start, the language choice and accessibility."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, TileButton, label, pictogram
from kiosk.ui.screens.base import Screen, ScreenContext
from kiosk.ui.theme import Theme

# Each language is named in itself, so a citizen finds their own without reading Dutch.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


class AttractScreen(Screen):
    phase = Phase.ATTRACT

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        device = context.config.device
        self.municipality = label("subtitle", object_name="municipality")
        self.municipality.setText(device.municipality)
        self.title = label("title", object_name="attractTitle")
        self.invitation = label(object_name="invitation")
        self.start_button = KioskButton("hero", object_name="startButton")
        self.start_button.clicked.connect(lambda: self.machine.start())

        self.choose_language = label(object_name="chooseLanguage")
        self.language_buttons: dict[str, KioskButton] = {}
        languages = QHBoxLayout()
        languages.setSpacing(24)
        for code in device.languages:
            button = KioskButton(object_name=f"language_{code}")
            button.set_label(LANGUAGE_NAMES.get(code, code))
            button.setProperty("lang", code)
            button.clicked.connect(lambda _=False, code=code: self.machine.start(code))
            self.language_buttons[code] = button
            languages.addWidget(button)

        self.accessibility_button = TileButton("accessibilityButton", role="wide")
        self.accessibility_button.clicked.connect(self.machine.open_welcome)

        self.layout_.addWidget(self.municipality)
        self.layout_.addWidget(self.title)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.invitation)
        self.layout_.addWidget(self.start_button)
        self.layout_.addSpacing(24)
        self.layout_.addWidget(self.choose_language)
        self.layout_.addLayout(languages)
        self.layout_.addStretch(1)
        self.layout_.addWidget(self.accessibility_button)
        self.apply_theme(context.theme)

    def retranslate(self, t: Translator) -> None:
        location = self.context.config.device.location
        self.title.setText(t.text("Welcome to {location}", location=location))
        self.invitation.setText(t.text("Would you like help? Touch the button to start."))
        self.start_button.set_label(t.text("Start"))
        # Shown in every offered language at once: the citizen may not read the first one.
        self.choose_language.setText(
            " / ".join(Translator.for_language(code).text("Choose your language") for code in self.language_buttons)
        )
        self.accessibility_button.set_texts(t.text("Larger text, more contrast or read aloud"))

    def announcement(self, t: Translator) -> str:
        return t.text("Welcome. Touch the screen to start.")

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        self.accessibility_button.set_pictogram(pictogram("accessibility.svg", theme.palette.text, 112), 56)

    def first_focus(self) -> QWidget:
        return self.start_button
