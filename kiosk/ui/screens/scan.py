"""Hand in a document: hold each page up, check it, and send them all as one PDF.

The pages stay in memory only. The PDF goes to the backoffice (kiosk/document_upload.py)
while the citizen watches it go; "received", and the receipt with its reference, come only
when the backoffice has confirmed the whole file. If that takes longer than a citizen
should wait, the screen says plainly that it has not been sent yet and that the kiosk keeps
trying; a later confirmation still updates the screen while it is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QHideEvent, QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QLabel, QProgressBar, QStackedWidget, QVBoxLayout, QWidget

from drivers.camera.vision.scan_pdf import ScanReceipt, pages_to_pdf
from kiosk.document_upload import Delivery
from kiosk.i18n import Translator
from kiosk.print_layouts import scan_receipt
from kiosk.session import Phase
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.document_service import DocumentJob
from kiosk.ui.page_scan_panel import PageScanPanel
from kiosk.ui.screens.base import Screen, ScreenContext, button_row, set_pictogram
from kiosk.ui.theme import Theme

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

# How long a citizen waits for the backoffice's confirmation before being told it is not sent yet.
PATIENCE_MS = 20_000


class ScanScreen(Screen):
    phase = Phase.TASK
    task_id = "scan"

    def __init__(self, context: ScreenContext) -> None:
        super().__init__(context)
        self._t = Translator.for_language(self.machine.language)
        self._pages: list[npt.NDArray[np.uint8]] = []
        self._candidate: npt.NDArray[np.uint8] | None = None
        self._receipt: ScanReceipt | None = None
        self._sending: DocumentJob | None = None
        self._delivery: Delivery | None = None  # None while on its way
        self._waited_out = False
        self._progress: tuple[int, int] = (0, 0)
        self.patience = QTimer(self)
        self.patience.setSingleShot(True)
        self.patience.setInterval(PATIENCE_MS)
        self.patience.timeout.connect(self._waited_long)
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
        self.send_progress = QProgressBar()
        self.send_progress.setObjectName("scanSendProgress")
        self.send_progress.setTextVisible(False)
        self.send_progress.hide()
        self.done_reference = label("subtitle", object_name="scanDoneReference")
        self.done_button = KioskButton("primary", object_name="scanDone")
        self.done_button.clicked.connect(self.machine.finish)
        self.more_button = KioskButton(object_name="scanMore")
        self.more_button.clicked.connect(self.machine.task_done)
        done.addWidget(self.done_title)
        done.addWidget(self.send_progress)
        done.addWidget(self.done_details)
        done.addWidget(self.done_reference)
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
        """All pages as one PDF to the backoffice; `_delivered` goes on once it has answered."""
        documents = self.context.documents
        if not self._pages or documents is None or self._sending is not None:
            return
        self.scanner.stop()
        pages = len(self._pages)
        session_id = self.context.events.session_id if self.context.events is not None else None
        job = documents.send(pages_to_pdf(self._pages), pages, session_id, self._sent_part, self._delivered)
        self._pages, self._sending, self._delivery, self._waited_out = [], job, None, False
        self._receipt, self._progress = ScanReceipt(job.reference, pages), (0, 0)
        self.patience.start()
        self._show_done()
        self._say(self.done_title.text())

    def _sent_part(self, stored: int, count: int) -> None:
        if self._sending is None:
            return  # wiped: the session ended while the document was on its way
        self._progress = (stored, count)
        self._show_done()

    def _delivered(self, delivery: Delivery) -> None:
        if self._sending is None:
            return
        self._sending, self._delivery = None, delivery
        self.patience.stop()
        self._show_done()
        self.machine.touch()
        if delivery is Delivery.DELIVERED:
            self._print_receipt()
        self._say(f"{self.done_title.text()} {self.done_details.text()}")

    def _waited_long(self) -> None:
        """Not confirmed within a citizen's patience: say so, and let them go; sending goes on."""
        if self._sending is None:
            return
        self._waited_out = True
        self._show_done()
        self._say(f"{self.done_title.text()} {self.done_details.text()}")

    def _print_receipt(self) -> None:
        """Proof of what the backoffice holds: printed only once it holds it."""
        printing, receipt = self.context.printing, self._receipt
        if printing is None or receipt is None:
            return
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

    def _show_capture(self) -> None:
        self._update_counter()
        self.pages.setCurrentWidget(self.capture_page)
        if self.isVisible():
            self.scanner.start()

    def _show_done(self) -> None:
        receipt = self._receipt
        if receipt is None:
            return
        t, delivery = self._t, self._delivery
        on_its_way = delivery is None and not self._waited_out
        # While the citizen is asked to wait, leaving would leave before the answer.
        for control in (self.done_button, self.more_button):
            control.setEnabled(not on_its_way)
        self.send_progress.setVisible(on_its_way)
        stored, count = self._progress
        self.send_progress.setRange(0, max(count, 1) if count else 0)  # busy until the first answer
        self.send_progress.setValue(stored)
        # A refused document is nowhere to be found by its reference: none is shown.
        shown = receipt.reference and delivery is not Delivery.REFUSED
        self.done_reference.setText(f"{t.text('Reference')}: {receipt.reference}" if shown else "")
        if delivery is Delivery.DELIVERED:
            pages = (
                t.text("{pages} pages received", pages=receipt.pages)
                if receipt.pages != 1
                else t.text("1 page received")
            )
            self.done_title.setText(t.text("Your document has been received"))
            self.done_details.setText(f"{pages}.")
        elif delivery is Delivery.REFUSED:
            self.done_title.setText(t.text("Your document could not be sent"))
            self.done_details.setText(t.text("Please hand it in at the counter. A staff member will help you."))
        elif self._waited_out:
            self.done_title.setText(t.text("Your document has not been sent yet"))
            self.done_details.setText(
                t.text(
                    "There is no connection with the municipality now. We keep trying to send it, "
                    "but we cannot promise that it will arrive. To be sure, hand it in at the counter."
                )
            )
        else:
            self.done_title.setText(t.text("Your document is being sent…"))
            self.done_details.setText(t.text("Please wait a moment."))
        self.send_progress.setAccessibleName(self.done_title.text())
        self.pages.setCurrentWidget(self.done_page)
        if not on_its_way:
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
        self.patience.stop()
        self._pages, self._candidate, self._receipt, self._sending = [], None, None, None
        self.preview.clear()
