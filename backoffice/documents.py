"""Scanned documents from the kiosk: announced, uploaded in checksummed chunks, resumable, then completed.

A kiosk on a flaky network must be able to stop anywhere and go on later, on whichever instance the load
balancer picks: the chunks live in the database, announcing the same document again lists the chunks
already stored, and every step is idempotent. On completion the chunks are assembled, the whole file's
SHA-256 is checked, and a `document_submitted` event is stored with the document's id as its event id
(so the kiosk's own outbox event with that id is a duplicate, not a second event). No content is logged.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backoffice.app_state import DbDep, SettingsDep
from backoffice.device_auth import DeviceDep
from backoffice.models import Device, Event
from backoffice.models_counter import Document, DocumentChunk
from backoffice.schemas import Strict

CHUNK_SIZE = 256 * 1024
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
UPLOADING, RECEIVED = "uploading", "received"
SHA256_HEX = r"^[0-9a-fA-F]{64}$"

router = APIRouter(prefix="/api/v1/documents", tags=["devices"])
UNAUTHORISED: dict[int | str, dict[str, Any]] = {401: {"description": "missing, unknown or revoked device token"}}
UNKNOWN: dict[int | str, dict[str, Any]] = {404: {"description": "no such document from this device"}}


class DocumentAnnouncement(Strict):
    id: uuid.UUID = Field(description="chosen by the kiosk; announcing it again resumes the upload")
    size: int = Field(ge=1, description=f"bytes; more than {MAX_DOCUMENT_BYTES} is refused with 413")
    sha256: str = Field(pattern=SHA256_HEX, description="of the whole file, hex")
    content_type: Literal["application/pdf"]
    session_id: str | None = Field(default=None, max_length=64)
    kind: str | None = Field(default=None, pattern=r"^[a-z0-9_]{1,32}$", description="e.g. proof_of_address")


class DocumentState(BaseModel):
    id: uuid.UUID
    status: Literal["uploading", "received"]
    chunk_size: int
    chunk_count: int
    received: list[int]


class DocumentReceived(BaseModel):
    id: uuid.UUID
    status: Literal["received"]


def chunk_count(size: int, chunk_size: int) -> int:
    return -(-size // chunk_size)


def _chunk_length(document: Document, index: int) -> int:
    return min(document.chunk_size, document.size - index * document.chunk_size)


def _received(db: Session, document: Document) -> list[int]:
    if document.status == RECEIVED:
        return list(range(chunk_count(document.size, document.chunk_size)))
    indices = db.scalars(
        select(DocumentChunk.chunk_index)
        .where(DocumentChunk.document_id == document.id)
        .order_by(DocumentChunk.chunk_index)
    )
    return list(indices)


def _state(db: Session, document: Document) -> DocumentState:
    return DocumentState(
        id=document.id,
        status="received" if document.status == RECEIVED else "uploading",
        chunk_size=document.chunk_size,
        chunk_count=chunk_count(document.size, document.chunk_size),
        received=_received(db, document),
    )


def _own_document(db: Session, device: Device, document_id: uuid.UUID) -> Document:
    """The document if this device announced it; another device's document is as unknown as a missing one."""
    document = db.get(Document, document_id)
    if document is None or document.device_id != device.id:
        raise HTTPException(status_code=404, detail="unknown document; announce it with POST /api/v1/documents")
    return document


def _same_announcement(document: Document, device: Device, body: DocumentAnnouncement) -> bool:
    return (document.device_id, document.size, document.sha256, document.content_type) == (
        device.id,
        body.size,
        body.sha256.lower(),
        body.content_type,
    )


@router.post(
    "",
    responses={
        **UNAUTHORISED,
        409: {"description": "this id was announced before with another size or checksum"},
        413: {"description": "larger than the limit"},
    },
)
def announce(body: DocumentAnnouncement, device: DeviceDep, db: DbDep, settings: SettingsDep) -> DocumentState:
    if body.size > MAX_DOCUMENT_BYTES:
        raise HTTPException(status_code=413, detail=f"a document may be at most {MAX_DOCUMENT_BYTES} bytes")
    document = db.get(Document, body.id)
    if document is None:
        document = Document(
            id=body.id,
            device_id=device.id,
            location_id=device.location_id,
            size=body.size,
            sha256=body.sha256.lower(),
            content_type=body.content_type,
            session_id=body.session_id,
            kind=body.kind,
            chunk_size=CHUNK_SIZE,
            status=UPLOADING,
            created_at=settings.clock(),
        )
        db.add(document)
        try:
            db.commit()
        except IntegrityError:  # the same announcement through another instance, a moment earlier
            db.rollback()
            document = db.get(Document, body.id)
            assert document is not None
    if not _same_announcement(document, device, body):
        raise HTTPException(status_code=409, detail="this document id was announced before with another file")
    return _state(db, document)


async def chunk_body(request: Request) -> bytes:
    """The raw body, read with a limit: a body larger than any chunk is refused before it fills memory."""
    received = bytearray()
    async for piece in request.stream():
        received += piece
        if len(received) > CHUNK_SIZE:
            raise HTTPException(status_code=413, detail=f"a chunk may be at most {CHUNK_SIZE} bytes")
    return bytes(received)


