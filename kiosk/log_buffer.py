"""The kiosk's own recent log records, in memory, for the maintenance screen.

The kiosk logs no personal data by rule (devices, states, counts, reasons), so its last
lines may be shown to a technician on the device. Nothing is written to disk here.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class LogBuffer(logging.Handler):
    """A ring of the newest formatted records; any thread may log, the UI reads `lines()`."""

    def __init__(self, capacity: int = 200, level: int = logging.INFO) -> None:
        super().__init__(level)
        self._lines: deque[str] = deque(maxlen=capacity)
        self._guard = threading.Lock()
        self.setFormatter(logging.Formatter(FORMAT, "%H:%M:%S"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record).splitlines()[0]  # the first line: no traceback on the screen
        except Exception:  # a bad format string must not break the caller's logging
            self.handleError(record)
            return
        with self._guard:
            self._lines.append(line)

    def lines(self, count: int = 30) -> list[str]:
        with self._guard:
            return list(self._lines)[-count:]

    def install(self, logger: logging.Logger | None = None) -> None:
        target = logger or logging.getLogger()
        if self not in target.handlers:
            target.addHandler(self)

    def uninstall(self, logger: logging.Logger | None = None) -> None:
        (logger or logging.getLogger()).removeHandler(self)
