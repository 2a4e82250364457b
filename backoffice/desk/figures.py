"""Today's waiting and service times per topic, for the manager dashboard.

From `visits` (one per call to a desk): the wait is from joining the queue (or a transfer) to the call,
the service from the call to done. p90 is the nearest-rank 90th percentile: the wait nine in ten
citizens did not exceed, which says more about a bad morning than the mean does.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.desk.models import Visit
from backoffice.desk.queue import DONE, start_of_today, waiting_now
from backoffice.settings import Settings

APPOINTMENTS = ""  # the row of appointments without a topic letter


@dataclass(frozen=True)
class TopicFigures:
    topic: str
    waiting_now: int
    called: int
    mean_wait_seconds: float | None
    p90_wait_seconds: float | None
    mean_service_seconds: float | None


def p90(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[math.ceil(0.9 * len(ordered)) - 1])


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def _order(topic: str) -> tuple[int, str]:
    return (0 if topic else 1, topic)  # the topic letters first, then the appointments


def today_by_topic(db: Session, settings: Settings, location_id: int | None) -> list[TopicFigures]:
    """Per topic seen today (waiting now or called today) at the location, or at every location for None."""
    waiting = Counter(item.topic or APPOINTMENTS for item in waiting_now(db, settings, location_id))
    visits = select(Visit.topic, Visit.appointment_id, Visit.status, Visit.waited_seconds, Visit.service_seconds).where(
        Visit.called_at >= start_of_today(settings)
    )
    if location_id is not None:
        visits = visits.where(Visit.location_id == location_id)
    waits: dict[str, list[int]] = defaultdict(list)
    services: dict[str, list[int]] = defaultdict(list)
    for stored, appointment_id, status, waited, served in db.execute(visits):
        # Appointments keep the agenda's free-text topic unless a transfer gave them a letter: one row for them.
        topic = APPOINTMENTS if appointment_id is not None and len(stored) != 1 else stored
        waits[topic].append(waited)
        if status == DONE and served is not None:
            services[topic].append(served)
    topics = sorted({*waits, *waiting}, key=_order)
    return [
        TopicFigures(
            topic=topic,
            waiting_now=waiting[topic],
            called=len(waits[topic]),
            mean_wait_seconds=_mean(waits[topic]),
            p90_wait_seconds=p90(waits[topic]),
            mean_service_seconds=_mean(services[topic]),
        )
        for topic in topics
    ]
