"""The welcome settings: language, larger text, more contrast, read aloud.

Choices here belong to this citizen only and end with their session.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QWidget

from kiosk.i18n import Translator
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.screens.attract import LANGUAGE_NAMES
from kiosk.ui.screens.base import Screen, ScreenContext, button_row


class WelcomeScreen(Screen):
    phase = Phase.WELCOME

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self.title = label("title", object_name="welcomeTitle")
        self.explanation = label(object_name="welcomeExplanation")
        self.large_text = self._toggle("largeTextToggle", "large_text")
        self.high_contrast = self._toggle("highContrastToggle", "high_contrast")
        self.speech = self._toggle("speechToggle", "speech")
        self.language_title = label("subtitle")
        self.language_buttons: dict[str, KioskButton] = {}
        grid = QGridLayout()
        grid.setSpacing(20)
        for index, code in enumerate(context.config.device.languages):
            button = KioskButton("toggle", object_name=f"welcomeLanguage_{code}")
            button.setCheckable(True)
            button.set_label(LANGUAGE_NAMES.get(code, code))
            button.clicked.connect(lambda _=False, code=code: self.machine.set_language(code))
            self.language_buttons[code] = button
            grid.addWidget(button, index // 2, index % 2)
        self._t = Translator.for_language(self.machine.language)
        self.done_button = KioskButton("primary", object_name="welcomeDone")
        self.done_button.clicked.connect(self.machine.welcome_done)

        self.layout_.addWidget(self.title)
        self.layout_.addWidget(self.explanation)
        for toggle in (self.large_text, self.high_contrast, self.speech):
            self.layout_.addWidget(toggle)
        self.layout_.addWidget(self.language_title)
        self.layout_.addLayout(grid)
        self.layout_.addStretch(1)
        self.layout_.addLayout(button_row(self.done_button))

    def _toggle(self, name: str, preference: str) -> KioskButton:
        button = KioskButton("toggle", object_name=name)
        button.setCheckable(True)
        button.toggled.connect(lambda on: self.machine.set_preferences(**{preference: on}))
        button.toggled.connect(lambda _on: self.refresh())
        return button

    def retranslate(self, t: Translator) -> None:
        self.title.setText(t.text("Make the screen easier for you"))
        self.explanation.setText(t.text("Touch a choice to switch it on or off."))
        self._t = t
        self.language_title.setText(t.text("Language"))
        self.done_button.set_label(t.text("Continue"))
        self.refresh()

    def refresh(self) -> None:
        """Show the session's current choices on the toggles, in words as well as colour."""
        citizen = self.machine.citizen
        t = self._t
        for toggle, name, on in (
            (self.large_text, t.text("Larger text"), bool(citizen and citizen.large_text)),
            (self.high_contrast, t.text("More contrast"), bool(citizen and citizen.high_contrast)),
            (self.speech, t.text("Read aloud"), bool(citizen and citizen.speech)),
        ):
            toggle.blockSignals(True)
            toggle.setChecked(on)
            toggle.blockSignals(False)
            state = t.text("on") if on else t.text("off")
            toggle.setText(f"{'✓ ' if on else ''}{name}: {state}")
            toggle.setAccessibleName(name)  # the checked state is announced by the toggle role itself
        for code, button in self.language_buttons.items():
            button.setChecked(code == self.machine.language)

    def announcement(self, t: Translator) -> str:
        return t.text("Make the screen easier for you. Choose larger text, more contrast or read aloud.")

    def first_focus(self) -> QWidget:
        return self.large_text
