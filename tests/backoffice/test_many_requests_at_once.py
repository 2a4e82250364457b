"""Many kiosks at the same moment must not freeze an instance.

benchmarks/backoffice.py found it: with more worker threads than database connections, requests
waiting for a connection took every thread while the requests holding connections waited for a
thread to clean up — nothing moved until the pool's 30 s timeout. A real `serve` process here.
"""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backoffice.db import make_engine, make_session_factory
from backoffice.enrollment import new_enrollment_code
from backoffice.settings import load_settings
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


def test_many_kiosks_at_once_each_resending_its_batch_store_every_event_once(service: LiveBackoffice) -> None:
    """Heartbeats and event batches from many kiosks at once, each batch sent three times at the same moment
    (a kiosk's retry racing its first try): on SQLite the writers take turns, and the losers of each race
    find the winner's rows and answer duplicates."""
    client = BackofficeClient(service.url)
    tokens = [client.enroll(code, f"kiosk-{n}", "0.1.0").token for n, code in enumerate(_codes(service, KIOSKS // 4))]
    client.close()
    batches = [[_event() for _ in range(5)] for _ in tokens]

    async def burst() -> list[tuple[int, dict[str, list[str]]]]:
        limits = httpx.Limits(max_connections=KIOSKS)
        async with httpx.AsyncClient(base_url=service.url, timeout=20, limits=limits) as http:

            async def send(path: str, token: str, body: dict[str, object]) -> tuple[int, dict[str, list[str]]]:
                answer = await http.post(path, headers={"Authorization": f"Bearer {token}"}, json=body)
                return answer.status_code, answer.json() if path.endswith("events") else {}

            beat = {"version": "0.1.0", "uptime_seconds": 1, "health": {"printer": {"state": "ok"}}}
            sends = [send("/api/v1/heartbeat", token, beat) for token in tokens]
            for token, batch in zip(tokens, batches, strict=True):
                sends += [send("/api/v1/events", token, {"events": batch}) for _ in range(3)]
            return await asyncio.gather(*sends)

    results = asyncio.run(burst())

    assert [status for status, _ in results] == [200] * len(results)
    answers = iter(answer for _, answer in results[len(tokens) :])
    for batch in batches:
        ids = [event["id"] for event in batch]
        three = [next(answers) for _ in range(3)]
        assert sorted(len(a["accepted"]) for a in three) == [0, 0, 5]  # stored by exactly one of the three
        assert all(sorted(a["accepted"] + a["duplicates"]) == sorted(ids) for a in three)
    with sqlite3.connect(service.database) as db:
        assert db.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone() == (5 * len(tokens),) * 2


def _codes(service: LiveBackoffice, count: int) -> list[str]:
    """Codes from the backoffice's own function, in one go (a CLI run per code takes a second each)."""
    settings = load_settings(str(service.database))
    engine = make_engine(settings.database_url, pooled=False)
    try:
        with make_session_factory(engine)() as db:
            return [new_enrollment_code(db, settings, "Bibliotheek Oost") for _ in range(count)]
    finally:
        engine.dispose()


def _event() -> dict[str, object]:
    return {"id": str(uuid.uuid4()), "type": "task_done", "occurred_at": "2026-03-02T09:00:00+01:00", "data": {}}
