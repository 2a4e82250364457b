"""During a call, the caseworker asks to see a document: the citizen holds each page up to the
camera, checks it, and sends the pages; the Scan task's pieces, shorter.

The pages are handed on as grey images; the PDF is made on a worker thread (the call service),
not here. Nothing stays in this panel after it has handed them on or been stopped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.page_scan_panel import PageScanPanel
from kiosk.ui.screens.base import button_row

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from drivers.camera.protocol import Camera

STOPPED = "the citizen stopped the scan"


class CallScanPanel(QWidget):
    scanned = Signal(object)  # list of cleaned grey pages (numpy), in order
    declined = Signal(str)  # why not, for the caseworker

    def __init__(self, camera: Camera) -> None:
        super().__init__()
        self._t = Translator.for_language("nl")
        self._pages: list[npt.NDArray[np.uint8]] = []
        self._candidate: npt.NDArray[np.uint8] | None = None
        self.pages = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.pages)

        self.capture_page = QWidget()
        capture = QVBoxLayout(self.capture_page)
        capture.setContentsMargins(0, 0, 0, 0)
        self.title = label("title", object_name="callScanTitle")
        self.counter = label("subtitle", object_name="callScanCounter")
        self.scanner = PageScanPanel(camera)
        self.scanner.page_captured.connect(self._captured)
        self.stop_button = KioskButton(object_name="callScanStop")
        self.stop_button.clicked.connect(self._stop)
        self.send_button = KioskButton("primary", object_name="callScanSend")
        self.send_button.clicked.connect(self._send)
        capture.addWidget(self.title)
        capture.addWidget(self.counter)
        capture.addWidget(self.scanner, 1)
        capture.addLayout(button_row(self.stop_button, self.send_button))

        self.review_page = QWidget()
        review = QVBoxLayout(self.review_page)
        review.setContentsMargins(0, 0, 0, 0)
        self.question = label("title", object_name="callScanQuestion")
        self.preview = QLabel()
        self.preview.setObjectName("callScanPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = KioskButton(object_name="callScanRetry")
        self.retry_button.clicked.connect(self._retry)
        self.use_button = KioskButton("primary", object_name="callScanUse")
        self.use_button.clicked.connect(self._use)
        review.addWidget(self.question)
        review.addWidget(self.preview, 1)
        review.addLayout(button_row(self.retry_button, self.use_button))
        for page in (self.capture_page, self.review_page):
            self.pages.addWidget(page)

    def begin(self) -> None:
        self.clear()
        self._show_capture()

    def _show_capture(self) -> None:
        self._update_counter()
        self.pages.setCurrentWidget(self.capture_page)
        self.scanner.start()

    def _captured(self, page: npt.NDArray[np.uint8]) -> None:
        self._candidate = page
        height, width = page.shape[:2]
        image = QImage(page.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
        self.preview.setPixmap(
            QPixmap.fromImage(image).scaled(
                640, 820, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        self.pages.setCurrentWidget(self.review_page)
        self.use_button.setFocus()

    def _retry(self) -> None:
        self._candidate = None
        self._show_capture()

    def _use(self) -> None:
        if self._candidate is not None:
            self._pages.append(self._candidate)
        self._candidate = None
        self._show_capture()

    def _send(self) -> None:
        pages = self._pages
        if not pages:
            return
        self.clear()
        self.scanned.emit(pages)

    def _stop(self) -> None:
        self.clear()
        self.declined.emit(STOPPED)

    def clear(self) -> None:
        self.scanner.stop()
        self._pages, self._candidate = [], None
        self.preview.clear()

    def _update_counter(self) -> None:
        t, count = self._t, len(self._pages)
        self.counter.setText(t.text("Page {number}", number=count + 1))
        self.send_button.setEnabled(count > 0)
        if count == 0:
            self.send_button.set_label(t.text("Send"))
        elif count == 1:
            self.send_button.set_label(t.text("Send 1 page"))
        else:
            self.send_button.set_label(t.text("Send {count} pages", count=count))

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.title.setText(t.text("The staff member asks you to show a document"))
        self.scanner.retranslate(t)
        self.stop_button.set_label(t.text("Stop"))
        self.question.setText(t.text("Is the page easy to read?"))
        self.retry_button.set_label(t.text("Try again"))
        self.use_button.set_label(t.text("Use this page"))
        self._update_counter()

    def announcement(self) -> str:
        if self.pages.currentWidget() is self.review_page:
            return self.question.text()
        return f"{self.title.text()}. {self._t.text('Hold your document in front of the camera, one page at a time')}"

    def first_focus(self) -> QWidget:
        return self.use_button if self.pages.currentWidget() is self.review_page else self.stop_button
