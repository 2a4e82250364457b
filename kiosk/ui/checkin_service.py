"""Check-ins off the UI thread: the backoffice may take a moment, or not answer at all."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from kiosk.appointment_source import AppointmentSource
from kiosk.appointments import LookUpResult


class CheckinJob(QObject):
    """One check-in on its way; the outcome arrives on the UI thread.

    `failed` carries an unexpected exception (a bug, not a network problem: the source falls back
    for those), for the screen to raise on the UI thread, where the kiosk's recovery resets the
    session as it does for any error in a screen.
    """

    finished = Signal(object)
    failed = Signal(object)


class CheckinService:
    def __init__(self, source: AppointmentSource) -> None:
        self._source = source
        # One thread: check-ins are decided one after another, as the local list expects.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="checkin")

    def check_in(
        self,
        typed_code: str,
        on_finished: Callable[[LookUpResult], None],
        on_failed: Callable[[BaseException], None],
        language: str = "",
    ) -> CheckinJob:
        """Both callbacks are connected before the work starts, so a fast answer is never lost."""
        job = CheckinJob()
        job.finished.connect(on_finished)
        job.failed.connect(on_failed)
        self._executor.submit(self._run, job, typed_code, language)
        return job

    def _run(self, job: CheckinJob, typed_code: str, language: str) -> None:
        try:
            result = self._source.check_in(typed_code, language)
        except Exception as error:
            job.failed.emit(error)
            return
        job.finished.emit(result)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
