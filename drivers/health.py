"""How a device is doing, in one shape for every driver.

The kiosk decides from this whether a task can be offered, and the backoffice fleet
view shows it to technicians; so the reason is written for a person, not a log.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class HealthState(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # works, but needs attention soon (paper low, low frame rate)
    FAILED = "failed"  # present but cannot do its job now (paper out, cover open)
    MISSING = "missing"  # not there at all, or not configured

    @property
    def usable(self) -> bool:
        return self in (HealthState.OK, HealthState.DEGRADED)


@dataclass(frozen=True, slots=True)
class Health:
    state: HealthState
    reason: str = ""

    @property
    def usable(self) -> bool:
        return self.state.usable

    @classmethod
    def ok(cls) -> Health:
        return cls(HealthState.OK)

    @classmethod
    def missing(cls, reason: str) -> Health:
        return cls(HealthState.MISSING, reason)
