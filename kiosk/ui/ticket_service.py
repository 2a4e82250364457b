"""Queue numbers off the UI thread: the backoffice may take a moment, or not answer at all."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from kiosk.ticket_queue import QueueTicket
from kiosk.ticket_source import TicketSource

log = logging.getLogger(__name__)


class TicketJob(QObject):
    """One number on its way; `finished` carries the QueueTicket, on the UI thread."""

    finished = Signal(object)


class TicketService:
    def __init__(self, source: TicketSource) -> None:
        self._source = source
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tickets")

    def take(self, letter: str, language: str, on_finished: Callable[[QueueTicket], None]) -> TicketJob:
        """`on_finished` is connected before the work starts, so a fast answer is never lost."""
        job = TicketJob()
        job.finished.connect(on_finished)
        self._executor.submit(self._run, job, letter, language)
        return job

    def _run(self, job: TicketJob, letter: str, language: str) -> None:
        try:
            ticket = self._source.take(letter, language)
        except Exception as error:  # never leave a citizen without a number
            log.error("ticket source failed: %s", type(error).__name__)
            ticket = self._source.local.take(letter)
        job.finished.emit(ticket)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
