"""The kiosk without a backoffice in its config runs the embedded one, and what a citizen does
arrives there as events (no personal data), with heartbeats — through the outbox and real HTTP."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from kiosk.config import default_config
from kiosk.ui.app import Kiosk, open_shell
from tests.conftest import FakeClock
from tests.ui.conftest import find, tap


@pytest.fixture
def reporting_kiosk(qtbot: QtBot, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kiosk]:
    monkeypatch.setenv("BALIE_DATA", str(tmp_path))
    shell = open_shell(default_config(), clock=clock)
    built = shell.complete(health_interval=3600, reporting=True)
    built.window.show()
    qtbot.waitExposed(built.window)
    qtbot.waitUntil(lambda: built.reporting is not None, timeout=60_000)
    yield built
    built.close()


def stored(database: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return list(db.execute(query))


def test_a_session_reaches_the_embedded_backoffice(qtbot: QtBot, reporting_kiosk: Kiosk, tmp_path: Path) -> None:
    kiosk = reporting_kiosk
    assert kiosk.reporting is not None and kiosk.reporting.url.startswith("http://127.0.0.1:")
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_ticket"))
    tap(qtbot, find(kiosk, "topic_A"))
    # The number is made off the UI thread (by the backoffice when there is one).
    qtbot.waitUntil(lambda: find(kiosk, "ticketNumber").text() == "A001", timeout=10_000)
    kiosk.machine.finish()
    tap(qtbot, find(kiosk, "goodbyeNext"))  # the session ends
    outbox = kiosk.reporting.outbox
    qtbot.waitUntil(lambda: len(outbox) == 0, timeout=30_000)
    database = tmp_path / "backoffice.db"
    events = stored(database, "SELECT type, session_id, data FROM events ORDER BY occurred_at, id")
    kinds = [row[0] for row in events]
    assert kinds[0] == "session_started" and "ticket_issued" in kinds and kinds[-1] == "session_ended"
    assert len({row[1] for row in events}) == 1, "one session, one id"
    ticket = next(row for row in events if row[0] == "ticket_issued")
    assert '"A001"' in str(ticket[2])
    qtbot.waitUntil(lambda: kiosk.reporting is not None and kiosk.reporting.heartbeat.sent > 0, timeout=30_000)
    devices = stored(database, "SELECT last_heartbeat_at, state FROM devices")
    assert len(devices) == 1 and devices[0][0] is not None
    # The kiosk's data folder holds no personal data: only the outbox, the backoffice and its keys.
    assert (tmp_path / "embedded-device-token").stat().st_mode & 0o077 == 0


def test_restarted_kiosk_keeps_its_enrollment(qtbot: QtBot, clock: FakeClock, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BALIE_DATA", str(tmp_path))
    tokens = []
    for _ in range(2):
        shell = open_shell(default_config(), clock=clock)
        kiosk = shell.complete(health_interval=3600, reporting=True)
        qtbot.waitUntil(lambda kiosk=kiosk: kiosk.reporting is not None, timeout=60_000)
        tokens.append((tmp_path / "embedded-device-token").read_text())
        kiosk.close()
    assert tokens[0] == tokens[1]
    assert len(stored(tmp_path / "backoffice.db", "SELECT id FROM devices")) == 1


def test_numbers_come_from_the_backoffice_and_from_the_kiosk_when_it_is_gone(
    qtbot: QtBot, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    monkeypatch.setenv("BALIE_DATA", str(tmp_path))
    config = default_config()
    config = dataclasses.replace(config, queue=dataclasses.replace(config.queue, prefix="K"))
    kiosk = open_shell(config, clock=clock).complete(health_interval=3600, reporting=True)
    try:
        kiosk.window.show()
        qtbot.waitUntil(lambda: kiosk.reporting is not None, timeout=60_000)
        tap(qtbot, find(kiosk, "startButton"))
        tap(qtbot, find(kiosk, "tile_ticket"))
        tap(qtbot, find(kiosk, "topic_B"))
        qtbot.waitUntil(lambda: find(kiosk, "ticketNumber").text() == "B001", timeout=10_000)
        numbers = stored(tmp_path / "backoffice.db", "SELECT sequence FROM tickets")
        assert len(numbers) == 1, "the number was drawn from the backoffice's sequence"
        assert kiosk.reporting is not None and kiosk.reporting.embedded is not None
        kiosk.reporting.embedded.stop()  # the backoffice is gone
        tap(qtbot, find(kiosk, "ticketMore"))
        tap(qtbot, find(kiosk, "tile_ticket"))
        tap(qtbot, find(kiosk, "topic_B"))
        qtbot.waitUntil(lambda: find(kiosk, "ticketNumber").text() == "K-B001", timeout=20_000)
    finally:
        kiosk.close()
