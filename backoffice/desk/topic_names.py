"""A topic letter's name, as the location's kiosks show it: the desk page and the contact history say
"Rijbewijs", not "B". From the location's remote settings, else the kiosk's default topics."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backoffice.models_location import LocationSettings


def _default_topics() -> list[dict[str, Any]]:
    from kiosk.config import default_config

    return [{"letter": t.letter, "name": dict(t.name)} for t in default_config().queue.topics]


def topic_names(db: Session, location_id: int | None, language: str) -> dict[str, str]:
    """Letter → name in `language` (Dutch when the name has no such language); None: the kiosk's defaults."""
    stored = db.get(LocationSettings, location_id) if location_id is not None else None
    topics: Any = (stored.settings.get("queue") or {}).get("topics") if stored is not None else None
    if not isinstance(topics, list):
        topics = _default_topics()
    names: dict[str, str] = {}
    for topic in topics:
        if isinstance(topic, dict) and isinstance(topic.get("letter"), str) and isinstance(topic.get("name"), dict):
            name = topic["name"].get(language) or topic["name"].get("nl")
            if isinstance(name, str):
                names[topic["letter"]] = name
    return names
