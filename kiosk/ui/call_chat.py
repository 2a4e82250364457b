"""Typing to the caseworker when the kiosk has no microphone: the call's text fallback.

The caseworker still sees the citizen and can speak; the citizen answers in writing on a large
on-screen keyboard. The caseworker's chat lines arrive here too (and are spoken by the call
screen), so the conversation reads top to bottom like a chat. Nothing typed outlives the call:
the panel is cleared when the call screen is rebuilt at the session's end.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.i18n import N_, Translator
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.theme import Theme

# The longest line the signaling takes (kiosk/call/engine.py cuts at 400); a citizen types far less.
MAX_CHARACTERS = 400
SHOWN_LINES = 4
ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm,.?")
YOU = N_("You")
STAFF = N_("Staff member")


class TextKeyboard(QWidget):
    """Letters, digits, a few marks and a space bar; a sentence starts with a capital by itself."""

    typed = Signal(str)
    erased = Signal()

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(8)
        grid.setContentsMargins(0, 0, 0, 0)
        self.keys: dict[str, KioskButton] = {}
        for row, characters in enumerate(ROWS):
            for column, character in enumerate(characters):
                key = self._key(f"chatKey_{ord(character)}", character.upper() if character.isalpha() else character)
                key.clicked.connect(lambda _=False, character=character: self.typed.emit(character))
                self.keys[character] = key
                grid.addWidget(key, row, column)
        self.space = self._key("chatKeySpace", "")
        self.space.clicked.connect(lambda: self.typed.emit(" "))
        self.keys[" "] = self.space
        grid.addWidget(self.space, len(ROWS), 1, 1, 7)
        self.backspace = self._key("chatKeyBackspace", "⌫")
        self.backspace.clicked.connect(self.erased.emit)
        grid.addWidget(self.backspace, 2, 9)

    @staticmethod
    def _key(object_name: str, text: str) -> KioskButton:
        key = KioskButton("key", object_name=object_name)
        key.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        key.set_label(text)
        return key

    def retranslate(self, t: Translator) -> None:
        self.space.set_label(t.text("space"))
        self.backspace.setAccessibleName(t.text("Erase the last character"))


class CallChatPanel(QWidget):
    """The last few lines of the conversation, what the citizen is typing, the keyboard and Send."""

    send_requested = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self._t = Translator.for_language("nl")
        self._lines: list[tuple[str, str]] = []  # (who: YOU or STAFF, text)
        self._draft = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        self.heading = label("subtitle", object_name="callChatHeading")
        self.conversation = label("body", object_name="callChatLines")
        self.draft = label("field", object_name="callChatDraft")
        self.send = KioskButton("primary", object_name="callChatSend")
        self.send.clicked.connect(self._send)
        self.keyboard = TextKeyboard()
        self.keyboard.typed.connect(self._type)
        self.keyboard.erased.connect(self._erase)
        draft_row = QHBoxLayout()
        draft_row.addWidget(self.draft, 1)
        draft_row.addWidget(self.send)
        column.addWidget(self.heading)
        column.addWidget(self.conversation)
        column.addLayout(draft_row)
        column.addWidget(self.keyboard)

    @property
    def typed_text(self) -> str:
        return self._draft

    def add_incoming(self, text: str) -> None:
        self._add(STAFF, text)

    def clear(self) -> None:
        self._lines.clear()
        self._draft = ""
        self._refresh()

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.heading.setText(t.text("There is no microphone. Type your answer here."))
        self.send.set_label(t.text("Send"))
        self.keyboard.retranslate(t)
        self._refresh()

    def apply_theme(self, theme: Theme) -> None:
        """The typed line looks like a field to write in; the conversation reads at body size."""
        palette = theme.palette
        self.draft.setStyleSheet(
            f"background: {palette.surface}; color: {palette.text}; border: 2px solid {palette.border};"
            f" border-radius: 8px; padding: {theme.px(0.5)}px; font-size: {theme.px(1.2)}px;"
        )
        self.conversation.setStyleSheet(f"font-size: {theme.px(1.2)}px; color: {palette.text};")

    def _type(self, character: str) -> None:
        if len(self._draft) >= MAX_CHARACTERS:
            return
        starts_sentence = not self._draft.strip() or self._draft.rstrip()[-1] in ".?!"
        if starts_sentence and character.isalpha() and (not self._draft or self._draft[-1] == " "):
            character = character.upper()
        self._draft += character
        self._refresh()

    def _erase(self) -> None:
        self._draft = self._draft[:-1]
        self._refresh()

    def _send(self) -> None:
        text = self._draft.strip()
        if not text:
            return
        self._draft = ""
        self._add(YOU, text)
        self.send_requested.emit(text)

    def _add(self, who: str, text: str) -> None:
        self._lines.append((who, text))
        del self._lines[:-SHOWN_LINES]
        self._refresh()

    def _refresh(self) -> None:
        t = self._t
        self.conversation.setText("\n".join(f"{t.text(who)}: {text}" for who, text in self._lines))
        self.conversation.setVisible(bool(self._lines))
        self.draft.setText(self._draft + "|")
        self.draft.setAccessibleName(t.text("Your message") + ": " + self._draft)
        self.send.setEnabled(bool(self._draft.strip()))
