"""How long the wait is per topic, now: for the display's board and the kiosk's promise.

The estimate is what is known today, at this location: the people waiting for the topic, times the
mean service time of today's finished visits of that topic (of any topic while this one has none, five
minutes before the first visit of the day), shared by the desks now signed in that serve it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.desk.models import Desk, Visit
from backoffice.desk.queue import DONE, start_of_today, waiting_now
from backoffice.settings import Settings

FIRST_GUESS_SECONDS = 300


@dataclass(frozen=True)
class TopicWait:
    topic: str
    waiting: int
    expected_minutes: int


def _mean_service_today(db: Session, settings: Settings, location_id: int) -> dict[str, float]:
    rows = db.execute(
        select(Visit.topic, func.avg(Visit.service_seconds))
        .where(
            Visit.location_id == location_id,
            Visit.status == DONE,
            Visit.called_at >= start_of_today(settings),
            Visit.service_seconds.is_not(None),
        )
        .group_by(Visit.topic)
    )
    return {topic: float(mean) for topic, mean in rows if mean is not None}


def _signed_in_topics(db: Session, location_id: int) -> list[str]:
    """The topic letters of each desk with a caseworker now ("" serves every topic)."""
    return list(db.scalars(select(Desk.topics).where(Desk.location_id == location_id, Desk.staff_user_id.is_not(None))))


def topic_waits(db: Session, settings: Settings, location_id: int) -> list[TopicWait]:
    """Per topic letter with someone waiting, by letter."""
    waiting = Counter(item.topic for item in waiting_now(db, settings, location_id) if item.topic is not None)
    means = _mean_service_today(db, settings, location_id)
    overall = sum(means.values()) / len(means) if means else FIRST_GUESS_SECONDS
    desks = _signed_in_topics(db, location_id) if waiting else []
    waits = []
    for topic in sorted(waiting):
        per_person = means.get(topic, overall)
        serving = max(1, sum(1 for topics in desks if not topics or topic in topics))
        minutes = math.ceil(waiting[topic] * per_person / serving / 60)
        waits.append(TopicWait(topic=topic, waiting=waiting[topic], expected_minutes=minutes))
    return waits


def wait_for_new_ticket(db: Session, settings: Settings, location_id: int, topic: str) -> int | None:
    """The expected wait for a ticket just taken for `topic`: the board's figure for it, so the kiosk and
    the wall agree. None while no desk with a caseworker serves the topic: then nobody can promise a time."""
    if not any(not topics or topic in topics for topics in _signed_in_topics(db, location_id)):
        return None
    return next((wait.expected_minutes for wait in topic_waits(db, settings, location_id) if wait.topic == topic), None)
