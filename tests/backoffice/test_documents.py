"""Scanned documents: chunked, out of order, resumable, checksummed per chunk and whole, size-limited."""

from __future__ import annotations

import hashlib
import random
import uuid

from backoffice_harness import Backoffice, bearer
from sqlalchemy import func, select

from backoffice.documents import CHUNK_SIZE, MAX_DOCUMENT_BYTES
from backoffice.models import Device, Event
from backoffice.models_counter import Document, DocumentChunk


def invented_pdf(size: int = 2 * CHUNK_SIZE + 1000, seed: int = 7) -> bytes:
    """Not a real scan: a PDF header and deterministic noise, enough to exercise chunking."""
    noise = random.Random(seed).randbytes(size)
    return (b"%PDF-1.7\n" + noise)[:size]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chunk(data: bytes, index: int) -> bytes:
    return data[index * CHUNK_SIZE : (index + 1) * CHUNK_SIZE]


class Kiosk:
    def __init__(self, backoffice: Backoffice, token: str) -> None:
        self.backoffice, self.headers = backoffice, bearer(token)

    def announce(self, document_id: uuid.UUID, data: bytes, **extra: object) -> tuple[int, dict[str, object]]:
        body = {"id": str(document_id), "size": len(data), "sha256": sha(data), "content_type": "application/pdf"}
        answer = self.backoffice.client.post("/api/v1/documents", json={**body, **extra}, headers=self.headers)
        result: dict[str, object] = answer.json()
        return answer.status_code, result

    def put(self, document_id: uuid.UUID, index: int, data: bytes, checksum: str | None = None) -> int:
        headers = {**self.headers, "X-Chunk-SHA256": checksum or sha(data), "Content-Type": "application/octet-stream"}
        answer = self.backoffice.client.put(
            f"/api/v1/documents/{document_id}/chunks/{index}", content=data, headers=headers
        )
        return answer.status_code

    def complete(self, document_id: uuid.UUID) -> tuple[int, dict[str, object]]:
        answer = self.backoffice.client.post(f"/api/v1/documents/{document_id}/complete", headers=self.headers)
        result: dict[str, object] = answer.json()
        return answer.status_code, result


def kiosk(backoffice: Backoffice, name: str = "kiosk-1") -> Kiosk:
    return Kiosk(backoffice, backoffice.enroll(name)["token"])


