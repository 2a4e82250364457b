"""Scanned documents to the backoffice, with each one's progress and outcome back on the UI thread.

The uploader (kiosk/document_upload.py) keeps trying after the citizen has gone; a job's signals
then reach nobody, which is fine: the screen that asked was wiped with the session.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.document_upload import Delivery, DeliveryReport, DocumentQueueFull, DocumentUploader


class DocumentJob(QObject):
    """One document on its way; `progress` (chunks stored, chunk count) and `finished` (a Delivery)
    arrive on the UI thread."""

    progress = Signal(int, int)
    finished = Signal(object)

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference


class DocumentService:
    def __init__(self, uploader: DocumentUploader) -> None:
        self._uploader = uploader
        self._lock = threading.Lock()
        self._jobs: dict[str, DocumentJob] = {}
        uploader.on_report = self._report
        uploader.start()

    def send(
        self,
        pdf: bytes,
        pages: int,
        session_id: str | None,
        on_progress: Callable[[int, int], None],
        on_finished: Callable[[Delivery], None],
    ) -> DocumentJob:
        """The callbacks are connected before the upload starts, so a fast answer is never lost."""
        job = DocumentJob("")
        job.progress.connect(on_progress)
        job.finished.connect(on_finished)
        # Held while submitting, so the upload thread cannot report before the job is known.
        with self._lock:
            try:
                document = self._uploader.submit(pdf, pages, session_id)
            except DocumentQueueFull:
                QTimer.singleShot(0, job, lambda: job.finished.emit(Delivery.REFUSED))
                return job
            job.reference = document.reference
            self._jobs[document.id] = job
        return job

    def _report(self, report: DeliveryReport) -> None:
        with self._lock:
            job = self._jobs.get(report.document_id)
            if report.state is not Delivery.SENDING:
                self._jobs.pop(report.document_id, None)
        if job is None:
            return
        if report.state is Delivery.SENDING:
            job.progress.emit(report.stored_chunks, report.chunk_count)
        else:
            job.finished.emit(report.state)

    def waiting(self) -> int:
        return self._uploader.waiting()

    def close(self) -> None:
        self._uploader.stop()
