"""`print`: a receipt or a PDF from the desk on the desk's printer; the citizen is told to take it, and the
desk hears `printed` with the printer's own words when it failed."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from drivers.printer.document import Document
from kiosk.counter.answers import PrintedAnswer
from kiosk.counter.receipt import desk_receipt
from kiosk.counter.requests import PrintRequest
from kiosk.i18n import Translator
from kiosk.ui.controls import label
from kiosk.ui.counter.pdf_render import PdfJob
from kiosk.ui.counter.step import CounterServices, CounterStep
from kiosk.ui.counter.texts import say
from kiosk.ui.printing import PrintOutcome

NO_PRINTER = "the counter device has no printer"


class PrintStep(CounterStep):
    kind = "print"

    def __init__(self, request: PrintRequest, services: CounterServices) -> None:
        super().__init__(request.id, services)
        self.request = request
        self._state = "printing"  # then "done" or "failed"
        self._job: PdfJob | None = None
        self.title = label("title", object_name="printTitle")
        self.layout_.addWidget(self.title)
        self.layout_.addStretch(1)

    def begin(self) -> None:
        services, request = self.services, self.request
        if services.printing is None:
            self._finished(PrintOutcome(False, NO_PRINTER))
            return
        if request.pdf is not None:
            if services.pdf is None:
                self._finished(PrintOutcome(False, NO_PRINTER))
                return
            job = self._job = PdfJob()
            job.rendered.connect(self._print)
            job.failed.connect(lambda detail: self._finished(PrintOutcome(False, detail)))
            services.pdf.render(job, request.pdf)
            return
        config = services.config.device
        self._print(
            desk_receipt(
                request.title,
                request.lines,
                municipality=config.municipality,
                location=config.location,
                logo=services.logo,
            )
        )

    def _print(self, document: Document) -> None:
        printing = self.services.printing
        assert printing is not None
        printing.submit(document, "desk document", on_finished=self._finished)

    def _finished(self, outcome: PrintOutcome) -> None:
        self._state = "done" if outcome.printed else "failed"
        self._show()
        self.answered.emit(PrintedAnswer(self.request_id, ok=outcome.printed, detail=outcome.reason))

    def _show(self) -> None:
        t = self._t
        texts = {
            "printing": "Printing…",
            "done": "Take your paper from the printer.",
            "failed": "The printer does not work right now. The staff member has been told.",
        }
        self.title.setText(say(t, texts[self._state]))

    def retranslate(self, t: Translator) -> None:
        super().retranslate(t)
        self._show()

    def announcement(self) -> str:
        return self.title.text()

    def first_focus(self) -> QWidget | None:
        return None
