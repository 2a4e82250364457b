"""Helpers for tests of the real (PyAV/ALSA) sound drivers, which run without a sound card."""

from __future__ import annotations

import time
from pathlib import Path

from drivers.alsa import SYSTEM_CONFIG_DIR
from drivers.health import HealthState

# Debian's libasound2-data: without it PyAV's libasound knows no device names at all.
ALSA_CONFIG = Path(SYSTEM_CONFIG_DIR) / "alsa.conf"


def wait_for_health(driver, state: HealthState, reason: str, timeout: float = 5.0) -> bool:
    """True once the driver reports `state` with `reason`; looks every 10 ms (the change
    comes from the driver's own thread, which has no event to wait on for it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = driver.health()
        if health.state is state and health.reason == reason:
            return True
        time.sleep(0.01)
    return False
