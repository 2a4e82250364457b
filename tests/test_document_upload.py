"""A scanned document reaches a real `balie backoffice serve` whole and once: checksummed chunks, an
interrupted upload resumed without resending what arrived, a cut network waited out."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from kiosk.backoffice_client import BackofficeClient, BackofficeUnavailable
from kiosk.document_upload import Delivery, DeliveryReport, DocumentQueueFull, DocumentUploader
from tests.live_backoffice import CuttableProxy, LiveBackoffice
from tests.live_counter import documents, enroll, submitted_events

CHUNK = 256 * 1024


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path_factory.mktemp("backoffice"))
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="module")
def token(backoffice: LiveBackoffice) -> str:
    return enroll(backoffice, "kiosk-scan")


@pytest.fixture
def proxy(backoffice: LiveBackoffice) -> Iterator[CuttableProxy]:
    network = CuttableProxy(backoffice.port)
    yield network
    network.close()


class CountingClient(BackofficeClient):
    """Tallies the chunks that arrived, per index, and the failures, to prove which path a test took."""

    def __init__(self, url: str, token: str) -> None:
        super().__init__(url, token, timeout=2)
        self.stored: Counter[int] = Counter()
        self.failures = 0
        self.completions = 0
        self.cut_after: tuple[int, CuttableProxy] | None = None
        self.lose_completion: CuttableProxy | None = None

    def put_document_chunk(self, document_id: str, index: int, data: bytes) -> None:
        try:
            super().put_document_chunk(document_id, index, data)
        except BackofficeUnavailable:
            self.failures += 1
            raise
        self.stored[index] += 1
        if self.cut_after is not None and sum(self.stored.values()) == self.cut_after[0]:
            self.cut_after[1].cut()  # the network goes down in the middle of the upload

    def complete_document(self, document_id: str) -> None:
        self.completions += 1
        proxy, self.lose_completion = self.lose_completion, None
        if proxy is not None:
            proxy.lose_answers = True  # the backoffice completes it; the kiosk never hears so
        try:
            super().complete_document(document_id)
        finally:
            if proxy is not None:
                proxy.lose_answers = False


class Reports:
    def __init__(self) -> None:
        self.seen: list[DeliveryReport] = []
        self.finished = threading.Event()

    def __call__(self, report: DeliveryReport) -> None:
        self.seen.append(report)
        if report.state is not Delivery.SENDING:
            self.finished.set()


def scanned_pdf(chunks: float) -> bytes:
    """A PDF-sized blob of random bytes: every chunk differs, so a misplaced one fails the checksum."""
    return b"%PDF-1.4\n" + secrets.token_bytes(int(CHUNK * chunks))


def uploader_for(client: BackofficeClient) -> tuple[DocumentUploader, Reports]:
    uploader = DocumentUploader(lambda: client, first_pause=0.05, longest_pause=0.3)
    reports = Reports()
    uploader.on_report = reports
    uploader.start()
    return uploader, reports


def test_a_document_arrives_whole_with_its_checksum(
    backoffice: LiveBackoffice, token: str, proxy: CuttableProxy
) -> None:
    client = CountingClient(proxy.url, token)
    uploader, reports = uploader_for(client)
    pdf = scanned_pdf(2.5)
    try:
        document = uploader.submit(pdf, pages=3, session_id="a1b2c3")
        assert reports.finished.wait(30)
    finally:
        uploader.stop()
        client.close()
    assert reports.seen[-1].state is Delivery.DELIVERED
    assert [(r.stored_chunks, r.chunk_count) for r in reports.seen[:-1]] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    stored = next(d for d in documents(backoffice.database) if d.id == document.id.replace("-", ""))
    assert (stored.status, stored.size, stored.session_id) == ("received", len(pdf), "a1b2c3")
    assert stored.sha256 == hashlib.sha256(pdf).hexdigest() and stored.content == pdf
    assert (document.id.replace("-", ""), "a1b2c3") in submitted_events(backoffice.database)
    assert document.reference == "SCAN-" + document.id.replace("-", "")[:6].upper()
    assert uploader.waiting() == 0 and repr(document) == f"OutgoingDocument({len(pdf)} bytes, 3 pages)"


def test_an_interrupted_upload_resumes_without_resending_stored_chunks(
    backoffice: LiveBackoffice, token: str, proxy: CuttableProxy
) -> None:
    client = CountingClient(proxy.url, token)
    client.cut_after = (2, proxy)  # two of five chunks arrive, then the network goes
    uploader, reports = uploader_for(client)
    pdf = scanned_pdf(4.2)
    try:
        document = uploader.submit(pdf, pages=5)
        deadline = time.monotonic() + 10
        while client.failures == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client.failures > 0, "the upload was interrupted"
        time.sleep(0.3)  # a few retries against the cut network
        proxy.mend()
        assert reports.finished.wait(30)
    finally:
        uploader.stop()
        client.close()
    assert reports.seen[-1].state is Delivery.DELIVERED
    assert client.stored == Counter({0: 1, 1: 1, 2: 1, 3: 1, 4: 1}), "each chunk arrived once"
    resumed = [r for r in reports.seen if r.state is Delivery.SENDING and r.stored_chunks == 2]
    assert len(resumed) >= 2, "the second announce answered that chunks 0 and 1 were there"
    stored = next(d for d in documents(backoffice.database) if d.id == document.id.replace("-", ""))
    assert stored.content == pdf and stored.sha256 == hashlib.sha256(pdf).hexdigest()


def test_a_cut_network_is_waited_out_and_the_document_stored_once(
    backoffice: LiveBackoffice, token: str, proxy: CuttableProxy
) -> None:
    client = CountingClient(proxy.url, token)
    proxy.cut()
    uploader, reports = uploader_for(client)
    pdf = scanned_pdf(0.4)
    try:
        document = uploader.submit(pdf, pages=1)
        time.sleep(1.0)  # tried, failed, paused, tried again
        assert not reports.finished.is_set() and uploader.waiting() == 1
        client.lose_completion = proxy  # and then the answer to "complete" is lost: still one document
        proxy.mend()
        assert reports.finished.wait(30)
    finally:
        uploader.stop()
        client.close()
    assert reports.seen[-1].state is Delivery.DELIVERED
    assert client.completions == 1, "the second announce said 'received': nothing to complete again"
    ours = document.id.replace("-", "")
    assert [d.id for d in documents(backoffice.database)].count(ours) == 1
    assert [event for event, _ in submitted_events(backoffice.database)].count(ours) == 1


def test_no_room_for_more_documents_is_said_at_once() -> None:
    uploader = DocumentUploader(lambda: None, max_waiting_bytes=1000)
    uploader.submit(b"%PDF" + bytes(600), pages=1)
    with pytest.raises(DocumentQueueFull):
        uploader.submit(b"%PDF" + bytes(600), pages=1)
    uploader.stop()  # never started: stopping drops (and overwrites) what waits
    assert uploader.waiting() == 0


def test_stopping_overwrites_what_was_not_delivered(caplog: pytest.LogCaptureFixture) -> None:
    uploader = DocumentUploader(lambda: None, first_pause=0.05)
    uploader.start()
    document = uploader.submit(b"%PDF-secret-letter", pages=1)
    uploader.stop()
    assert document.chunk(0, CHUNK) == b"", "the bytes are gone"
    assert "scanned documents not delivered before the kiosk stopped: 1" in caplog.text
    assert "secret" not in caplog.text
