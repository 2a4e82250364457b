"""Printing off the UI thread: one worker thread owns the printer, results come back as signals.

A ticket takes a moment on a serial line and the printer may not answer at all; the
citizen's screen must keep moving and show progress meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from drivers.printer.document import Document, DocumentError, TextRasterizer
from drivers.printer.protocol import Printer, PrinterError, PrinterStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PrintOutcome:
    printed: bool
    reason: str = ""  # for the technician's log and the screen, when not printed
    status: PrinterStatus | None = None


class PrintJob(QObject):
    """One document on its way; `finished` arrives on the UI thread."""

    finished = Signal(object)  # PrintOutcome


class PrintService:
    def __init__(self, printer: Printer, rasterizer: TextRasterizer | None, on_result: Any = None) -> None:
        self._printer = printer
        self._rasterizer = rasterizer
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="printer")
        self._on_result = on_result  # called on the worker thread after every job (health refresh)

    def submit(
        self, document: Document, what: str, on_finished: Callable[[PrintOutcome], None] | None = None
    ) -> PrintJob:
        """Print in the background; `what` names the job in the log (never its content).

        `on_finished` is connected before the job starts: a signal emitted before its slot
        was connected would be lost, however unlikely a print that fast is.
        """
        job = PrintJob()
        if on_finished is not None:
            job.finished.connect(on_finished)
        self._executor.submit(self._run, job, document, what)
        return job

    def _run(self, job: PrintJob, document: Document, what: str) -> None:
        try:
            status = self._printer.print(document, self._rasterizer)
            outcome = PrintOutcome(True, status=status)
        except (PrinterError, DocumentError) as exc:
            log.warning("%s not printed: %s", what, exc)
            outcome = PrintOutcome(False, str(exc))
        except Exception as exc:  # a driver bug must not leave the citizen waiting forever
            log.error("%s not printed: unexpected %s", what, type(exc).__name__)
            outcome = PrintOutcome(False, "Printer error")
        job.finished.emit(outcome)
        if self._on_result is not None:
            self._on_result()

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
