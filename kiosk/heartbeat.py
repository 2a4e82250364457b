"""Tells the backoffice every so often that this kiosk lives and how its devices are.

Runs on its own thread; the health comes from a callable (the kiosk's latest health report),
so nothing here waits on a device. The backoffice answers with the interval it wants next.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping

from drivers.health import Health
from kiosk.backoffice_client import BackofficeClient, BackofficeError

log = logging.getLogger(__name__)

HealthSource = Callable[[], Mapping[str, Health]]


def health_report(health: Mapping[str, Health]) -> dict[str, dict[str, str]]:
    """The heartbeat's `health` object: state and reason per device (backoffice/API.md)."""
    return {name: {"state": report.state.value, "reason": report.reason[:500]} for name, report in health.items()}


class HeartbeatSender:
    def __init__(
        self,
        client: BackofficeClient,
        health: HealthSource,
        version: str,
        *,
        interval: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._health = health
        self._version = version
        self.interval = interval
        self._clock = clock
        self._started = clock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def beat(self) -> None:
        """One heartbeat now; raises BackofficeError when it did not arrive."""
        uptime = self._clock() - self._started
        self.interval = self._client.heartbeat(self._version, round(uptime, 1), health_report(self._health()))
        self.sent += 1

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.beat()
            except BackofficeError as error:
                log.info("heartbeat not delivered: %s", error)
            except Exception as error:  # a bug must not silence the kiosk for the day
                log.error("heartbeat failed: %s", type(error).__name__)
            self._stop.wait(max(1.0, self.interval))
