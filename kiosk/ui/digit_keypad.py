"""A large numeric keypad, telephone order, and the date field it types into.

Dates are typed as the document prints them, day-month-year; the field puts in the
dashes itself, so the citizen only ever types digits.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFocusEvent, QRegularExpressionValidator
from PySide6.QtWidgets import QGridLayout, QLineEdit, QSizePolicy, QWidget

from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton

LAYOUT = ("123", "456", "789", " 0")


class DigitKeypad(QWidget):
    typed = Signal(str)
    erased = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(12)
        self.keys: dict[str, KioskButton] = {}
        for row, digits in enumerate(LAYOUT):
            for column, digit in enumerate(digits):
                if digit == " ":
                    continue
                key = KioskButton("key", object_name=f"digit_{digit}")
                key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                key.set_label(digit)
                key.clicked.connect(lambda _=False, digit=digit: self.typed.emit(digit))
                self.keys[digit] = key
                grid.addWidget(key, row, column)
        self.backspace = KioskButton("key", object_name="digit_backspace")
        self.backspace.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.backspace.clicked.connect(self.erased.emit)
        grid.addWidget(self.backspace, 3, 2)

    def retranslate(self, t: Translator) -> None:
        self.backspace.setText("⌫")
        self.backspace.setAccessibleName(t.text("Erase the last character"))


class EntryField(QLineEdit):
    """A line the on-screen keys type into; `entered` says the citizen tapped or tabbed to it."""

    entered = Signal()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.entered.emit()


class DateField(EntryField):
    """DD-MM-YYYY from digits alone; `digits()` is what was typed, without the dashes."""

    DIGITS = 8

    def __init__(self, object_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setValidator(QRegularExpressionValidator(r"[0-9\-]{0,10}"))
        self.textEdited.connect(lambda _text: self._set_digits(self.digits()))  # a hardware keyboard

    def digits(self) -> str:
        return "".join(c for c in self.text() if c.isdigit())[: self.DIGITS]

    def type_digit(self, digit: str) -> None:
        if len(self.digits()) < self.DIGITS:
            self._set_digits(self.digits() + digit)

    def erase(self) -> None:
        self._set_digits(self.digits()[:-1])

    def complete(self) -> bool:
        return len(self.digits()) == self.DIGITS

    def _set_digits(self, digits: str) -> None:
        parts = [digits[:2], digits[2:4], digits[4:]]
        self.setText("-".join(p for p in parts if p))
