"""The omnichannel contact history and the keys other channels (the phone KCC, chat) record contacts with.

A contact names its citizen only by a keyed hash (`citizen_key`): the table can be copied, backed up
or queried by a manager without anyone reading a BSN or a name from it. Migration 0003 creates these.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.models import Base, UtcDateTime


class Contact(Base):
    """One contact of a citizen on any channel (kiosk, video, counter, phone, chat, email, letter)."""

    __tablename__ = "contacts"
    __table_args__ = (
        # The caseworker's one screen: one citizen's contacts, newest first.
        Index("ix_contacts_citizen_started", "citizen_key", "started_at"),
        # Retention deletes by age; the dashboard counts calls per day.
        Index("ix_contacts_started_at", "started_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    # HMAC-SHA256 (hex) of the normalised identity, keyed from the server secret: see `contacts.citizen_key`.
    citizen_key: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str] = mapped_column(String(200))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(500))
    # A staff user of this backoffice; a colleague of the KCC recording by channel key leaves it empty.
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    # {"how_did_it_go": 1-4, "how_are_you": "..."}: the two questions the kiosk and the counter ask.
    feedback: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A visit at a staffed desk: issued/checked in → first call, and first call → done (migration 0005).
    waited_seconds: Mapped[int | None] = mapped_column(Integer)
    service_seconds: Mapped[int | None] = mapped_column(Integer)
    # Who recorded it ("staff:carla", "channel:KCC"), for accountability; never the citizen.
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ChannelKey(Base):
    """An API key of another channel's system; only the SHA-256 of the key is kept, the key is shown once."""

    __tablename__ = "channel_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
