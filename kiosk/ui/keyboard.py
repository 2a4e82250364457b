"""A large on-screen keyboard for codes: letters and digits in the familiar QWERTY order."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton

ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")


class CodeKeyboard(QWidget):
    typed = Signal(str)
    erased = Signal()

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(10)
        self.keys: dict[str, KioskButton] = {}
        for row, letters in enumerate(ROWS):
            for column, char in enumerate(letters):
                key = KioskButton("key", object_name=f"key_{char}")
                key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
                key.set_label(char)
                key.clicked.connect(lambda _=False, char=char: self.typed.emit(char))
                self.keys[char] = key
                grid.addWidget(key, row, column + (1 if row == 3 else 0))
        self.backspace = KioskButton("key", object_name="key_backspace")
        self.backspace.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.backspace.clicked.connect(self.erased.emit)
        grid.addWidget(self.backspace, 3, 8, 1, 2)

    def retranslate(self, t: Translator) -> None:
        self.backspace.setText("⌫")
        self.backspace.setAccessibleName(t.text("Erase the last character"))