def test_upload_out_of_order_resume_and_complete(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id, data = uuid.uuid4(), invented_pdf()

    status, state = device.announce(document_id, data, session_id="s-1", kind="proof_of_address")
    assert status == 200
    assert state == {
        "id": str(document_id),
        "status": "uploading",
        "chunk_size": CHUNK_SIZE,
        "chunk_count": 3,
        "received": [],
    }
    assert device.put(document_id, 2, chunk(data, 2)) == 204
    assert device.put(document_id, 0, chunk(data, 0)) == 204
    assert device.put(document_id, 0, chunk(data, 0)) == 204  # a resend of the same bytes is harmless

    # The kiosk restarted: announcing again tells it where it was.
    assert device.announce(document_id, data)[1]["received"] == [0, 2]
    assert device.put(document_id, 1, chunk(data, 1)) == 204
    done = device.complete(document_id)

    assert done == (200, {"id": str(document_id), "status": "received"})
    assert device.complete(document_id) == done  # completing again is idempotent
    assert device.put(document_id, 1, chunk(data, 1)) == 204  # so is a late resend of a chunk
    assert device.announce(document_id, data)[1]["status"] == "received"
    with backoffice.db() as db:
        stored = db.get(Document, document_id)
        assert stored is not None and stored.content == data and stored.status == "received"
        assert db.scalar(select(func.count()).select_from(DocumentChunk)) == 0  # assembled, chunks dropped
        event = db.scalars(select(Event).where(Event.type == "document_submitted")).one()
        assert event.event_id == document_id and event.session_id == "s-1"
        assert event.data["document_id"] == str(document_id) and event.data["kind"] == "proof_of_address"


def test_the_kiosks_own_outbox_event_with_the_document_id_is_a_duplicate(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id, data = uuid.uuid4(), invented_pdf(1000)
    device.announce(document_id, data)
    device.put(document_id, 0, data)
    device.complete(document_id)

    outbox_event = {"id": str(document_id), "type": "document_submitted", "occurred_at": "2026-03-02T10:00:00+01:00"}
    answer = backoffice.client.post("/api/v1/events", json={"events": [outbox_event]}, headers=device.headers)

    assert answer.json() == {"accepted": [], "duplicates": [str(document_id)]}


def test_a_corrupted_or_misplaced_chunk_is_refused_with_422(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id, data = uuid.uuid4(), invented_pdf()
    device.announce(document_id, data)
    damaged = bytes([chunk(data, 0)[0] ^ 0xFF]) + chunk(data, 0)[1:]

    assert device.put(document_id, 0, damaged, checksum=sha(chunk(data, 0))) == 422
    assert device.put(document_id, 3, chunk(data, 2)) == 422  # out of range
    assert device.put(document_id, -1, chunk(data, 0)) == 422
    assert device.put(document_id, 2, chunk(data, 1)) == 422  # the last chunk is shorter
    assert device.put(document_id, 0, chunk(data, 0), checksum="not-hex") == 422
    no_header = backoffice.client.put(
        f"/api/v1/documents/{document_id}/chunks/0", content=chunk(data, 0), headers=device.headers
    )
    assert no_header.status_code == 422
    assert device.announce(document_id, data)[1]["received"] == []


def test_a_chunk_resent_with_other_bytes_is_a_conflict(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id, data = uuid.uuid4(), invented_pdf()
    device.announce(document_id, data)
    device.put(document_id, 0, chunk(data, 0))

    assert device.put(document_id, 0, chunk(invented_pdf(seed=8), 0)) == 409


def test_complete_with_a_missing_chunk_lists_it(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id, data = uuid.uuid4(), invented_pdf()
    device.announce(document_id, data)
    device.put(document_id, 0, chunk(data, 0))
    device.put(document_id, 2, chunk(data, 2))

    status, body = device.complete(document_id)

    assert status == 409
    assert body == {"detail": "chunks missing: 1", "missing": [1]}


def test_a_whole_file_checksum_mismatch_drops_the_chunks(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id, data = uuid.uuid4(), invented_pdf()
    other = invented_pdf(seed=9)
    device.announce(document_id, data)
    for index in range(3):
        assert device.put(document_id, index, chunk(other, index)) == 204  # each chunk matches its own sum

    status, body = device.complete(document_id)

    assert status == 422 and "does not match its sha256" in str(body["detail"])
    assert device.announce(document_id, data)[1]["received"] == []
    with backoffice.db() as db:
        assert db.scalar(select(func.count()).select_from(Event)) == 0


def test_oversize_documents_and_chunks_get_413(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    document_id = uuid.uuid4()
    body = {
        "id": str(document_id),
        "size": MAX_DOCUMENT_BYTES + 1,
        "sha256": "0" * 64,
        "content_type": "application/pdf",
    }

    answer = backoffice.client.post("/api/v1/documents", json=body, headers=device.headers)
    assert answer.status_code == 413
    data = invented_pdf()
    device.announce(document_id, data)
    assert device.put(document_id, 0, data[: CHUNK_SIZE + 1]) == 413


def test_the_same_id_for_another_file_or_from_another_device(backoffice: Backoffice) -> None:
    device, other_device = kiosk(backoffice, "a"), kiosk(backoffice, "b")
    document_id, data = uuid.uuid4(), invented_pdf()
    device.announce(document_id, data)

    assert device.announce(document_id, invented_pdf(seed=3))[0] == 409
    assert other_device.announce(document_id, data)[0] == 409
    assert other_device.put(document_id, 0, chunk(data, 0)) == 404
    assert other_device.complete(document_id)[0] == 404
    assert device.complete(uuid.uuid4())[0] == 404


def test_bad_announcements_get_422(backoffice: Backoffice) -> None:
    device = kiosk(backoffice)
    good = {"id": str(uuid.uuid4()), "size": 10, "sha256": "a" * 64, "content_type": "application/pdf"}
    for bad in (
        {**good, "content_type": "image/png"},
        {**good, "size": 0},
        {**good, "sha256": "xyz"},
        {**good, "id": "doc-1"},
        {**good, "kind": "Proof Of Address"},
        {**good, "pages": 2},
    ):
        answer = backoffice.client.post("/api/v1/documents", json=bad, headers=device.headers)
        assert answer.status_code == 422, bad


def test_a_revoked_device_is_refused_on_every_document_route(backoffice: Backoffice) -> None:
    enrolled = backoffice.enroll()
    device = Kiosk(backoffice, enrolled["token"])
    document_id, data = uuid.uuid4(), invented_pdf(1000)
    device.announce(document_id, data)
    with backoffice.db() as db:
        stored = db.get(Device, uuid.UUID(enrolled["device_id"]))
        assert stored is not None
        stored.revoked_at = backoffice.clock()
        db.commit()

    assert device.announce(uuid.uuid4(), data)[0] == 401
    assert device.put(document_id, 0, data) == 401
    assert device.complete(document_id)[0] == 401
    with backoffice.db() as db:
        assert db.scalar(select(func.count()).select_from(DocumentChunk)) == 0
