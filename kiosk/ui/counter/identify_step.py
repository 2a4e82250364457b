"""`identify`: the citizen lays their ID on the reader; the chip is read and verified here, on the reader's
thread, and the result goes to the desk in the shape of the video call's identity message.

The video call's identity panel does the guiding (how to open the chip, the reader picture, the
sentences); when the caseworker sent the card access number, the reading starts at once with it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from kiosk.counter.answers import DeclinedAnswer, FailedAnswer, IdentityAnswer
from kiosk.counter.requests import IdentifyRequest
from kiosk.i18n import Translator
from kiosk.identity import VerifiedIdentity
from kiosk.ui.call_identity import DECLINED, STOPPED, CallIdentityPanel
from kiosk.ui.counter.step import CounterServices, CounterStep
from kiosk.ui.theme import Theme


class IdentifyStep(CounterStep):
    kind = "identify"

    def __init__(self, request: IdentifyRequest, services: CounterServices) -> None:
        super().__init__(request.id, services)
        self._can = request.can
        self.panel = CallIdentityPanel(services.identity)
        self.panel.identified.connect(self._identified)
        self.panel.declined.connect(self._declined)
        self.layout_.addWidget(self.panel)

    def begin(self) -> None:
        self.panel.begin()
        if self._can:  # the caseworker typed the CAN: straight to "lay it on the reader"
            self.panel.can_field.setText(self._can)
            self.panel.can_submit.click()

    def _identified(self, identity: VerifiedIdentity) -> None:
        self.answered.emit(IdentityAnswer(self.request_id, identity=identity))

    def _declined(self, reason: str) -> None:
        if reason in (DECLINED, STOPPED):
            self.answered.emit(DeclinedAnswer(self.request_id))
        else:
            self.answered.emit(FailedAnswer(self.request_id, detail=reason))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.panel.retranslate(t)

    def apply_theme(self, theme: Theme) -> None:
        self.panel.apply_theme(theme)

    def announcement(self) -> str:
        return self.panel.announcement()

    def first_focus(self) -> QWidget | None:
        return self.panel.first_focus()

    def stop(self) -> None:
        self.panel.clear()
