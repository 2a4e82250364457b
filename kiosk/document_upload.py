"""Scanned documents on their way to the backoffice: chunked, checksummed, resumed, held in memory only.

The trade-off. A scanned letter is among the most personal things a kiosk handles (tax, rent,
health), so it never touches the kiosk's disk: not as a file, not in the event outbox's SQLite,
not encrypted either — a key that must survive a crash would have to be on the same disk, and one
held in memory dies with the process as the document would. So a document waits in memory and is
retried (growing pauses, capped) until the backoffice confirms it, whatever happens to the
citizen's session; it is lost only if the kiosk stops or crashes first, or after the backoffice
refused it. The citizen is therefore told "received" only when the backoffice has confirmed the
whole file's SHA-256, and otherwise, honestly, that it has not been sent yet (kiosk/ui/screens/scan.py).
Once delivered or given up, its bytes are overwritten (as far as Python lets us) and dropped.

Sending follows backoffice/API.md: announce (id, size, SHA-256), put each chunk the answer does not
list as received, complete. Announcing again is how an interrupted upload resumes, so chunks the
backoffice already holds are never sent twice, and completing twice is harmless, so a lost answer
costs a resend, never a second document. The backoffice records the `document_submitted` event
itself (with the document's id as event id and the session id from the announcement), so the kiosk
sends no event of its own for it. No content, name or reference is logged.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from kiosk.backoffice_client import CHUNK_TIMEOUT, BackofficeClient, BackofficeRejected, BackofficeUnavailable

log = logging.getLogger(__name__)

FIRST_PAUSE = 1.0
LONGEST_PAUSE = 60.0
# Memory is the only store: past this, a new document is refused at once rather than the kiosk
# running out of memory (a busy day offline; the backoffice takes at most 25 MiB per document).
MAX_WAITING_BYTES = 256 * 1024 * 1024
# A refused step is tried again a few times (a chunk may have been damaged on the way), then the
# document is given up; a size the backoffice will never take is given up at once.
REFUSALS_BEFORE_GIVING_UP = 3
FINAL_REFUSALS = frozenset({413})
ROUNDS = 3  # announce → chunks → complete, again if the backoffice still misses chunks
REFERENCE_PREFIX = "SCAN-"
STOP_TIMEOUT = CHUNK_TIMEOUT + 5  # a chunk in flight may finish before the thread is given up


class Delivery(StrEnum):
    SENDING = "sending"  # on its way, or waiting for the network
    DELIVERED = "delivered"  # the backoffice holds the whole file and confirmed its checksum
    REFUSED = "refused"  # the backoffice will not take it, or the kiosk has no room: dropped


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    document_id: str
    state: Delivery
    stored_chunks: int = 0
    chunk_count: int = 0


class OutgoingDocument:
    """One PDF waiting for the backoffice; its bytes are overwritten when it leaves the kiosk."""

    def __init__(self, pdf: bytes, pages: int, session_id: str | None) -> None:
        self.id = str(uuid.uuid4())
        # Derived from the id, so a caseworker finds the document by what the citizen was shown.
        self.reference = REFERENCE_PREFIX + self.id.replace("-", "")[:6].upper()
        self.pages = pages
        self.session_id = session_id
        self.size = len(pdf)
        self.sha256 = hashlib.sha256(pdf).hexdigest()
        self.refusals = 0
        self._data = bytearray(pdf)

    def chunk(self, index: int, chunk_size: int) -> bytes:
        return bytes(self._data[index * chunk_size : (index + 1) * chunk_size])

    def wipe(self) -> None:
        self._data[:] = bytes(len(self._data))
        self._data.clear()

    def __repr__(self) -> str:  # keeps the bytes out of logs and tracebacks
        return f"OutgoingDocument({self.size} bytes, {self.pages} pages)"


class DocumentQueueFull(Exception):
    """No room in memory for another document until the waiting ones are delivered."""


class DocumentUploader:
    """Delivers documents oldest first on its own thread; `on_report` is called from that thread."""

    def __init__(
        self,
        client: Callable[[], BackofficeClient | None],
        *,
        first_pause: float = FIRST_PAUSE,
        longest_pause: float = LONGEST_PAUSE,
        max_waiting_bytes: int = MAX_WAITING_BYTES,
    ) -> None:
        self._client = client
        self._first_pause = first_pause
        self._longest_pause = longest_pause
        self._max_waiting_bytes = max_waiting_bytes
        self.on_report: Callable[[DeliveryReport], None] | None = None
        self._lock = threading.Lock()
        self._waiting: list[OutgoingDocument] = []
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.delivered = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="document-upload", daemon=True)
            self._thread.start()

    def submit(self, pdf: bytes, pages: int, session_id: str | None = None) -> OutgoingDocument:
        """Queue a PDF for delivery (starting now); raises DocumentQueueFull when memory is spoken for."""
        with self._lock:
            if sum(document.size for document in self._waiting) + len(pdf) > self._max_waiting_bytes:
                raise DocumentQueueFull(f"{len(self._waiting)} documents are waiting")
            document = OutgoingDocument(pdf, pages, session_id)
            self._waiting.append(document)
        self._wake.set()
        return document

    def waiting(self) -> int:
        with self._lock:
            return len(self._waiting)

    def stop(self) -> None:
        """Stop sending; what has not been delivered is dropped (it was never on disk)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=STOP_TIMEOUT)
            self._thread = None
        with self._lock:
            left, self._waiting = self._waiting, []
        for document in left:
            document.wipe()
        if left:
            log.warning("scanned documents not delivered before the kiosk stopped: %d", len(left))

    # -- delivery --------------------------------------------------------------------
    def deliver(self, document: OutgoingDocument) -> None:
        """One attempt at the whole document; raises BackofficeUnavailable or BackofficeRejected."""
        client = self._client()
        if client is None:
            raise BackofficeUnavailable("no backoffice connection yet")
        for _ in range(ROUNDS):
            state = client.announce_document(
                document.id, document.size, document.sha256, session_id=document.session_id
            )
            if state.complete:
                return  # completed before; its answer was lost
            stored = len(state.received)
            self._report(document, Delivery.SENDING, stored, state.chunk_count)
            for index in state.missing:
                if self._stop.is_set():
                    raise BackofficeUnavailable("the kiosk is stopping")
                client.put_document_chunk(document.id, index, document.chunk(index, state.chunk_size))
                stored += 1
                self._report(document, Delivery.SENDING, stored, state.chunk_count)
            try:
                client.complete_document(document.id)
            except BackofficeRejected as refused:
                if refused.status == 409:
                    continue  # chunks missing after all (another instance lost them): announce again
                raise
            return
        raise BackofficeUnavailable("the backoffice keeps missing chunks")

    def _run(self) -> None:
        pause = self._first_pause
        while not self._stop.is_set():
            document = self._oldest()
            if document is None:
                self._wake.wait()
                self._wake.clear()
                continue
            try:
                self.deliver(document)
            except BackofficeUnavailable as error:
                log.info("a scanned document waits for the backoffice: %s", error)
            except BackofficeRejected as refused:
                self._refused(document, refused)
            except Exception as error:  # a bug must not end delivery for the day
                log.error("document upload failed: %s", type(error).__name__)
            else:
                self.delivered += 1
                self._leave(document, Delivery.DELIVERED)
                pause = self._first_pause
                continue
            self._wake.wait(pause)
            self._wake.clear()
            pause = min(pause * 2, self._longest_pause)

    def _refused(self, document: OutgoingDocument, refused: BackofficeRejected) -> None:
        if refused.status == 401:
            log.warning("documents wait: this device is not (or no longer) enrolled")
            return  # kept: the technician may enroll the kiosk again while it runs
        document.refusals += 1
        if refused.status in FINAL_REFUSALS or document.refusals >= REFUSALS_BEFORE_GIVING_UP:
            log.error("the backoffice refused a scanned document (%d); it is dropped", refused.status)
            self._leave(document, Delivery.REFUSED)
        else:
            log.warning("the backoffice refused a step of a document upload (%d); trying again", refused.status)

    def _oldest(self) -> OutgoingDocument | None:
        with self._lock:
            return self._waiting[0] if self._waiting else None

    def _leave(self, document: OutgoingDocument, state: Delivery) -> None:
        with self._lock:
            if document in self._waiting:
                self._waiting.remove(document)
        document.wipe()
        self._report(document, state)

    def _report(self, document: OutgoingDocument, state: Delivery, stored: int = 0, count: int = 0) -> None:
        if self.on_report is not None:
            self.on_report(DeliveryReport(document.id, state, stored, count))
