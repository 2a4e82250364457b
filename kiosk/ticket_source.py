"""Where a queue number comes from: the backoffice when it answers, the kiosk's own queue when not.

With a backoffice every kiosk of a location draws from one sequence, so a counter calls "A 42"
once. The citizen must never be left without a number, so a backoffice that does not answer
within a moment is skipped: the kiosk hands out its own number (with its configured prefix, so
offline numbers are told apart). This blocks for up to the timeout; the UI calls it off its thread.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from kiosk.backoffice_client import BackofficeClient, BackofficeError
from kiosk.ticket_queue import LocalTicketQueue, QueueTicket

log = logging.getLogger(__name__)

ATTEMPTS = 2  # the same request id twice: a lost answer costs a resend, not a second number


class TicketSource:
    def __init__(self, local: LocalTicketQueue, client: Callable[[], BackofficeClient | None]) -> None:
        self.local = local
        self._client = client

    def take(self, letter: str, language: str = "") -> QueueTicket:
        client = self._client()
        if client is not None:
            request_id = str(uuid.uuid4())
            for attempt in range(ATTEMPTS):
                try:
                    answer = client.take_ticket(letter, request_id, language)
                except BackofficeError as error:
                    log.info("ticket from the backoffice failed (attempt %d): %s", attempt + 1, error)
                    continue
                topic = self.local.topic(letter)
                return QueueTicket(answer["number"], topic, _issued_at(answer), _expected_wait(answer))
            log.warning("backoffice gave no number; the kiosk's own number is used")
        return self.local.take(letter)


def _issued_at(answer: dict[str, object]) -> dt.datetime:
    issued = answer.get("issued_at")
    try:
        return dt.datetime.fromisoformat(str(issued)).replace(tzinfo=None)
    except ValueError:
        return dt.datetime.now()


def _expected_wait(answer: dict[str, object]) -> int | None:
    """The backoffice's figure (backoffice/API.md) when it is a whole number of minutes; else no promise."""
    minutes = answer.get("estimated_wait_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        return None
    return minutes
