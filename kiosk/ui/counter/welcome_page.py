"""Between citizens: the municipality's welcome; while no desk has this device, the pairing code, large,
with a line for the caseworker."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.counter.link import LinkPhase, LinkStatus
from kiosk.i18n import Translator
from kiosk.ui.controls import label
from kiosk.ui.counter.texts import say


class WelcomePage(QWidget):
    def __init__(self, config: KioskConfig) -> None:
        super().__init__()
        self.setObjectName("counterWelcome")
        self._t = Translator.for_language("nl")
        self._status = LinkStatus(LinkPhase.CONNECTING)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(28)
        self.municipality = label("subtitle", object_name="welcomeMunicipality")
        self.municipality.setText(config.device.municipality)
        self.greeting = label("huge", object_name="welcomeGreeting")
        self.location = label("subtitle", object_name="welcomeLocation")
        self.location.setText(config.device.location)
        self.status = label(object_name="welcomeStatus")
        self.code_caption = label("title", object_name="pairingCaption")
        self.code = label("huge", wrap=False, object_name="pairingCode")
        self.code_hint = label("notice", object_name="pairingHint")
        layout.addStretch(2)
        for widget in (self.municipality, self.greeting, self.location):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addStretch(1)
        for widget in (self.status, self.code_caption, self.code, self.code_hint):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addStretch(2)
        self.show_status(self._status)

    def show_status(self, status: LinkStatus) -> None:
        self._status = status
        t = self._t
        pairing = status.phase is LinkPhase.PAIRING and bool(status.code)
        for widget in (self.code_caption, self.code, self.code_hint):
            widget.setVisible(pairing)
        if pairing:
            self.code_caption.setText(say(t, "Pairing code"))
            self.code.setText(status.code)
            self.code_hint.setText(
                say(t, "For the staff member: type this code on the desk page to link this screen to your desk.")
            )
        status_text = {
            LinkPhase.CONNECTING: say(t, "Connecting to the desk…"),
            LinkPhase.OFFLINE: say(t, "Connecting to the desk…"),
            LinkPhase.REFUSED: say(t, "This screen may not connect. A technician has to look at it."),
            LinkPhase.PAIRED: say(t, "The staff member will help you."),
        }.get(status.phase, "")
        self.status.setText(status_text)
        self.status.setVisible(bool(status_text))

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.greeting.setText(say(t, "Welcome"))
        self.show_status(self._status)

    def announcement(self) -> str:
        return f"{self.greeting.text()}. {self.location.text()}"
