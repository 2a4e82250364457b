"""`signature`: the citizen signs in the box, sees the signature back, and sends it or signs again.

The desk gets the strokes (millimetres, milliseconds), an SVG of the pad and a 600 dpi greyscale PNG
cropped to the ink (DESK.md); the pad keeps nothing once the step is gone.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.counter.answers import SignatureAnswer
from kiosk.counter.requests import SignatureRequest
from kiosk.counter.signature import Signature
from kiosk.i18n import Translator
from kiosk.ui.controls import KioskButton, label
from kiosk.ui.counter.step import CounterServices, CounterStep
from kiosk.ui.counter.texts import say
from kiosk.ui.screens.base import button_row
from kiosk.ui.signature_pad import SignaturePad, signature_png
from kiosk.ui.theme import Theme


class SignatureStep(CounterStep):
    kind = "signature"

    def __init__(self, request: SignatureRequest, services: CounterServices) -> None:
        super().__init__(request.id, services)
        self.purpose = request.purpose
        self._signature: Signature | None = None
        self._png = b""
        self.pages = QStackedWidget()
        self.layout_.addWidget(self.pages)

        self.sign_page = QWidget()
        sign = QVBoxLayout(self.sign_page)
        sign.setContentsMargins(0, 0, 0, 0)
        sign.setSpacing(20)
        self.title = label("title", object_name="signatureTitle")
        self.purpose_label = label("subtitle", object_name="signaturePurpose")
        self.purpose_label.setText(request.purpose)
        self.purpose_label.setVisible(bool(request.purpose))
        self.hint = label(object_name="signatureHint")
        self.pad = SignaturePad()
        self.pad.changed.connect(self._pad_changed)
        self.clear_button = KioskButton(object_name="signatureClear")
        self.clear_button.clicked.connect(self.pad.clear)
        self.done_button = KioskButton("primary", object_name="signatureDone")
        self.done_button.clicked.connect(self._done)
        for widget in (self.title, self.purpose_label, self.hint):
            sign.addWidget(widget)
        self.pad.setMaximumHeight(640)  # a signature box, wide and low, as on a paper form
        sign.addWidget(self.pad, 1)
        sign.addLayout(button_row(self.clear_button, self.done_button))
        sign.addStretch(0)

        self.check_page = QWidget()
        check = QVBoxLayout(self.check_page)
        check.setContentsMargins(0, 0, 0, 0)
        check.setSpacing(20)
        self.question = label("title", object_name="signatureQuestion")
        self.preview = QLabel()
        self.preview.setObjectName("signaturePreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #ffffff; border-radius: 12px;")
        self.again_button = KioskButton(object_name="signatureAgain")
        self.again_button.clicked.connect(self._again)
        self.send_button = KioskButton("primary", object_name="signatureSend")
        self.send_button.clicked.connect(self._send)
        check.addWidget(self.question)
        self.preview.setMaximumHeight(640)
        check.addWidget(self.preview, 1)
        check.addLayout(button_row(self.again_button, self.send_button))
        for page in (self.sign_page, self.check_page):
            self.pages.addWidget(page)
        self._pad_changed()

    def _pad_changed(self) -> None:
        self.done_button.setEnabled(not self.pad.signature().empty)

    def _done(self) -> None:
        signature = self.pad.signature()
        if signature.empty:
            return
        self._signature = signature
        self._png = signature_png(signature)
        image = QImage.fromData(self._png)
        shown = QPixmap.fromImage(image).scaled(
            max(self.preview.width(), 400),
            max(self.preview.height(), 200),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.preview.setPixmap(shown)
        self.pages.setCurrentWidget(self.check_page)
        self.send_button.setFocus()

    def _again(self) -> None:
        self._signature, self._png = None, b""
        self.preview.clear()
        self.pad.clear()
        self.pages.setCurrentWidget(self.sign_page)

    def _send(self) -> None:
        signature, png = self._signature, self._png
        if signature is None:
            return
        self.answered.emit(
            SignatureAnswer(
                self.request_id,
                svg=signature.svg(),
                png=png,
                strokes=signature.stroke_lists(),
                width_mm=signature.width_mm,
                height_mm=signature.height_mm,
            )
        )

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self.title.setText(say(t, "Please sign in the box"))
        self.hint.setText(say(t, "Sign with your finger."))
        self.pad.setAccessibleName(say(t, "Signature box"))
        self.clear_button.set_label(say(t, "Clear"))
        self.done_button.set_label(say(t, "Done"))
        self.question.setText(say(t, "Is this your signature?"))
        self.again_button.set_label(say(t, "Sign again"))
        self.send_button.set_label(say(t, "Yes, send it"))

    def apply_theme(self, theme: Theme) -> None:
        # Black ink on white paper with a grey frame and line whatever the theme: it is a signature on paper
        # (the picture sent is black on white), and a high-contrast white line would vanish on the white.
        self.pad.set_colours("#000000", "#ffffff", "#6b7280")

    def announcement(self) -> str:
        if self.pages.currentWidget() is self.check_page:
            return self.question.text()
        return " ".join(w.text() for w in (self.title, self.purpose_label, self.hint) if w.text())

    def first_focus(self) -> QWidget | None:
        return self.send_button if self.pages.currentWidget() is self.check_page else self.done_button

    def stop(self) -> None:
        self._signature, self._png = None, b""
        self.preview.clear()
        self.pad.clear()
