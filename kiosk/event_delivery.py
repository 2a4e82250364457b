"""Delivers the outbox to the backoffice on its own thread, until every event is acknowledged.

Batches go oldest first. An event is deleted from the outbox only when the backoffice lists
its id as accepted or duplicate; anything else (no network, a restart, a timeout, a 5xx) leaves
it in place for the next attempt, after a growing pause (capped), so a kiosk that was offline
for a day catches up without hammering a backoffice that is just coming back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.backoffice_client import BackofficeClient, BackofficeRejected, BackofficeUnavailable
from kiosk.outbox import Outbox, OutboxEvent

log = logging.getLogger(__name__)

BATCH = 100
FIRST_PAUSE = 0.5
LONGEST_PAUSE = 30.0
# A batch the backoffice refuses as malformed is retried this often (a new backoffice version may
# accept it), then its events are set aside one by one so one bad event cannot block the rest.
REJECTIONS_BEFORE_SPLIT = 3


class EventDelivery:
    def __init__(
        self,
        outbox: Outbox,
        client: BackofficeClient,
        *,
        batch: int = BATCH,
        first_pause: float = FIRST_PAUSE,
        longest_pause: float = LONGEST_PAUSE,
        on_delivered: Callable[[int], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._client = client
        self._batch = batch
        self._first_pause = first_pause
        self._longest_pause = longest_pause
        self._on_delivered = on_delivered
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._rejections = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="event-delivery", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def deliver_soon(self) -> None:
        """A new event is in the outbox: try now rather than at the end of the pause."""
        self._wake.set()

    def deliver_once(self) -> int:
        """One pass over the outbox; returns how many events were acknowledged. Raises when the
        backoffice is unavailable (the caller decides how long to wait)."""
        delivered = 0
        while not self._stop.is_set():
            events = self._outbox.pending(self._batch)
            if not events:
                break
            try:
                receipt = self._client.send_events([event.to_json() for event in events])
            except BackofficeRejected as error:
                self._set_aside_if_stuck(events, error)
                continue
            self._rejections = 0
            stored = set(receipt.stored)
            self._outbox.acknowledge(stored)
            delivered += len(stored)
            if not stored & {event.id for event in events}:
                raise BackofficeUnavailable("the backoffice acknowledged none of the events sent")
        if delivered and self._on_delivered is not None:
            self._on_delivered(delivered)
        return delivered

    def _set_aside_if_stuck(self, events: list[OutboxEvent], error: BackofficeRejected) -> None:
        self._rejections += 1
        self._outbox.count_attempt(event.id for event in events)
        log.warning("backoffice refused %d events (%s)", len(events), error.status)
        if error.status == 401:
            raise BackofficeUnavailable("this device is not (or no longer) enrolled") from error
        if self._rejections < REJECTIONS_BEFORE_SPLIT:
            raise BackofficeUnavailable("events refused; trying again later") from error
        # Send one at a time: the good ones go through, a malformed one is dropped with a log line.
        for event in events:
            try:
                receipt = self._client.send_events([event.to_json()])
                self._outbox.acknowledge(receipt.stored)
            except BackofficeRejected:
                log.error("event of type %s refused by the backoffice; dropped", event.type)
                self._outbox.acknowledge([event.id])
        self._rejections = 0

    def _run(self) -> None:
        pause = self._first_pause
        while not self._stop.is_set():
            try:
                self.deliver_once()
                pause = self._first_pause
                self._wake.wait()  # until there is something new (or stop)
            except BackofficeUnavailable as error:
                log.info("events wait in the outbox: %s", error)
                self._wake.wait(pause)
                pause = min(pause * 2, self._longest_pause)
            except Exception as error:  # a bug must not end delivery for the day
                log.error("event delivery failed: %s", type(error).__name__)
                self._wake.wait(pause)
                pause = min(pause * 2, self._longest_pause)
            self._wake.clear()
