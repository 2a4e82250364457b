"""Card and reader events (inserted, removed, reader and PC/SC service lost and back) on a thread.

The kiosk reacts to a passport laid on the reader without polling in the UI. pyscard ships a
CardMonitor, but its thread dies for good when pcscd restarts or the reader is unplugged; a
kiosk runs for months, so `CardMonitor` here re-establishes the PC/SC context with a backoff
of at most two seconds and carries on. `PollingCardMonitor` gives the same events over any
CardReader (the simulated one included) by polling, so the kiosk has one event path.

Events come in an order a listener can follow as a state machine: a card leaving is always
reported ("removed") before its reader is lost, and a reader before the service.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from drivers.cardreader.protocol import CardReader

__all__ = ["CardEvent", "CardMonitor", "EventKind", "PollingCardMonitor", "StateTracker"]

log = logging.getLogger(__name__)

EventKind = Literal["inserted", "removed", "reader_lost", "reader_found", "service_lost", "service_back"]

POLL_SECONDS = 0.5
MIN_BACKOFF = 0.1
MAX_BACKOFF = 2.0


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: EventKind
    reader: str
    atr: bytes | None = None


class StateTracker:
    """Turns successive observations of (service up, reader name, card ATR) into events.

    At the start nothing is known: a service that is down is reported once as "service_lost";
    a service that is up is not announced, but its reader and card are ("reader_found", "inserted").
    """

    def __init__(self) -> None:
        self.service: bool | None = None
        self.reader: str | None = None
        self.atr: bytes | None = None

    def observe(self, service: bool, reader: str | None = None, atr: bytes | None = None) -> list[CardEvent]:
        if not service:
            reader, atr = None, None
        if reader is None:
            atr = None
        events: list[CardEvent] = []
        if self.atr is not None and (atr != self.atr or reader != self.reader):
            events.append(CardEvent("removed", self.reader or "", self.atr))
        if self.reader is not None and reader != self.reader:
            events.append(CardEvent("reader_lost", self.reader))
        if not service and self.service is not False:
            events.append(CardEvent("service_lost", ""))
        if service and self.service is False:
            events.append(CardEvent("service_back", ""))
        if reader is not None and reader != self.reader:
            events.append(CardEvent("reader_found", reader))
        if reader is not None and atr is not None and (atr != self.atr or reader != self.reader):
            events.append(CardEvent("inserted", reader, atr))
        self.service, self.reader, self.atr = service, reader, atr
        return events


class _MonitorThread:
    """Start, stop and event delivery shared by both monitors; `_run` is the watching loop."""

    def __init__(self, on_event: Callable[[CardEvent], None], name: str) -> None:
        self._on_event = on_event
        self._name = name
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tracker = StateTracker()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._tracker = StateTracker()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the thread to end and wait for it (at most one poll interval)."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _observe(self, service: bool, reader: str | None = None, atr: bytes | None = None) -> None:
        for event in self._tracker.observe(service, reader, atr):
            log.info("card reader event: %s %s", event.kind, event.reader)
            try:
                self._on_event(event)
            except Exception:  # a broken listener must not stop the monitor
                log.exception("card event listener failed on %s", event.kind)

    def _run(self) -> None:
        raise NotImplementedError


class CardMonitor(_MonitorThread):
    """Watches the first PC/SC reader matching `pattern` with SCardGetStatusChange.

    Survives the reader being unplugged (reported as "reader_lost", watched for again) and pcscd
    stopping ("service_lost"; the context is established again with backoff, then "service_back").
    """

    def __init__(
        self, pattern: str, on_event: Callable[[CardEvent], None], *, poll_seconds: float = POLL_SECONDS
    ) -> None:
        super().__init__(on_event, f"card-monitor-{pattern or 'any'}")
        self.pattern = pattern
        self.poll_seconds = poll_seconds

    def _run(self) -> None:
        from smartcard import scard  # only this thread needs the binding

        backoff = MIN_BACKOFF
        while not self._stop.is_set():
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if _code(hresult) != scard.SCARD_S_SUCCESS:
                self._observe(False)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = MIN_BACKOFF
            try:
                self._watch(context)
            except Exception:
                log.exception("card monitor failed; starting over with a new PC/SC context")
                self._stop.wait(MIN_BACKOFF)
            finally:
                scard.SCardReleaseContext(context)

    def _watch(self, context: int) -> None:
        """Report changes until stopped or the service goes away (then return to re-establish)."""
        from smartcard import scard

        from drivers.cardreader.pcsc import READER_ERRORS, SERVICE_ERRORS, reader_matches

        timeout_ms = max(1, int(self.poll_seconds * 1000))
        reader: str | None = None
        known_state = scard.SCARD_STATE_UNAWARE
        while not self._stop.is_set():
            if reader is None:
                hresult, readers = scard.SCardListReaders(context, [])
                code = _code(hresult)
                if code in SERVICE_ERRORS:
                    self._observe(False)
                    return
                names = readers if code == scard.SCARD_S_SUCCESS else []
                reader = next((str(name) for name in names if reader_matches(self.pattern, name)), None)
                if reader is None:
                    self._observe(True)
                    self._stop.wait(self.poll_seconds)
                    continue
                known_state = scard.SCARD_STATE_UNAWARE
            hresult, states = scard.SCardGetStatusChange(context, timeout_ms, [(reader, known_state)])
            code = _code(hresult)
            if code == scard.SCARD_E_TIMEOUT:
                continue
            if code in SERVICE_ERRORS:
                self._observe(False)
                return
            if code in READER_ERRORS:
                reader = None
                self._observe(True)
                continue
            if code != scard.SCARD_S_SUCCESS:
                log.warning("SCardGetStatusChange failed with %#010x; starting over", code)
                self._stop.wait(MIN_BACKOFF)
                return
            _, event_state, atr = states[0]
            known_state = int(event_state) & ~scard.SCARD_STATE_CHANGED
            if event_state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE | scard.SCARD_STATE_IGNORE):
                reader = None
                self._observe(True)
                continue
            present = bool(event_state & scard.SCARD_STATE_PRESENT) and bool(atr)
            self._observe(True, reader, bytes(atr) if present else None)


class PollingCardMonitor(_MonitorThread):
    """The same events over any CardReader, by asking it every `interval` seconds.

    For readers without an event API (the simulated one). The reader is "found" while its
    health is usable; there is no separate service, so no service events are reported.
    """

    def __init__(
        self, reader: CardReader, on_event: Callable[[CardEvent], None], *, name: str = "", interval: float = 0.1
    ) -> None:
        super().__init__(on_event, f"card-poller-{name or 'reader'}")
        self.reader = reader
        self.name = name or str(getattr(reader, "name", "card reader"))
        self.interval = interval

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                usable = self.reader.health().usable
                atr = self.reader.atr() if usable else None
            except Exception:
                log.exception("polling the card reader failed")
                usable, atr = False, None
            self._observe(True, self.name if usable else None, atr)
            self._stop.wait(self.interval)


def _code(hresult: int) -> int:
    return int(hresult) & 0xFFFFFFFF
