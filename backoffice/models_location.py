"""A location's remote settings for its devices (tasks, topics, texts, opening hours); migration 0004 creates it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from backoffice.models import Base, UtcDateTime


class LocationSettings(Base):
    """One JSON document per location, checked by kiosk.remote_config before it is stored; `version`
    goes up by one with every change, and is what devices compare (the ETag)."""

    __tablename__ = "location_settings"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