ChunkBody = Annotated[bytes, Depends(chunk_body)]
ChunkChecksum = Annotated[str, Header(alias="X-Chunk-SHA256", pattern=SHA256_HEX, description="hex of the chunk")]


@router.put(
    "/{document_id}/chunks/{index}",
    status_code=204,
    responses={
        **UNAUTHORISED,
        **UNKNOWN,
        409: {"description": "this chunk was received before with other bytes"},
        413: {"description": "the body is larger than a chunk"},
        422: {"description": "checksum mismatch, wrong length or index out of range"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def put_chunk(
    document_id: uuid.UUID,
    index: int,
    device: DeviceDep,
    db: DbDep,
    settings: SettingsDep,
    data: ChunkBody,
    checksum: ChunkChecksum,
) -> Response:
    document = _own_document(db, device, document_id)
    count = chunk_count(document.size, document.chunk_size)
    if not 0 <= index < count:
        raise HTTPException(status_code=422, detail=f"chunk index out of range: this document has chunks 0–{count - 1}")
    expected = _chunk_length(document, index)
    if len(data) != expected:
        raise HTTPException(status_code=422, detail=f"chunk {index} must be {expected} bytes, got {len(data)}")
    digest = hashlib.sha256(data).hexdigest()
    if digest != checksum.lower():
        raise HTTPException(status_code=422, detail=f"chunk {index} does not match X-Chunk-SHA256; send it again")
    if document.status == RECEIVED:
        start = index * document.chunk_size
        if document.content is not None and document.content[start : start + expected] == data:
            return Response(status_code=204)
        raise HTTPException(status_code=409, detail="this document is complete, with other bytes in this chunk")
    stored = db.get(DocumentChunk, (document.id, index))
    if stored is None:
        db.add(
            DocumentChunk(
                document_id=document.id, chunk_index=index, sha256=digest, data=data, received_at=settings.clock()
            )
        )
        try:
            db.commit()
            return Response(status_code=204)
        except IntegrityError:  # the same chunk through another instance at the same time
            db.rollback()
            stored = db.get(DocumentChunk, (document.id, index))
            assert stored is not None
    if stored.sha256 != digest:
        raise HTTPException(status_code=409, detail=f"chunk {index} was received before with other bytes")
    return Response(status_code=204)


def _record_submitted(db: Session, document: Document) -> None:
    """The `document_submitted` event, keyed by the document's id so a resend or the kiosk's own is one event."""
    exists = db.scalar(select(Event.id).where(Event.device_id == document.device_id, Event.event_id == document.id))
    if exists is not None:
        return
    assert document.completed_at is not None
    db.add(
        Event(
            device_id=document.device_id,
            event_id=document.id,
            location_id=document.location_id,
            type="document_submitted",
            occurred_at=document.completed_at,
            received_at=document.completed_at,
            session_id=document.session_id,
            data={
                "document_id": str(document.id),
                "size": document.size,
                "kind": document.kind,
                "content_type": document.content_type,
            },
        )
    )


@router.post(
    "/{document_id}/complete",
    response_model=DocumentReceived,
    responses={
        **UNAUTHORISED,
        **UNKNOWN,
        409: {"description": "chunks are missing; `missing` lists them"},
        422: {"description": "the assembled file does not match the announced SHA-256; its chunks were dropped"},
    },
)
def complete(
    document_id: uuid.UUID, device: DeviceDep, db: DbDep, settings: SettingsDep
) -> DocumentReceived | JSONResponse:
    document = _own_document(db, device, document_id)
    if document.status == RECEIVED:
        return DocumentReceived(id=document.id, status="received")
    chunks = list(
        db.scalars(
            select(DocumentChunk).where(DocumentChunk.document_id == document.id).order_by(DocumentChunk.chunk_index)
        )
    )
    have = {chunk.chunk_index for chunk in chunks}
    missing = [i for i in range(chunk_count(document.size, document.chunk_size)) if i not in have]
    if missing:
        shown = ", ".join(str(i) for i in missing[:20]) + (", …" if len(missing) > 20 else "")
        return JSONResponse(status_code=409, content={"detail": f"chunks missing: {shown}", "missing": missing})
    content = b"".join(chunk.data for chunk in chunks)
    if hashlib.sha256(content).hexdigest() != document.sha256:
        # Every chunk matched its own checksum, so the announcement or the kiosk's file is at fault; keeping
        # the chunks would make every retry fail the same way. Upload again, under a new id if the file changed.
        db.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document.id))
        db.commit()
        raise HTTPException(
            status_code=422,
            detail="the assembled document does not match its sha256; its chunks were dropped, upload it again",
        )
    now = settings.clock()
    # Conditional, so two instances completing at once store the content and the event once.
    won = db.execute(
        update(Document)
        .where(Document.id == document.id, Document.status == UPLOADING)
        .values(status=RECEIVED, content=content, completed_at=now)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount == 1:  # type: ignore[attr-defined]
        db.execute(delete(DocumentChunk).where(DocumentChunk.document_id == document.id))
        db.refresh(document)
        _record_submitted(db, document)
    db.commit()
    return DocumentReceived(id=document.id, status="received")
