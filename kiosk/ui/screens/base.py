"""What every screen shares: the context it reads from and the hooks the window calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from drivers.health import Health
from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.session import SessionMachine
from kiosk.ui.controls import KioskButton, pictogram
from kiosk.ui.theme import Theme

if TYPE_CHECKING:
    from drivers.camera.protocol import Camera
    from drivers.cardreader.icao.trust_store import TrustStore
    from drivers.cardreader.protocol import CardReader
    from drivers.printer.document import Raster
    from kiosk.appointments import LocalAppointments
    from kiosk.session_events import SessionEvents
    from kiosk.ticket_queue import LocalTicketQueue
    from kiosk.ui.call_flow import CallFlow
    from kiosk.ui.checkin_service import CheckinService
    from kiosk.ui.document_service import DocumentService
    from kiosk.ui.identity_service import IdentityService
    from kiosk.ui.printing import PrintService
    from kiosk.ui.ticket_service import TicketService


@dataclass
class ScreenContext:
    """Everything a screen may use; passed in, never looked up globally."""

    config: KioskConfig
    machine: SessionMachine
    theme: Theme
    # Made just after the first frame (see kiosk.ui.app.KioskShell.complete):
    appointments: LocalAppointments | None = None
    tickets: LocalTicketQueue | None = None
    printing: PrintService | None = None
    logo: Raster | None = None  # for the top of tickets and receipts, sized for this printer
    camera: Camera | None = None
    documents: DocumentService | None = None  # scanned PDFs to the backoffice, in memory until delivered
    card_reader: CardReader | None = None
    trust_store: TrustStore | None = None  # CSCA certificates that passive authentication trusts
    identity: IdentityService | None = None  # reads passports and ID cards on the reader's own thread
    ticket_service: TicketService | None = None  # queue numbers off the UI thread (backoffice or own)
    checkin: CheckinService | None = None  # check-ins off the UI thread (backoffice or the local list)
    events: SessionEvents | None = None  # what happened in this session, for the backoffice (no personal data)
    call: CallFlow | None = None  # the video call with a caseworker: its news, and the caseworker's requests
    health: Mapping[str, Health] = field(default_factory=dict)  # the devices as last reported
    speak: Callable[[str], None] | None = None  # in the session's language, whatever the speech setting


class Screen(QWidget):
    def __init__(self, context: ScreenContext) -> None:
        super().__init__()
        self.setObjectName("Screen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.context = context
        self.layout_ = QVBoxLayout(self)
        margin = 56
        self.layout_.setContentsMargins(margin, margin, margin, 32)
        self.layout_.setSpacing(28)

    @property
    def machine(self) -> SessionMachine:
        return self.context.machine

    def retranslate(self, t: Translator) -> None:
        """Set every visible text and accessible name in the session's language."""
        raise NotImplementedError

    def announcement(self, t: Translator) -> str:
        """What the kiosk says when this screen appears and speech is on."""
        raise NotImplementedError

    def apply_theme(self, theme: Theme) -> None:
        """Redraw what a style sheet cannot reach (pictogram colours)."""
        self.context.theme = theme

    def update_health(self, health: Mapping[str, Health]) -> None:
        """Devices changed; screens whose offers depend on them override this."""

    def refresh(self) -> None:
        """The citizen's settings changed without a change of screen."""

    def say_if_read_aloud(self, text: str) -> None:
        """Camera advice and the like: spoken only for citizens who asked for speech."""
        citizen = self.machine.citizen
        if citizen is not None and citizen.speech and self.context.speak is not None:
            self.context.speak(text)

    def first_focus(self) -> QWidget | None:
        """The control a keyboard user starts on."""
        return None

    def wipe(self) -> None:
        """Forget anything the citizen entered here; the window also deletes the screen."""


def button_row(*buttons: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.setSpacing(24)
    for widget in buttons:
        row.addWidget(widget)
    return row


def set_pictogram(button: KioskButton, name: str, colour: str, size: int = 56) -> None:
    button.setIcon(pictogram(name, colour, size * 2))
    button.setIconSize(QSize(size, size))
