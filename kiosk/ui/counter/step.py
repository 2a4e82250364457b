"""What every request's view shares: its answer signal, the hooks the window calls, and its services.

One step widget is made per request and deleted when the request is answered, replaced or wiped, so
nothing the citizen entered outlives it — the same rule as the kiosk, where ending a session rebuilds
every screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.ui.theme import Theme

if TYPE_CHECKING:
    from drivers.camera.protocol import Camera
    from drivers.printer.document import Raster
    from kiosk.ui.counter.pdf_render import PdfRenderer
    from kiosk.ui.identity_service import IdentityService
    from kiosk.ui.printing import PrintService


@dataclass
class CounterServices:
    """The devices and settings the steps use; built once by the app and passed in."""

    config: KioskConfig
    speak: Callable[[str, str], None]  # text, language
    identity: IdentityService | None = None
    camera: Camera | None = None
    printing: PrintService | None = None
    pdf: PdfRenderer | None = None
    logo: Raster | None = None


class CounterStep(QWidget):
    answered = Signal(object)  # kiosk.counter.answers.Answer
    kind = ""

    def __init__(self, request_id: str, services: CounterServices) -> None:
        super().__init__()
        self.request_id = request_id
        self.services = services
        self._t = Translator.for_language("nl")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(24)

    def begin(self) -> None:
        """Shown for the first time: start what the step needs (a read, the camera)."""

    def retranslate(self, t: Translator) -> None:
        self._t = t

    def apply_theme(self, theme: Theme) -> None:
        """Redraw what a style sheet cannot reach."""

    def announcement(self) -> str:
        return ""

    def first_focus(self) -> QWidget | None:
        return None

    def stop(self) -> None:
        """The step goes away: stop reads and cameras, forget what was entered."""
