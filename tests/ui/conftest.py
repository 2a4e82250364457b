"""A whole kiosk, built the way `balie kiosk` builds it, on simulated devices and a fake clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import KioskConfig, default_config
from kiosk.ui.app import Kiosk, build_kiosk
from tests.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def config() -> KioskConfig:
    return default_config()


@pytest.fixture
def kiosk(qtbot: QtBot, clock: FakeClock, config: KioskConfig) -> Iterator[Kiosk]:
    built = build_kiosk(config, clock=clock, health_interval=3600)
    built.window.show()
    qtbot.waitExposed(built.window)
    built.window.activateWindow()
    qtbot.waitUntil(lambda: bool(built.controller.health), timeout=5000)
    yield built
    built.close()


def tap(qtbot: QtBot, widget: QWidget) -> None:
    """A citizen's tap: press and release on the control, as a touch screen sends it."""
    assert widget.isVisible(), f"{widget.objectName()} is not on screen"
    assert widget.isEnabled(), f"{widget.objectName()} is disabled"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def press(qtbot: QtBot, key: Qt.Key) -> None:
    """A key on a keyboard or navigation keypad, sent to whatever has focus."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has keyboard focus"
    qtbot.keyClick(target, key)


def find(kiosk: Kiosk, name: str) -> QWidget:
    """A control on the screen the citizen sees now (or the help bar / idle overlay)."""
    for root in (kiosk.window.overlay, kiosk.window.current_screen, kiosk.window):
        for widget in root.findChildren(QWidget, name):
            if widget.isVisible():
                return widget
    raise AssertionError(f"no visible control named {name!r}")
