"""Hold your page up: the live picture with a frame around the page, advice until it is
large, steady and sharp, then an automatic capture — flattened and cleaned off the UI thread."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from drivers.camera.protocol import Camera, Frame
from drivers.camera.vision.page_cleanup import clean, flatten
from drivers.camera.vision.page_scanner import Guidance, PageGuide, PageSighting, find_page
from kiosk.i18n import N_, Translator
from kiosk.ui.camera_feed import CameraFeed
from kiosk.ui.camera_view import CameraView

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

ADVICE = {
    Guidance.NO_PAGE: N_("Hold your page in front of the camera"),
    Guidance.TOO_SMALL: N_("Hold it closer"),
    Guidance.TOO_CLOSE: N_("Hold it a bit further away"),
    Guidance.CUT_OFF: N_("Hold it a bit further away"),
    Guidance.HOLD_STILL: N_("Hold still"),
    Guidance.TOO_BLURRY: N_("Hold still, the picture is not sharp"),
    Guidance.READY: N_("Good, keep it there…"),
    Guidance.CAPTURE: N_("Got it"),
    Guidance.TAKE_AWAY: N_("Got it"),
}


@dataclass(frozen=True, slots=True, eq=False)
class PageLook:
    guidance: Guidance
    sighting: PageSighting | None
    page: npt.NDArray[np.uint8] | None  # the flattened, cleaned page when captured


class PageScanPanel(QWidget):
    page_captured = Signal(object)  # the cleaned page (grey numpy image)

    def __init__(self, camera: Camera) -> None:
        super().__init__()
        self.view = CameraView("pageCameraView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._guide = PageGuide()
        self._guide_lock = threading.Lock()  # the analysis thread updates it, the UI resets it
        self.feed = CameraFeed(camera, self._analyse)
        self.feed.preview.connect(self.view.show_image)
        self.feed.analysed.connect(self._looked)
        self._t = Translator.for_language("nl")

    def _analyse(self, frame: Frame) -> PageLook:
        """Runs on the analysis thread: finding, guiding, and on capture the flattening."""
        sighting = find_page(frame.image)
        with self._guide_lock:
            guidance = self._guide.update(sighting, frame.timestamp)
        page = None
        if guidance is Guidance.CAPTURE and sighting is not None:
            page = clean(flatten(frame.image, sighting.corners))
        return PageLook(guidance, sighting, page)

    def _looked(self, look: PageLook) -> None:
        sighting = look.sighting
        if sighting is not None:
            good = look.guidance in (Guidance.READY, Guidance.CAPTURE)
            self.view.set_outline(sighting.corners.tolist(), sighting.frame_size, good=good)
        else:
            self.view.set_outline([], (1, 1), good=False)
        self.view.set_message(self._t.text(ADVICE[look.guidance]))
        if look.page is not None:
            self.stop()
            self.page_captured.emit(look.page)

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.view.set_message(t.text(ADVICE[Guidance.NO_PAGE]))

    def start(self) -> None:
        with self._guide_lock:
            self._guide.reset()
        self.feed.start()

    def stop(self) -> None:
        self.feed.stop()
