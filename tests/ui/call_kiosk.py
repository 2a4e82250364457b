"""What the call-screen tests share: a live backoffice with a caseworker, a kiosk enrolled with it, screenshots.

Test modules import the fixtures (`*_fixture`, each registered under its short name). The kiosk is
built as `balie kiosk` builds it, with [backoffice] url and token in its config, so one
tap on "talk to a person" places a real call; the caseworker is tests/ui/caseworker_peer.py. The
office is open at a fixed Tuesday morning, whatever the time the tests run.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from drivers.cardreader.emrtd.factory import VirtualDocument, build_virtual_document
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.registry import build_all
from kiosk.backoffice_client import BackofficeClient
from kiosk.config import KioskConfig, parse_config
from kiosk.ui.app import Kiosk, build_kiosk
from kiosk.ui.call_flow import CallFlow
from tests.conftest import FakeClock
from tests.live_backoffice import LiveBackoffice
from tests.ui.caseworker_peer import Caseworker, add_caseworker

SHOTS = Path("/tmp/balie-call-shots")
OPEN = dt.datetime(2025, 3, 4, 10, 30)  # a Tuesday morning: open by the default opening hours


@pytest.fixture(scope="module", name="backoffice")
def backoffice_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    folder = tmp_path_factory.mktemp("calls")
    service = LiveBackoffice(folder)
    service.start()
    add_caseworker(service, "carla", folder)
    try:
        yield service
    finally:
        service.stop()


def enroll(url: str, code: str, name: str) -> str:
    client = BackofficeClient(url)
    try:
        return client.enroll(code, name, "0.1.0").token
    finally:
        client.close()


@pytest.fixture(scope="module", name="device_token")
def device_token_fixture(backoffice: LiveBackoffice) -> str:
    return enroll(backoffice.url, backoffice.enrollment_code("Stadhuis Zuid"), "kiosk-zuid")


@pytest.fixture(name="caseworker")
def caseworker_fixture(backoffice: LiveBackoffice) -> Iterator[Caseworker]:
    person = Caseworker(backoffice.url, "carla")
    person.available()
    try:
        yield person
    finally:
        person.close()


@pytest.fixture(name="document")
def document_fixture() -> VirtualDocument:
    return build_virtual_document("id-card")


@pytest.fixture(name="call_config")
def call_config_fixture(backoffice: LiveBackoffice, device_token: str) -> dict[str, Any]:
    """The kiosk's config as a table; a test changes it before `kiosk` is built."""
    return {"backoffice": {"url": backoffice.url, "token": device_token}}


@pytest.fixture(name="config")
def config_fixture(call_config: dict[str, Any]) -> KioskConfig:
    return parse_config(call_config)


@pytest.fixture(name="kiosk")
def kiosk_fixture(qtbot: QtBot, clock: FakeClock, config: KioskConfig, document: VirtualDocument) -> Iterator[Kiosk]:
    reader = SimulatedCardReader()
    reader.insert(document.chip)
    drivers = dataclasses.replace(build_all(config.hardware.choices()), cardreader=reader)
    built = build_kiosk(config, clock=clock, drivers=drivers, health_interval=3600)
    flow(built).now = lambda: OPEN
    flow(built).service.engine_options = {"reconnect_seconds": 3.0, "connect_timeout": 3.0}
    built.window.show()
    qtbot.waitExposed(built.window)
    built.window.activateWindow()
    qtbot.waitUntil(lambda: bool(built.controller.health), timeout=5000)
    yield built
    built.close()


def flow(kiosk: Kiosk) -> CallFlow:
    call = kiosk.window.context.call
    assert call is not None
    return call


def shown(kiosk: Kiosk, name: str) -> bool:
    """Whether a control of that name is on screen now (for waitUntil)."""
    for root in (kiosk.window.current_screen, kiosk.window):
        if any(w.isVisible() for w in root.findChildren(QWidget, name)):
            return True
    return False


def shoot(kiosk: Kiosk, name: str) -> None:
    """The screen as it is, in Dutch and in English, for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    machine = kiosk.machine
    before = machine.language
    for language in ("nl", "en"):
        machine.set_language(language)
        QCoreApplication.processEvents()
        kiosk.window.grab().save(str(SHOTS / f"{name}-{language}.png"), "PNG")
    machine.set_language(before)
    QCoreApplication.processEvents()


def video_contact(backoffice: LiveBackoffice) -> tuple[Any, ...] | None:
    with sqlite3.connect(backoffice.database) as db:
        row = db.execute(
            "SELECT topic, outcome, feedback FROM contacts WHERE channel = 'video' ORDER BY started_at DESC"
        ).fetchone()
    return tuple(row) if row is not None else None
