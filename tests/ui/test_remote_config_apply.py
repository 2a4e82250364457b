"""The location's settings from a real backoffice reach the kiosk's screens, but only between citizens."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from kiosk.backoffice_client import BackofficeClient
from kiosk.config import KioskConfig
from kiosk.remote_config import STORE_NAME, RemoteConfig
from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from tests.conftest import FakeClock
from tests.live_backoffice import LiveBackoffice, balie
from tests.ui.conftest import find, tap

LOCATION = "Stadhuis Zwolle"
TASKS = {"device": {"tasks": ["ticket", "opening_hours"]}, "opening_hours": {"monday": "10:00-12:00"}}
TOPIC_P = {
    "queue": {
        "topics": [
            {"letter": "P", "name": {"nl": "Paspoort", "en": "Passport"}, "wait_area": {"nl": "Hal", "en": "Hall"}}
        ]
    }
}


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path)
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def client(backoffice: LiveBackoffice) -> Iterator[BackofficeClient]:
    enroller = BackofficeClient(backoffice.url)
    try:
        token = enroller.enroll(backoffice.enrollment_code(LOCATION), "kiosk-ui", "0.1.0").token
    finally:
        enroller.close()
    device = BackofficeClient(backoffice.url, token, timeout=2.0)
    try:
        yield device
    finally:
        device.close()


def set_location_config(backoffice: LiveBackoffice, tmp_path: Path, settings: Mapping[str, object]) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings))
    balie("backoffice", "location-config", "--location", LOCATION, "--file", str(path),
          "--database", str(backoffice.database))  # fmt: skip


def fetching(kiosk: Kiosk, client: BackofficeClient | None, folder: Path) -> RemoteConfig:
    assert kiosk.remote_config is not None
    return kiosk.remote_config.start_fetching(kiosk.window.context.config, lambda: client, folder, interval=3600)


def refetch(qtbot: QtBot, fetcher: RemoteConfig, version: int) -> None:
    fetcher.fetch_soon()
    qtbot.waitUntil(lambda: fetcher.version == version, timeout=15_000)


def test_settings_fetched_while_idle_are_on_the_next_citizens_menu(
    qtbot: QtBot, kiosk: Kiosk, backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    set_location_config(backoffice, tmp_path, TASKS)
    fetcher = fetching(kiosk, client, tmp_path)

    qtbot.waitUntil(lambda: kiosk.window.context.config.device.tasks == ["ticket", "opening_hours"], timeout=15_000)
    tap(qtbot, find(kiosk, "startButton"))

    assert find(kiosk, "tile_ticket") and find(kiosk, "tile_opening_hours")
    with pytest.raises(AssertionError):
        find(kiosk, "tile_checkin")
    assert fetcher.version == 1
    call = kiosk.window.context.call
    assert call is not None and call.config.opening_hours == {"monday": "10:00-12:00"}  # "talk to a person" too
    tap(qtbot, find(kiosk, "tile_opening_hours"))
    assert "10:00" in " ".join(label.text() for label in kiosk.window.current_screen.findChildren(QLabel))


def test_settings_arriving_mid_task_wait_until_the_session_ends(
    qtbot: QtBot, kiosk: Kiosk, clock: FakeClock, backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    fetcher = fetching(kiosk, client, tmp_path)
    qtbot.waitUntil(lambda: fetcher.version == 0, timeout=15_000)
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_ticket"))
    assert find(kiosk, "topic_A").isVisible()

    set_location_config(backoffice, tmp_path, TOPIC_P)
    refetch(qtbot, fetcher, 1)
    assert kiosk.remote_config is not None
    qtbot.waitUntil(lambda: kiosk.remote_config is not None and kiosk.remote_config.pending.waiting, timeout=5_000)
    QApplication.processEvents()  # the offer's queued signal arrives: the citizen's screen must not change

    assert kiosk.remote_config.pending.waiting

    assert kiosk.machine.phase.value == "task"
    assert find(kiosk, "topic_A").isVisible()
    assert [topic.letter for topic in kiosk.window.context.config.queue.topics] == ["A", "B", "C", "D"]

    kiosk.machine.finish()
    clock.advance(kiosk.window.context.config.session.goodbye_seconds + 1)
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.ATTRACT
    qtbot.waitUntil(lambda: [t.letter for t in kiosk.window.context.config.queue.topics] == ["P"], timeout=5_000)
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_ticket"))
    assert find(kiosk, "topic_P").isVisible()
    assert kiosk.window.context.tickets is not None
    assert kiosk.window.context.tickets.take("P").number == "P001"


def test_an_invalid_document_changes_nothing_and_the_stored_one_is_used_offline(
    qtbot: QtBot,
    kiosk: Kiosk,
    config: KioskConfig,
    backoffice: LiveBackoffice,
    client: BackofficeClient,
    tmp_path: Path,
) -> None:
    set_location_config(backoffice, tmp_path, TASKS)
    fetcher = fetching(kiosk, client, tmp_path)
    qtbot.waitUntil(lambda: kiosk.window.context.config.device.tasks == ["ticket", "opening_hours"], timeout=15_000)
    good = kiosk.window.context.config
    with sqlite3.connect(backoffice.database) as db:
        # What the command would refuse, as an older backoffice or a hand-edited database might hold.
        db.execute(
            "UPDATE location_settings SET version = 2, settings = ?",
            (json.dumps({"device": {"tasks": ["ticket", "ticket"]}}),),
        )

    fetcher.fetch_soon()
    qtbot.waitUntil(lambda: fetcher.etag.startswith('"v2-'), timeout=15_000)  # the answer came, and was refused
    QApplication.processEvents()

    assert fetcher.version == 1 and kiosk.window.context.config is good
    assert json.loads((tmp_path / STORE_NAME).read_text())["version"] == 1

    # The backoffice goes down and the kiosk starts again with its own config: the stored settings return.
    backoffice.kill()
    assert kiosk.remote_config is not None
    kiosk.remote_config.close()
    kiosk.window.context.config = config
    restarted = fetching(kiosk, client, tmp_path)
    qtbot.waitUntil(lambda: kiosk.window.context.config.device.tasks == ["ticket", "opening_hours"], timeout=15_000)
    assert restarted.version == 1
