"""What happens when code fails unexpectedly while a citizen is at the kiosk.

A kiosk has nobody at the keyboard to read a traceback. An exception that escapes a
Qt slot is logged (type and code location only: an exception's message may hold what
the citizen typed) and the session is reset to the attract screen, which wipes it.
The next citizen finds a working kiosk; the log tells a technician where it broke.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

log = logging.getLogger("balie.kiosk")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def describe(error_type: type[BaseException], tb: TracebackType | None) -> str:
    """The error's type and where it happened, without its message."""
    frames = traceback.extract_tb(tb)
    where = " <- ".join(
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}" for frame in reversed(frames)
    )
    return f"{error_type.__name__} at {where or 'unknown place'}"


class Recovery:
    def __init__(self, reset: Callable[[], None]) -> None:
        self._reset = reset
        self._previous: ExceptHook | None = None
        self.failures = 0

    def install(self) -> None:
        self._previous = sys.excepthook
        sys.excepthook = self._handle

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook = self._previous
            self._previous = None

    def _handle(self, error_type: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(error_type, KeyboardInterrupt | SystemExit):
            if self._previous is not None:
                self._previous(error_type, error, tb)
            return
        self.failures += 1
        log.error("unexpected error, session reset: %s", describe(error_type, tb))
        try:
            self._reset()
        except Exception as second:  # the reset itself failed: say so, keep running
            log.error("session reset failed: %s", describe(type(second), second.__traceback__))
