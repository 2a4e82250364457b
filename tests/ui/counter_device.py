"""A counter device as `balie kiosk` builds it for `role = "counter"`, on simulated devices (a virtual ID
card on the reader, the pty printer simulator), linked to a desk played on loopback."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from drivers.cardreader.emrtd.factory import VirtualDocument, build_virtual_document
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.registry import build_all
from kiosk.config import BackofficeSettings, KioskConfig, Role, default_config
from kiosk.ui.counter.app import Counter, build_counter
from tests.counter.desk_server import TOKEN, DeskServer

SHOTS = Path("/tmp")


@pytest.fixture
def desk() -> Iterator[DeskServer]:
    with DeskServer(paired=True) as server:
        yield server


@pytest.fixture
def id_card() -> VirtualDocument:
    return build_virtual_document("id-card", access="pace")


def counter_config(desk: DeskServer) -> KioskConfig:
    config = default_config()
    return dataclasses.replace(
        config,
        device=dataclasses.replace(config.device, role=Role.COUNTER),
        backoffice=BackofficeSettings(url=desk.url, token=TOKEN),
    )


@pytest.fixture
def counter(qtbot: QtBot, desk: DeskServer, id_card: VirtualDocument) -> Iterator[Counter]:
    config = counter_config(desk)
    reader = SimulatedCardReader()
    reader.insert(id_card.chip)
    drivers = dataclasses.replace(build_all(config.hardware.choices()), cardreader=reader)
    built = build_counter(config, drivers=drivers, offline_wipe_seconds=2.0, backoff=(0.05, 0.1))
    built.window.show()
    qtbot.waitExposed(built.window)
    yield built
    built.close()


def visible(counter: Counter, name: str) -> QWidget:
    """A control named `name` that the citizen sees now."""
    for widget in counter.window.findChildren(QWidget, name):
        if widget.isVisible():
            return widget
    raise AssertionError(f"no visible control named {name!r}")


def shows(counter: Counter, name: str) -> bool:
    return any(w.isVisible() for w in counter.window.findChildren(QWidget, name))


def shoot(counter: Counter, name: str) -> None:
    QApplication.processEvents()  # wrapped labels get their height in the layout pass after a change
    counter.window.grab().save(str(SHOTS / f"counter-{name}.png"))


def arrived(qtbot: QtBot, desk: DeskServer, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    """The desk's newest message of this kind, waiting with Qt's event loop running (signals from the
    reader's and printer's threads reach the window only then)."""
    qtbot.waitUntil(lambda: bool(desk.messages(kind)), timeout=round(timeout * 1000))
    return desk.messages(kind)[-1]
