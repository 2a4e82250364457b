"""Events recorded before reporting is up are kept in memory, then handed over in order.

The kiosk starts its reporting (and maybe the embedded backoffice) on a background thread after
the first frame; a citizen may already be tapping by then.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from kiosk.session_events import EventSink


class PendingSink:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: EventSink | None = None
        self._waiting: list[tuple[str, dict[str, Any] | None, str | None]] = []

    def record(self, event_type: str, data: Mapping[str, Any] | None = None, *, session_id: str | None = None) -> None:
        with self._lock:
            target = self._target
            if target is None:
                self._waiting.append((event_type, dict(data) if data is not None else None, session_id))
                return
        target.record(event_type, data, session_id=session_id)

    def attach(self, target: EventSink) -> None:
        with self._lock:
            waiting, self._waiting = self._waiting, []
            for event_type, data, session_id in waiting:
                target.record(event_type, data, session_id=session_id)
            self._target = target
