"""A PDF from the desk made into a printer document on a worker thread: PDFium takes a while per page,
and the citizen's screen must keep moving meanwhile. The result comes back as a Qt signal."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from drivers.printer.document import Document, DocumentError
from drivers.printer.pdf_document import pdf_document
from drivers.printer.profile import PrinterProfile

log = logging.getLogger(__name__)


class PdfJob(QObject):
    rendered = Signal(object)  # Document
    failed = Signal(str)  # one sentence, for the caseworker


class PdfRenderer:
    def __init__(self, profile: PrinterProfile) -> None:
        self._profile = profile
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="counter-pdf")

    def render(self, job: PdfJob, pdf: bytes) -> None:
        """Connect the job's signals first, then call this (a fast render must not be missed)."""
        self._executor.submit(self._run, job, pdf)

    def _run(self, job: PdfJob, pdf: bytes) -> None:
        try:
            document: Document = pdf_document(pdf, self._profile)
        except DocumentError as error:
            job.failed.emit(f"the PDF cannot be printed: {error}")
            return
        except Exception as error:  # a PDFium surprise must not leave the desk waiting
            log.error("PDF not rendered: %s", type(error).__name__)
            job.failed.emit("the PDF cannot be printed")
            return
        job.rendered.emit(document)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
