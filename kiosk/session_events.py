"""Turns the citizen's path through the session machine into events for the backoffice.

Only what a manager's dashboard needs: that a session started (and in which language), which
tasks were done, how it ended and how long it took. Nothing the citizen typed or showed.
Each session gets a random id so its events can be grouped without knowing who it was.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from kiosk.session import Change, Event, Phase, SessionMachine


class EventSink(Protocol):
    def record(self, event_type: str, data: Mapping[str, Any] | None = None, *, session_id: str | None = None) -> None:
        """Store one event for delivery (never raises for a delivery problem)."""


ENDINGS = {Event.FINISH: "finished", Event.GOODBYE_DONE: "finished", Event.START: "finished",
           Event.TIMED_OUT: "timed_out", Event.RESET: "reset"}  # fmt: skip


class SessionEvents:
    """Subscribes to a SessionMachine; `session_id` is the current session's, for other recorders."""

    def __init__(self, machine: SessionMachine, sink: EventSink, clock: Callable[[], float] = time.monotonic) -> None:
        self._machine = machine
        self._sink = sink
        self._clock = clock
        self.session_id: str | None = None
        self._started_at = 0.0
        self._task: str | None = None
        self._ended = False
        machine.subscribe(self._on_change)

    def record(self, event_type: str, data: Mapping[str, Any] | None = None) -> None:
        """An event of the current session (ticket issued, checked in, …) from a screen."""
        self._sink.record(event_type, data, session_id=self.session_id)

    def _on_change(self, change: Change) -> None:
        if change.previous is Phase.ATTRACT and change.phase is not Phase.ATTRACT:
            self.session_id = uuid.uuid4().hex
            self._started_at = self._clock()
            self._ended = False
            citizen = self._machine.citizen
            self.record("session_started", {"language": citizen.language if citizen else ""})
        if change.event is Event.CHOOSE_TASK and self._machine.citizen is not None:
            self._task = self._machine.citizen.task_id
        if change.event is Event.TASK_DONE and self._task:
            self.record("task_done", {"task": self._task})
        if change.session_ended and self.session_id is not None and not self._ended:
            self._ended = True
            ending = ENDINGS.get(change.event, "finished") if change.event is not None else "finished"
            self.record("session_ended", {"ending": ending, "seconds": round(self._clock() - self._started_at)})
            self.session_id = None
            self._task = None
