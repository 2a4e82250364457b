"""Tables of the staffed desk: the desks, the display's feed of calls, and one visit per call to a desk.

Registered on `Base.metadata` by `backoffice.models` (which imports this module at its end), portable
like the other tables (strings for states, UTC timestamps). Revision `0005_desks` creates exactly these,
together with the queue columns on tickets and appointments (`backoffice.models_counter`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.models import Base, BigId, UtcDateTime


class Desk(Base):
    """A staffed counter of a location: the topics it serves, who works there now, its paired counter device.

    `staff_user_id` is unique (one desk per caseworker) and so is `counter_device_id` (a device faces one
    desk); NULLs do not collide on SQLite or PostgreSQL, so free desks and unpaired desks are many.
    """

    __tablename__ = "desks"
    __table_args__ = (UniqueConstraint("location_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    # What the display says after "balie": "3"; the word is composed per language, never stored.
    name: Mapped[str] = mapped_column(String(20))
    # The topic letters this desk serves, in priority order ("AB"); empty: every topic.
    topics: Mapped[str] = mapped_column(String(26), default="")
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), unique=True)
    signed_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counter_device_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("devices.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QueueCall(Base):
    """One call or recall of a number to a desk: the display's feed, read by increasing `id`.

    Written by whichever instance served the caseworker, read by whichever serves the display, so the
    feed works behind a load balancer. Carries a label (ticket number or short appointment code), never a name.
    """

    __tablename__ = "queue_calls"
    __table_args__ = (Index("ix_queue_calls_location_id_id", "location_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(8))
    # call / recall
    kind: Mapped[str] = mapped_column(String(8))
    # The language the citizen chose at the kiosk, for the display's second announcement; null: Dutch only.
    language: Mapped[str | None] = mapped_column(String(8))
    called_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Visit(Base):
    """A ticket or appointment called to a desk, from the call until done, no-show or transfer.

    The manager's figures come from here (waiting and service times per topic); it names the citizen
    by no key at all — the contact history does that, only when the counter device read an identity.
    A transferred ticket gets a second visit at the next desk; its wait counts from the transfer. The
    caseworker's note is not kept here but on the contact, which the retention job deletes in time.
    """

    __tablename__ = "visits"
    __table_args__ = (Index("ix_visits_location_id_called_at", "location_id", "called_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    desk_id: Mapped[int | None] = mapped_column(ForeignKey("desks.id", ondelete="SET NULL"))
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(8))
    # A ticket's topic letter, or the appointment's topic as imported.
    topic: Mapped[str] = mapped_column(String(200))
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    called_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    waited_seconds: Mapped[int] = mapped_column(Integer)
    service_seconds: Mapped[int | None] = mapped_column(Integer)
    # open / done / no_show / transferred
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(500))
