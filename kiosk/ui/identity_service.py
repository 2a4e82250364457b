"""Reading a passport or ID card chip off the UI thread: one worker thread owns the card reader.

A read takes seconds (access control, some 20 kB of photo under secure messaging, the
signature check); the screen keeps moving meanwhile and hears about progress and the end
only through signals, which Qt delivers on the UI thread. A read can be stopped between
two APDUs, so the kiosk never waits on a citizen who walked away.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from drivers.cardreader.icao.document import CanKey, MrzKey
from drivers.cardreader.icao.reader import ReadStep, read_document
from drivers.cardreader.icao.trust_store import TrustStore
from drivers.cardreader.protocol import CardReader
from drivers.cardreader.transport import ApduTransport
from kiosk.identity import IdentityOutcome, ReadResult, ended, outcome_of_error, outcome_of_read

log = logging.getLogger(__name__)

CARD_POLL_SECONDS = 0.2


class _Stopped(Exception):
    """Raised inside the read, between two APDUs, when the read was cancelled (not an IcaoError)."""


class IdentityRead(QObject):
    """One read on its way; the signals arrive on the UI thread."""

    waiting = Signal()  # no document on the reader yet
    progress = Signal(object, float)  # ReadStep, fraction 0..1
    finished = Signal(object)  # IdentityOutcome

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()

    def cancel(self) -> None:
        """Stop at the next APDU; `finished` then reports CANCELLED."""
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def pause(self, seconds: float) -> None:
        """Wait on the worker thread, waking at once when cancelled."""
        self._stop.wait(seconds)


class IdentityService:
    def __init__(self, reader: CardReader, trust_store: TrustStore, *, card_wait_seconds: float = 30.0) -> None:
        self._reader = reader
        self._trust_store = trust_store
        self._card_wait = card_wait_seconds
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cardreader")
        self._lock = threading.Lock()
        self._active: set[IdentityRead] = set()
        self._closed = False

    def prepare(self) -> IdentityRead:
        """A read not yet started: connect its signals, then `start()` it.

        Two steps because a read can finish within milliseconds: a signal emitted before the
        screen connected to it would be lost, and the citizen left looking at "reading…".
        """
        return IdentityRead()

    def start(self, job: IdentityRead, key: MrzKey | CanKey) -> None:
        """Wait for a document on the reader (a while), then read and verify it, on the reader's thread."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the identity service is closed")
            self._active.add(job)
        self._executor.submit(self._run, job, key)

    def _run(self, job: IdentityRead, key: MrzKey | CanKey) -> None:
        try:
            outcome = self._read(job, key)
        finally:
            with self._lock:
                self._active.discard(job)
        job.finished.emit(outcome)

    def _read(self, job: IdentityRead, key: MrzKey | CanKey) -> IdentityOutcome:
        if not self._wait_for_card(job):
            return ended(ReadResult.CANCELLED if job.cancelled else ReadResult.NO_DOCUMENT)

        # The transport answers 61xx/6Cxx (ISO 7816-4) and learns from the ATR whether the chip
        # takes extended-length reads: a 20 kB photo in a handful of APDUs instead of a hundred.
        transport = ApduTransport(self._reader)

        def transmit(apdu: bytes) -> bytes:
            if job.cancelled:
                raise _Stopped
            response = transport.transmit(apdu)
            return response.data + bytes([response.sw1, response.sw2])

        def progress(step: ReadStep, fraction: float) -> None:
            job.progress.emit(step, fraction)

        try:
            chip = read_document(
                transmit, key, self._trust_store, extended_length=transport.extended_length, progress=progress
            )
            return outcome_of_read(chip)
        except _Stopped:
            return ended(ReadResult.CANCELLED)
        except Exception as error:  # typed ICAO errors and driver bugs alike end in a citizen's message
            if job.cancelled:
                return ended(ReadResult.CANCELLED)
            return outcome_of_error(error, key)

    def _wait_for_card(self, job: IdentityRead) -> bool:
        waited = 0.0
        told = False
        while not job.cancelled:
            try:
                if self._reader.card_present():
                    return True
            except Exception as error:  # a reader that fails to answer is like no document at all
                log.warning("card reader did not say whether a card is present: %s", type(error).__name__)
                return False
            if not told:
                job.waiting.emit()
                told = True
            if waited >= self._card_wait:
                return False
            job.pause(CARD_POLL_SECONDS)
            waited += CARD_POLL_SECONDS
        return False

    def close(self) -> None:
        """Stop reads in progress and wait for the worker, at kiosk shutdown."""
        with self._lock:
            self._closed = True
            active = list(self._active)
        for job in active:
            job.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)
