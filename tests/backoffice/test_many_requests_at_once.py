"""Many kiosks at the same moment must not freeze an instance.

benchmarks/backoffice.py found it: with more worker threads than database connections, requests
waiting for a connection took every thread while the requests holding connections waited for a
thread to clean up — nothing moved until the pool's 30 s timeout. A real `serve` process here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.backoffice_client import BackofficeClient
from tests.live_backoffice import LiveBackoffice

KIOSKS = 120


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LiveBackoffice]:
    backoffice = LiveBackoffice(tmp_path)
    backoffice.start()
    try:
        yield backoffice
    finally:
        backoffice.stop()


def test_a_burst_of_heartbeats_from_many_kiosks_is_answered(service: LiveBackoffice) -> None:
    client = BackofficeClient(service.url)
    token = client.enroll(service.enrollment_code(), "kiosk-burst", "0.1.0").token
    client.close()

    async def burst() -> list[int | str]:
        # Well under the 30 s pool timeout: a frozen instance shows up as timeouts, not as slowness.
        limits = httpx.Limits(max_connections=KIOSKS)
        async with httpx.AsyncClient(base_url=service.url, timeout=20, limits=limits) as http:

            async def beat() -> int | str:
                try:
                    answer = await http.post(
                        "/api/v1/heartbeat",
                        headers={"Authorization": f"Bearer {token}"},
                        json={"version": "0.1.0", "uptime_seconds": 1, "health": {"printer": {"state": "ok"}}},
                    )
                except httpx.HTTPError as error:
                    return type(error).__name__
                return answer.status_code

            return await asyncio.gather(*(beat() for _ in range(KIOSKS)))

    results = asyncio.run(burst())
    assert results == [200] * KIOSKS
