"""'Bent u er nog?': the idle warning laid over whatever screen the citizen was on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, label


class IdleOverlay(QWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("IdleOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(60, 60, 60, 60)
        card = QWidget()
        card.setObjectName("IdleCard")
        card.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(48, 48, 48, 48)
        inner.setSpacing(28)
        self.question = label("title", object_name="idleQuestion")
        self.question.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = label("huge", object_name="idleCountdown")
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explanation = label(object_name="idleExplanation")
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.still_here = KioskButton("primary", object_name="stillHere")
        self.still_here.setMinimumHeight(150)
        self.stop_button = KioskButton(object_name="idleStop")
        for widget in (self.question, self.countdown, self.explanation, self.still_here, self.stop_button):
            inner.addWidget(widget)
        outer.addStretch(1)
        outer.addWidget(card)
        outer.addStretch(1)
        self.hide()

    def retranslate(self, t: Translator, seconds_left: int) -> None:
        self.question.setText(t.text("Are you still there?"))
        self.countdown.setText(str(seconds_left))
        self.countdown.setAccessibleName(t.text("{seconds} seconds left", seconds=seconds_left))
        self.explanation.setText(
            t.text(
                "If you do nothing, we stop in {seconds} seconds. What you entered is then deleted.",
                seconds=seconds_left,
            )
        )
        self.still_here.set_label(t.text("Yes, I am still here"))
        self.stop_button.set_label(t.text("No, stop"))
