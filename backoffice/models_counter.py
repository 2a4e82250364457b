"""Tables for the counter side of a visit: queue tickets, imported appointments and scanned documents.

Kept apart from `backoffice.models` (which imports this module at its end so Alembic and `Base.metadata`
see these tables) and written for SQLite and PostgreSQL alike, like the first tables: strings instead of
native enums, `Uuid`, UTC timestamps. Revision `0002_counter_data` creates exactly these.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.models import Base, BigId, UtcDateTime


class TicketCounter(Base):
    """The last number handed out per location, topic and local day.

    One row that every instance increments with `UPDATE … SET last = last + 1 … RETURNING`: the database
    serialises the increments, so two instances behind the load balancer never hand out the same number.
    A new day is a new row, which is how numbering starts again at 1 each morning.
    """

    __tablename__ = "ticket_counters"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(1), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """A queue number taken at a kiosk; `(device, request_id)` makes a resent request return the same ticket."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("device_id", "request_id"),
        UniqueConstraint("location_id", "topic", "day", "sequence"),
        Index("ix_tickets_location_day_status", "location_id", "day", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    request_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    topic: Mapped[str] = mapped_column(String(1))
    day: Mapped[date] = mapped_column(Date)
    # The day's running count; the printed number wraps after 999 like the kiosk's own fallback.
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(8))
    language: Mapped[str | None] = mapped_column(String(8))
    # waiting / called / done / no_show; the desk (backoffice/desk/) moves it, a transfer puts it back to waiting.
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The latest call (a recall moves it); `service_started_at` keeps the first call of this desk's visit.
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A transfer to another topic sets this (the number keeps its letter, `topic` is part of a unique key).
    queue_topic: Mapped[str | None] = mapped_column(String(1))
    # The desk that called it; a transfer to a desk sets `target_desk_id`, and only that desk calls it.
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id", ondelete="SET NULL"))
    target_desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id", ondelete="SET NULL"))
    served_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    service_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recalls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Appointment(Base):
    """An appointment imported from the agenda system, checked in once with the code on the letter or e-mail.

    The first name is the only personal field: the kiosk greets the citizen with it. The code is stored
    normalised (capitals, confusable characters folded), unique per location.
    """

    __tablename__ = "appointments"
    __table_args__ = (UniqueConstraint("location_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    code: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    topic: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(100))
    # booked / checked_in (waiting in the queue) / called / done / no_show
    status: Mapped[str] = mapped_column(String(16))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    checkin_device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    # The idempotency key of the check-in that won: the same request again gets the same answer.
    checkin_request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The language the citizen chose at the kiosk's check-in (migration 0007): the display calls in it too.
    language: Mapped[str | None] = mapped_column(String(8))
    # In the queue like a ticket (see `Ticket`); any desk calls it unless a transfer gave it a topic letter
    # (`queue_topic`) or a desk. The imported `topic` is free text, so it cannot pick a desk by itself.
    queue_topic: Mapped[str | None] = mapped_column(String(1))
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id", ondelete="SET NULL"))
    target_desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id", ondelete="SET NULL"))
    served_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    service_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recalls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Document(Base):
    """A scanned document announced by a kiosk; its bytes arrive as chunks and are assembled on completion.

    In the database (not on a local disk) so that every instance behind the load balancer can take any
    chunk. `content` is filled once the whole file's SHA-256 matched; then the chunks are deleted.
    """

    __tablename__ = "documents"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))
    chunk_size: Mapped[int] = mapped_column(Integer)
    # uploading / received
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)


class DocumentChunk(Base):
    """One received chunk of a document still being uploaded; a resent chunk with the same bytes is a no-op."""

    __tablename__ = "document_chunks"

    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    chunk_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
