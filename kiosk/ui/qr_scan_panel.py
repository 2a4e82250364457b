"""Show your QR code: the live picture, guidance while it cannot be read, the payload when it can.

Decoding runs on the camera feed's analysis thread; this panel only turns its findings
into a frame on the picture, one short instruction, and a `payload_found` signal.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from drivers.camera.protocol import Camera, Frame
from drivers.camera.vision.qr_decoder import QrDecoder, QrScan, SightingHint
from kiosk.i18n import N_, Translator
from kiosk.ui.camera_feed import CameraFeed
from kiosk.ui.camera_view import CameraView

REPEAT_AFTER = 4.0  # seconds before the same payload counts again (it stays in view a while)
GUIDANCE = {
    None: N_("Hold the QR code in front of the camera"),
    SightingHint.CLOSER: N_("Hold it closer"),
    SightingHint.HOLD_STILL: N_("Hold still"),
    SightingHint.READABLE: N_("Hold still, reading…"),
}


class QrScanPanel(QWidget):
    payload_found = Signal(str)

    def __init__(self, camera: Camera) -> None:
        super().__init__()
        self.view = CameraView("qrCameraView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._decoder = QrDecoder()
        self.feed = CameraFeed(camera, self._analyse)
        self.feed.preview.connect(self.view.show_image)
        self.feed.analysed.connect(self._found)
        self._t = Translator.for_language("nl")
        self._last_payload = ""
        self._last_at = 0.0

    def _analyse(self, frame: Frame) -> tuple[QrScan, tuple[int, int]]:
        """Runs on the analysis thread."""
        return self._decoder.scan(frame.image), (frame.width, frame.height)

    def _found(self, analysed: tuple[QrScan, tuple[int, int]]) -> None:
        scan, size = analysed
        if scan.result is not None:
            self.view.set_outline(scan.result.corners.tolist(), size, good=True)
            self.view.set_message(self._t.text(GUIDANCE[SightingHint.READABLE]))
            now = time.monotonic()
            payload = scan.result.payload
            if payload != self._last_payload or now - self._last_at > REPEAT_AFTER:
                self._last_payload, self._last_at = payload, now
                self.payload_found.emit(payload)
            return
        if scan.sighting is not None:
            self.view.set_outline(scan.sighting.corners.tolist(), size, good=False)
            self.view.set_message(self._t.text(GUIDANCE[scan.sighting.hint]))
        else:
            self.view.set_outline([], size, good=False)
            self.view.set_message(self._t.text(GUIDANCE[None]))

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.view.set_message(t.text(GUIDANCE[None]))

    def start(self) -> None:
        self._last_payload = ""
        self.feed.start()

    def stop(self) -> None:
        self.feed.stop()
        self.view.clear()
