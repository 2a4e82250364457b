"""An unexpected error while a citizen is at the kiosk: logged without their data, session reset."""

from __future__ import annotations

import logging

import pytest
from pytestqt.qtbot import QtBot

from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.recovery import Recovery
from kiosk.ui.screens.attract import AttractScreen
from tests.ui.conftest import find, tap


@pytest.mark.qt_no_exception_capture
def test_error_in_a_screen_resets_to_attract_and_logs_no_personal_data(
    qtbot: QtBot, kiosk: Kiosk, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    recovery = Recovery(kiosk.machine.reset)
    recovery.install()
    try:
        appointments = kiosk.window.context.appointments
        assert appointments is not None

        def broken_look_up(code: str) -> object:
            raise ValueError(f"cannot look up {code}")

        monkeypatch.setattr(appointments, "look_up", broken_look_up)
        tap(qtbot, find(kiosk, "startButton"))
        tap(qtbot, find(kiosk, "tile_checkin"))
        tap(qtbot, find(kiosk, "typeCode"))  # type instead of showing the QR code
        for char in "QX7ZEBRA":
            tap(qtbot, find(kiosk, f"key_{char}"))
        assert kiosk.machine.phase is Phase.TASK
        with caplog.at_level(logging.ERROR, logger="balie.kiosk"):
            tap(qtbot, find(kiosk, "checkinSubmit"))
            # The look-up runs off the UI thread; its error is raised again on the UI thread.
            qtbot.waitUntil(lambda: recovery.failures == 1, timeout=5000)
        assert kiosk.machine.phase is Phase.ATTRACT and kiosk.machine.citizen is None
        assert isinstance(kiosk.window.current_screen, AttractScreen)
        logged = caplog.text
        assert "ValueError at" in logged and "checkin.py" in logged
        assert "QX7ZEBRA" not in logged, "the exception message (with the typed code) is not logged"
    finally:
        recovery.uninstall()
