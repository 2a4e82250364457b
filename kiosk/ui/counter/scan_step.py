"""`scan`: the citizen holds each page up to the desk camera (the video call's scan panel); the pages go
to the desk as JPEG, encoded on the link's thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from kiosk.counter.answers import DeclinedAnswer, FailedAnswer, ScanPagesAnswer
from kiosk.counter.requests import ScanRequest
from kiosk.i18n import Translator
from kiosk.ui.call_scan import CallScanPanel
from kiosk.ui.counter.step import CounterServices, CounterStep

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

NO_CAMERA = "the counter device has no camera"


class ScanStep(CounterStep):
    kind = "scan"

    def __init__(self, request: ScanRequest, services: CounterServices) -> None:
        super().__init__(request.id, services)
        self.panel: CallScanPanel | None = None
        if services.camera is not None:
            self.panel = CallScanPanel(services.camera)
            self.panel.scanned.connect(self._scanned)
            self.panel.declined.connect(lambda _reason: self.answered.emit(DeclinedAnswer(self.request_id)))
            self.layout_.addWidget(self.panel)

    def begin(self) -> None:
        if self.panel is None:
            self.answered.emit(FailedAnswer(self.request_id, detail=NO_CAMERA))
            return
        self.panel.begin()

    def _scanned(self, pages: list[npt.NDArray[np.uint8]]) -> None:
        self.answered.emit(ScanPagesAnswer(self.request_id, pages=tuple(pages)))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        if self.panel is not None:
            self.panel.retranslate(t)

    def announcement(self) -> str:
        return self.panel.announcement() if self.panel is not None else ""

    def first_focus(self) -> QWidget | None:
        return self.panel.first_focus() if self.panel is not None else None

    def stop(self) -> None:
        if self.panel is not None:
            self.panel.clear()
