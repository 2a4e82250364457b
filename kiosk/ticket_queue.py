"""Queue numbers for walk-in topics.

Numbers come from here while the kiosk runs on its own; the backoffice takes over this
role later behind the same `take()`. The per-kiosk prefix keeps numbers from kiosks that
worked offline apart, so two citizens never hold the same number.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.config import QueueSettings, TopicSettings

MAX_SEQUENCE = 999  # three digits on the ticket; then it starts again at 1


@dataclass(frozen=True, slots=True)
class QueueTicket:
    number: str  # as printed and called: "A042", or "2-A042" with a kiosk prefix
    topic: TopicSettings
    issued: dt.datetime
    # The backoffice's expected wait for the topic; None offline or while nobody serves it (then no promise).
    expected_wait_minutes: int | None = None

    def spoken(self) -> str:
        """How the number is said: letter and number apart ("A 42"), so speech reads it right."""
        prefix, _, body = self.number.rpartition("-")
        said = f"{body[0]} {int(body[1:])}"
        return f"{prefix} {said}" if prefix else said


class LocalTicketQueue:
    def __init__(self, settings: QueueSettings, now: Callable[[], dt.datetime] = dt.datetime.now) -> None:
        self._settings = settings
        self._topics = {topic.letter: topic for topic in settings.topics}
        self._last: dict[str, int] = {}
        self._day: dt.date | None = None
        self._now = now
        self._lock = threading.Lock()

    def use_settings(self, settings: QueueSettings) -> None:
        """The location's new topics (remote configuration); today's numbering goes on where it was."""
        with self._lock:
            self._settings = settings
            self._topics = {topic.letter: topic for topic in settings.topics}

    @property
    def topics(self) -> list[TopicSettings]:
        return list(self._settings.topics)

    def topic(self, letter: str) -> TopicSettings:
        return self._topics[letter]

    def take(self, letter: str) -> QueueTicket:
        """The next number for a topic; numbering starts again each day."""
        topic = self._topics[letter]
        with self._lock:
            now = self._now()
            if now.date() != self._day:
                self._day, self._last = now.date(), {}
            sequence = self._last.get(letter, 0) % MAX_SEQUENCE + 1
            self._last[letter] = sequence
        body = f"{letter}{sequence:03d}"
        number = f"{self._settings.prefix}-{body}" if self._settings.prefix else body
        return QueueTicket(number, topic, now)

    def status_url(self, ticket: QueueTicket) -> str:
        template = self._settings.status_url
        return template.replace("{number}", ticket.number) if template else ""
