"""Idle handling: notice a citizen who walked away, ask first, then let go.

Kept apart from the session machine because it runs on its own clock: the session
asks it "what now?" whenever time passes and tells it whenever the citizen acts.
"""

from __future__ import annotations

from enum import StrEnum


class IdleState(StrEnum):
    ACTIVE = "active"
    WARNING = "warning"  # "Bent u er nog?" with a countdown
    EXPIRED = "expired"


class IdleWatch:
    def __init__(self, idle_seconds: float, warning_seconds: float) -> None:
        self.idle_seconds = idle_seconds
        self.warning_seconds = warning_seconds
        self.state = IdleState.ACTIVE
        self._last_activity = 0.0

    def touch(self, now: float) -> None:
        """The citizen did something: a tap, a key, a card on the reader."""
        self._last_activity = now
        self.state = IdleState.ACTIVE

    def check(self, now: float) -> IdleState:
        quiet = now - self._last_activity
        if quiet >= self.idle_seconds + self.warning_seconds:
            self.state = IdleState.EXPIRED
        elif quiet >= self.idle_seconds:
            self.state = IdleState.WARNING
        else:
            self.state = IdleState.ACTIVE
        return self.state

    def next_deadline(self) -> float:
        """When the state will change next if nobody acts."""
        if self.state is IdleState.ACTIVE:
            return self._last_activity + self.idle_seconds
        return self._last_activity + self.idle_seconds + self.warning_seconds

    def seconds_left(self, now: float) -> int:
        """Whole seconds of the warning left (rounded up, as a countdown shows them)."""
        left = self._last_activity + self.idle_seconds + self.warning_seconds - now
        return max(0, int(-(-left // 1)))
