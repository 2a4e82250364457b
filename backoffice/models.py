"""The tables of the backoffice, as typed SQLAlchemy 2 models.

Portable on purpose (SQLite and PostgreSQL): strings instead of native enums, `Uuid` and `JSON` types,
timestamps stored as UTC and always handed back timezone-aware. The first migration creates exactly these.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backoffice.roles import Role

# Named constraints, so later migrations (batch mode on SQLite) can find and alter them by name.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Integer on SQLite so the key is the rowid (auto-increments); BIGINT elsewhere, events add up.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that goes in as aware UTC and comes out aware UTC, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the backoffice stores only timezone-aware times")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: Any) -> Enum:
    return Enum(cls, native_enum=False, length=16, values_callable=lambda members: [m.value for m in members])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Location(Base):
    """A town hall or library branch where devices stand."""

    __tablename__ = "locations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class EnrollmentCode(Base):
    """A one-time code a technician types into a new device; only its hash is kept."""

    __tablename__ = "enrollment_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))

    location: Mapped[Location] = relationship()


class Device(Base):
    """An enrolled kiosk or counter appliance; its credential is a SHA-256 of the token's secret part."""

    __tablename__ = "devices"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[str] = mapped_column(String(64), default="")
    uptime_seconds: Mapped[int | None] = mapped_column(BigInteger)
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The overall state (ok / degraded / failed) and since when, for the fleet page's "since".
    state: Mapped[str | None] = mapped_column(String(16))
    state_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The newest `balie provision selftest` report the device sent (backoffice/selftest_reports.py).
    last_selftest: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_selftest_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    location: Mapped[Location] = relationship()
    components: Mapped[list[DeviceComponent]] = relationship(
        back_populates="device", cascade="all, delete-orphan", order_by="DeviceComponent.name"
    )


class DeviceComponent(Base):
    """The latest health of one driver of one device (printer, card reader, camera…), from its heartbeat."""

    __tablename__ = "device_components"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500), default="")
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)

    device: Mapped[Device] = relationship(back_populates="components")


class Event(Base):
    """One event a device reported, stored exactly once per (device, event id) whatever the resends."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("device_id", "event_id"),
        Index("ix_events_location_occurred", "location_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    type: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    session_id: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StaffSession(Base):
    """A signed-in browser; in the database so every instance behind the load balancer knows it."""

    __tablename__ = "staff_sessions"

    # SHA-256 of the cookie's token: a copy of this table does not let anyone sign in.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)

    user: Mapped[StaffUser] = relationship()


class SignInFailure(Base):
    """A failed sign-in, counted per username and per client address (both kept only as keyed hashes)."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_subject_at", "subject_hash", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """Who looked at or changed what: every look at citizen data lands here (AVG accountability)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(Text)


import backoffice.desk.models  # noqa: E402  (registers desks, queue_calls, visits on Base.metadata)
import backoffice.models_contacts  # noqa: E402  (registers contacts, channel_keys on Base.metadata)
import backoffice.models_counter  # noqa: E402  (registers its tables on Base.metadata for Alembic)
import backoffice.models_location  # noqa: E402, F401  (registers location_settings on Base.metadata)
