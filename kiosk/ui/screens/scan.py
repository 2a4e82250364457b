"""Hand in a document: hold each page up, check it, and send them all as one PDF.

The pages stay in memory only; the PDF goes to the session's outbox (the backoffice
collects it later) and a receipt with a reference prints, so the citizen has proof.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QHideEvent, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from drivers.camera.vision.scan_pdf import ScanReceipt, pages_to_pdf
from kiosk.i18n import Translator
from kiosk.print_layouts import scan_receipt
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.page_scan_panel import PageScanPanel
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


class ScanScreen(Screen):
    phase = Phase.TASK
    task_id = "scan"

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self._pages: list[npt.NDArray[np.uint8]] = []
        self._candidate: npt.NDArray[np.uint8] | None = None
        self._receipt: ScanReceipt | None = None
        self.pages = QStackedWidget()
        self.layout_.addWidget(self.pages)
        assert context.camera is not None, "the scan task needs a camera (tasks.py says so)"

        self.capture_page = QWidget()
        capture = QVBoxLayout(self.capture_page)
        capture.setContentsMargins(0, 0, 0, 0)
        capture.setSpacing(20)
        self.title = label("title", object_name="scanTitle")
        self.counter = label("subtitle", object_name="scanCounter")
        self.scanner = PageScanPanel(context.camera)
        self.scanner.page_captured.connect(self._captured)
        self.scanner.view.advice_changed.connect(self.say_if_read_aloud)
        self.back_button = KioskButton(object_name="taskBack")
        self.back_button.clicked.connect(self.machine.back)
        self.send_button = KioskButton("primary", object_name="scanSend")
        self.send_button.clicked.connect(self.send)
        capture.addWidget(self.title)
        capture.addWidget(self.counter)
        capture.addWidget(self.scanner, 1)
        capture.addLayout(button_row(self.back_button, self.send_button))

        self.review_page = QWidget()
        review = QVBoxLayout(self.review_page)
        review.setContentsMargins(0, 0, 0, 0)
        review.setSpacing(20)
        self.review_question = label("title", object_name="scanReviewQuestion")
        self.preview = QLabel()
        self.preview.setObjectName("scanPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.retry_button = KioskButton(object_name="scanRetry")
        self.retry_button.clicked.connect(self.retry)
        self.use_button = KioskButton("primary", object_name="scanUse")
        self.use_button.clicked.connect(self.use)
        review.addWidget(self.review_question)
        review.addWidget(self.preview, 1)
        review.addLayout(button_row(self.retry_button, self.use_button))

        self.done_page = QWidget()
        done = QVBoxLayout(self.done_page)
        done.setContentsMargins(0, 0, 0, 0)
        done.setSpacing(24)
        self.done_title = label("title", object_name="scanDoneTitle")
        self.done_details = label("notice", object_name="scanDoneDetails")
        self.done_button = KioskButton("primary", object_name="scanDone")
        self.done_button.clicked.connect(self.machine.finish)
        self.more_button = KioskButton(object_name="scanMore")
        self.more_button.clicked.connect(self.machine.task_done)
        done.addWidget(self.done_title)
        done.addWidget(self.done_details)
        done.addStretch(1)
        done.addLayout(button_row(self.more_button, self.done_button))

        for page in (self.capture_page, self.review_page, self.done_page):
            self.pages.addWidget(page)
        self.apply_theme(context.theme)

    # -- the flow --------------------------------------------------------------------
    def _captured(self, page: npt.NDArray[np.uint8]) -> None:
        self._candidate = page
        height, width = page.shape[:2]
        image = QImage(page.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
        self.preview.setPixmap(
            QPixmap.fromImage(image).scaled(
                700, 900, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )
        self.pages.setCurrentWidget(self.review_page)
        self.use_button.setFocus()
        self._say(self._t.text("Is the page easy to read?"))

    def retry(self) -> None:
        self._candidate = None
        self._show_capture()

    def use(self) -> None:
        if self._candidate is not None:
            self._pages.append(self._candidate)
        self._candidate = None
        self._show_capture()

    def send(self) -> None:
        """All pages as one PDF into the session's outbox, and a receipt to take home."""
        outbox = self.context.outbox
        if not self._pages or outbox is None:
            return
        self.scanner.stop()
        receipt = outbox.add(pages_to_pdf(self._pages), len(self._pages))
        if self.context.events is not None:
            self.context.events.record("document_submitted", {"pages": len(self._pages)})
        self._pages, self._receipt = [], receipt
        self._show_done()
        printing = self.context.printing
        if printing is not None:
            config = self.context.config
            document = scan_receipt(
                receipt.reference,
                receipt.pages,
                self._t,
                municipality=config.device.municipality,
                location=config.device.location,
                logo=self.context.logo,
            )
            printing.submit(document, "scan receipt")
        self._say(f"{self.done_title.text()} {self.done_details.text()}")

    def _show_capture(self) -> None:
        self._update_counter()
        self.pages.setCurrentWidget(self.capture_page)
        if self.isVisible():
            self.scanner.start()

    def _show_done(self) -> None:
        receipt = self._receipt
        if receipt is None:
            return
        t = self._t
        pages = (
            t.text("{pages} pages received", pages=receipt.pages) if receipt.pages != 1 else t.text("1 page received")
        )
        self.done_title.setText(t.text("Your document has been received"))
        self.done_details.setText(f"{pages}. {t.text('Reference')}: {receipt.reference}")
        self.pages.setCurrentWidget(self.done_page)
        self.done_button.setFocus()

    def _update_counter(self) -> None:
        t = self._t
        self.counter.setText(t.text("Page {number}", number=len(self._pages) + 1))
        self.send_button.setEnabled(bool(self._pages))
        count = len(self._pages)
        if count == 0:
            self.send_button.set_label(t.text("Send"))
        elif count == 1:
            self.send_button.set_label(t.text("Send 1 page"))
        else:
            self.send_button.set_label(t.text("Send {count} pages", count=count))

    def _say(self, text: str) -> None:
        if self.context.speak is not None:
            self.context.speak(text)

    # -- screen hooks ----------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.pages.currentWidget() is self.capture_page:
            self.scanner.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.scanner.stop()
        super().hideEvent(event)

    def retranslate(self, t: Translator) -> None:
        self._t = t
        self.title.setText(t.text("Hold your document in front of the camera, one page at a time"))
        self.scanner.retranslate(t)
        self.back_button.set_label(t.text("Back"))
        self.review_question.setText(t.text("Is the page easy to read?"))
        self.retry_button.set_label(t.text("Try again"))
        self.use_button.set_label(t.text("Use this page"))
        self.done_button.set_label(t.text("Done"))
        self.more_button.set_label(t.text("Something else"))
        self._update_counter()
        if self.pages.currentWidget() is self.done_page:
            self._show_done()

    def apply_theme(self, theme: Theme) -> None:
        super().apply_theme(theme)
        set_pictogram(self.back_button, "back.svg", theme.palette.text, 44)

    def announcement(self, t: Translator) -> str:
        return t.text("Hold your document in front of the camera, one page at a time")

    def first_focus(self) -> QWidget | None:
        return self.back_button

    def wipe(self) -> None:
        self.scanner.stop()
        self._pages, self._candidate, self._receipt = [], None, None
        self.preview.clear()
