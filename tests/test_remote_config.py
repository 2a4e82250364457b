"""Remote configuration, kiosk side, against a real `balie backoffice serve`: fetched, checked, kept on disk,
refused when invalid, kept when the backoffice is gone, and handed over only when nobody is at the kiosk."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.backoffice_client import BackofficeClient
from kiosk.config import KioskConfig, default_config
from kiosk.errors import ConfigError
from kiosk.remote_config import (
    STORE_NAME,
    PendingConfig,
    RemoteConfig,
    RemoteConfigStore,
    check_settings,
    merge,
    session_is_idle,
)
from kiosk.session import Phase, SessionMachine
from tests.conftest import FakeClock
from tests.live_backoffice import LiveBackoffice, balie

LOCATION = "Bibliotheek Oost"
FIRST = {"device": {"tasks": ["ticket", "opening_hours"]}, "opening_hours": {"monday": "10:00-16:00"}}
SECOND = {
    "queue": {
        "topics": [
            {"letter": "P", "name": {"nl": "Paspoort", "en": "Passport"}, "wait_area": {"nl": "Hal", "en": "Hall"}}
        ]
    },
    "counter": {"location_text": {"nl": "Loop naar balie 3.", "en": "Walk to desk 3."}},
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
        token = enroller.enroll(backoffice.enrollment_code(LOCATION), "kiosk-test", "0.1.0").token
    finally:
        enroller.close()
    device = BackofficeClient(backoffice.url, token, timeout=2.0)
    try:
        yield device
    finally:
        device.close()


def set_location_config(backoffice: LiveBackoffice, tmp_path: Path, settings: dict[str, object]) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(settings))
    balie("backoffice", "location-config", "--location", LOCATION, "--file", str(path),
          "--database", str(backoffice.database))  # fmt: skip


def store_behind_the_commands_back(backoffice: LiveBackoffice, version: int, settings: object) -> None:
    """An invalid document, as an older backoffice or a hand-edited database might hold."""
    with sqlite3.connect(backoffice.database) as db:
        db.execute("UPDATE location_settings SET version = ?, settings = ?", (version, json.dumps(settings)))


class Received:
    def __init__(self) -> None:
        self.configs: list[KioskConfig] = []
        self.arrived = threading.Event()

    def __call__(self, config: KioskConfig) -> None:
        self.configs.append(config)
        self.arrived.set()


def test_the_locations_settings_are_merged_into_the_devices_own_and_kept_on_disk(
    backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    local = default_config()
    store = RemoteConfigStore(tmp_path / "data" / STORE_NAME)
    received = Received()
    remote = RemoteConfig(local, lambda: client, store, received)
    nothing_yet = remote.fetch()  # a location never configured: version 0, the device's own config
    set_location_config(backoffice, tmp_path, FIRST)

    first = remote.fetch()
    again = remote.fetch()  # 304: nothing new
    set_location_config(backoffice, tmp_path, SECOND)
    second = remote.fetch()

    assert (first, again, second) == (True, False, True)
    assert nothing_yet is True and received.configs[0] == local
    config = received.configs[-1]
    assert remote.version == 2 and remote.config == config
    assert config.device.tasks == local.device.tasks  # the second document no longer sets them
    assert [topic.letter for topic in config.queue.topics] == ["P"]
    assert config.counter.location_text["nl"] == "Loop naar balie 3."
    assert received.configs[1].device.tasks == ["ticket", "opening_hours"]
    assert received.configs[1].opening_hours == {"monday": "10:00-16:00"}
    assert config.hardware == local.hardware and config.session == local.session  # never set remotely
    stored = json.loads(store.path.read_text())
    assert stored == {"version": 2, "settings": SECOND}  # the remote document only: no token, nothing personal


def test_an_invalid_document_is_refused_by_key_and_the_last_good_kept(
    backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = RemoteConfigStore(tmp_path / STORE_NAME)
    received = Received()
    remote = RemoteConfig(default_config(), lambda: client, store, received)
    set_location_config(backoffice, tmp_path, FIRST)
    remote.fetch()
    good = remote.config
    store_behind_the_commands_back(backoffice, 7, {"opening_hours": {"monday": "25:00-99:00"}})

    with caplog.at_level(logging.WARNING, logger="kiosk.remote_config"):
        taken = remote.fetch()
        store_behind_the_commands_back(backoffice, 8, {"hardware": {"printer": {"driver": "escpos"}}})
        taken_too = remote.fetch()

    assert (taken, taken_too) == (False, False)
    assert remote.config is good and remote.version == 1
    assert len(received.configs) == 1
    assert json.loads(store.path.read_text())["version"] == 1
    assert "refused at opening_hours.monday" in caplog.text
    assert "refused at hardware" in caplog.text
    assert "25:00" not in caplog.text and "escpos" not in caplog.text  # the key, never the value


def test_the_last_good_config_is_used_when_the_backoffice_is_down_also_after_a_restart(
    backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    local = default_config()
    store = RemoteConfigStore(tmp_path / STORE_NAME)
    set_location_config(backoffice, tmp_path, FIRST)
    remote = RemoteConfig(local, lambda: client, store, Received())
    remote.fetch()
    good = remote.config
    backoffice.kill()

    offline = remote.fetch()
    # The kiosk restarts with the backoffice still down: the stored settings, not the device's own.
    restarted = RemoteConfig(local, lambda: client, store, Received())
    at_start = restarted.load_stored()
    offline_after_restart = restarted.fetch()

    assert offline is False and remote.config is good
    assert at_start == good and at_start.device.tasks == ["ticket", "opening_hours"]
    assert offline_after_restart is False and restarted.config == good and restarted.version == 1


def test_a_damaged_or_no_longer_valid_stored_config_falls_back_to_the_devices_own(tmp_path: Path) -> None:
    local = default_config()
    store = RemoteConfigStore(tmp_path / STORE_NAME)
    store.path.write_text("{not json")
    damaged = RemoteConfig(local, lambda: None, store, Received()).load_stored()
    store.path.write_text(json.dumps({"version": 4, "settings": {"device": {"tasks": ["gone"]}}}))
    invalid = RemoteConfig(local, lambda: None, store, Received()).load_stored()

    assert damaged == local and invalid == local


def test_a_new_config_waits_while_a_citizen_is_in_a_task_and_applies_after_the_session(
    backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    local = default_config()
    clock = FakeClock()
    machine = SessionMachine(local.session, local.device.languages, clock=clock)
    pending = PendingConfig()
    remote = RemoteConfig(local, lambda: client, RemoteConfigStore(tmp_path / STORE_NAME), pending.offer)
    remote.fetch()
    assert pending.take_when_idle(session_is_idle(machine)) == local  # version 0 at start, while idle
    machine.start()
    machine.choose_task("ticket")
    assert not session_is_idle(machine)

    set_location_config(backoffice, tmp_path, FIRST)
    assert remote.fetch() is True  # arrives mid-task
    during_task = pending.take_when_idle(session_is_idle(machine))
    machine.finish()
    during_goodbye = pending.take_when_idle(session_is_idle(machine))
    clock.advance(local.session.goodbye_seconds + 1)
    machine.tick()
    after = pending.take_when_idle(session_is_idle(machine))

    assert during_task is None and during_goodbye is None
    assert machine.phase is Phase.ATTRACT
    assert after is not None and after.device.tasks == ["ticket", "opening_hours"]
    assert pending.take_when_idle(True) is None  # handed over once


def test_the_fetcher_runs_on_its_own_thread_and_stops(
    backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    set_location_config(backoffice, tmp_path, FIRST)
    received = Received()
    connected: list[BackofficeClient] = []  # reporting connects after the fetcher starts, as in the kiosk
    store = RemoteConfigStore(tmp_path / STORE_NAME)
    remote = RemoteConfig(
        default_config(), lambda: connected[0] if connected else None, store, received, interval=3600, retry=0.05
    )
    remote.start()
    try:
        assert not received.arrived.wait(0.2)
        connected.append(client)  # not an hour later: soon after, because nothing had answered yet
        assert received.arrived.wait(30)
    finally:
        remote.stop()
    assert received.configs[-1].device.tasks == ["ticket", "opening_hours"]


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"device": {"languages": ["nl"]}}, "device.languages"),
        ({"queue": {"prefix": "2"}}, "queue.prefix"),
        ({"opening_hours": "always"}, "opening_hours"),
        ({"device": "x"}, "device"),
    ],
)
def test_only_the_remote_keys_are_accepted(settings: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as refused:
        check_settings(settings)
    assert refused.value.message.startswith(key)


def test_a_backoffice_counting_versions_anew_is_still_heard(
    backoffice: LiveBackoffice, client: BackofficeClient, tmp_path: Path
) -> None:
    remote = RemoteConfig(default_config(), lambda: client, RemoteConfigStore(tmp_path / STORE_NAME), Received())
    set_location_config(backoffice, tmp_path, FIRST)
    remote.fetch()
    # Restored from a backup: version 1 again, other settings. Same version, different document: taken.
    store_behind_the_commands_back(backoffice, 1, SECOND)

    assert remote.fetch() is True
    assert [topic.letter for topic in remote.config.queue.topics] == ["P"]


def test_merge_keeps_the_devices_own_paths_and_hardware(tmp_path: Path) -> None:
    local = default_config()
    merged = merge(local, {"opening_hours": {"friday": "closed"}})
    assert merged.opening_hours == {"friday": "closed"}
    assert merged.hardware == local.hardware and merged.backoffice == local.backoffice
