"""Who a desk calls next: the rule alone, on plain data, so every case can be tested without a database.

Appointments that are due and came on time go first (the citizen was promised a time); then tickets and
late appointments by age, or by the desk's topic order when the location wants that; citizens who checked
in for an appointment well before their time come only when nobody else is waiting, so walk-ins are not
pushed back by someone twenty minutes early. The database side (`backoffice.desk.claim`) tries the
candidates in this order and takes the first it wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class QueueKind(StrEnum):
    TICKET = "ticket"
    APPOINTMENT = "appointment"


class Ordering(StrEnum):
    OLDEST_FIRST = "oldest_first"
    BY_TOPIC = "by_topic"


@dataclass(frozen=True)
class CallNextRule:
    """The location's settings for the rule; the defaults are what DESK.md promises."""

    early_minutes: int = 5
    late_minutes: int = 10
    ordering: Ordering = Ordering.OLDEST_FIRST


@dataclass(frozen=True)
class Waiting:
    """A ticket or checked-in appointment waiting to be called.

    `topic` is the letter it queues under (a ticket's letter, or the topic a transfer gave it); an
    appointment without one may go to any desk. `queued_at` is when it joined the queue (issued, checked
    in), which a transfer keeps, so a transferred citizen keeps their place.
    """

    kind: QueueKind
    id: int
    label: str
    topic: str | None
    queued_at: datetime
    starts_at: datetime | None = None
    target_desk_id: int | None = None


class Band(StrEnum):
    """Where an item stands in the rule: on-time appointments, the ordinary queue, early appointments."""

    DUE = "due"
    QUEUE = "queue"
    EARLY = "early"


def band_of(item: Waiting, now: datetime, rule: CallNextRule) -> Band:
    if item.kind is QueueKind.TICKET or item.starts_at is None:
        return Band.QUEUE
    if item.queued_at >= item.starts_at + timedelta(minutes=rule.late_minutes):
        return Band.QUEUE  # late: waits like a walk-in, by when it checked in
    if item.starts_at - timedelta(minutes=rule.early_minutes) <= now:
        return Band.DUE
    return Band.EARLY


def serves(desk_id: int, desk_topics: str, item: Waiting) -> bool:
    """Whether this desk may call the item: a transfer to a desk binds it; otherwise by topic letter."""
    if item.target_desk_id is not None:
        return item.target_desk_id == desk_id
    return not desk_topics or item.topic is None or item.topic in desk_topics


def _topic_rank(desk_id: int, desk_topics: str, item: Waiting) -> int:
    if item.target_desk_id == desk_id:
        return 0  # sent to this desk on purpose: as the desk's own first topic
    if item.topic is None:
        return len(desk_topics) if desk_topics else 26  # a late appointment of no topic: after the topics
    if desk_topics:
        return desk_topics.index(item.topic)
    return ord(item.topic) - ord("A")


def candidates(
    desk_id: int, desk_topics: str, waiting: list[Waiting], now: datetime, rule: CallNextRule
) -> list[Waiting]:
    """Everything this desk may call, best first; the caller claims the first it can."""
    mine = [item for item in waiting if serves(desk_id, desk_topics, item)]
    due = sorted((i for i in mine if band_of(i, now, rule) is Band.DUE), key=lambda i: (i.starts_at, i.queued_at, i.id))
    queue = [i for i in mine if band_of(i, now, rule) is Band.QUEUE]
    if rule.ordering is Ordering.BY_TOPIC:
        queue.sort(key=lambda i: (_topic_rank(desk_id, desk_topics, i), i.queued_at, i.id))
    else:
        queue.sort(key=lambda i: (i.queued_at, i.id))
    early = sorted(
        (i for i in mine if band_of(i, now, rule) is Band.EARLY), key=lambda i: (i.starts_at, i.queued_at, i.id)
    )
    return [*due, *queue, *early]
