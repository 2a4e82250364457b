"""Idle: 'Bent u er nog?' with a visible and spoken countdown, one tap to stay, then the end."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.attract import AttractScreen
from tests.conftest import FakeClock
from tests.ui.conftest import find, tap


def spoken(kiosk: Kiosk) -> list[str]:
    return [u.text for u in kiosk.drivers.speech.utterances]


def test_idle_warning_countdown_extend_then_timeout(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    settings = kiosk.machine._settings
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_opening_hours"))
    overlay = kiosk.window.overlay
    assert not overlay.isVisible()

    clock.advance(settings.idle_seconds)
    kiosk.controller.tick()
    assert overlay.isVisible()
    assert find(kiosk, "idleQuestion").text() == "Bent u er nog?"
    assert find(kiosk, "idleCountdown").text() == str(settings.warning_seconds)
    assert settings.warning_seconds >= 20
    assert any(text.startswith("Bent u er nog?") for text in spoken(kiosk)), "the warning is spoken"

    clock.advance(settings.warning_seconds - 10)
    kiosk.controller.tick()
    assert find(kiosk, "idleCountdown").text() == "10"
    assert spoken(kiosk)[-1] == "Nog 10 seconden"

    tap(qtbot, find(kiosk, "stillHere"))  # one tap extends
    assert not overlay.isVisible()
    assert kiosk.machine.phase is Phase.TASK

    clock.advance(settings.idle_seconds)
    kiosk.controller.tick()
    assert overlay.isVisible()
    clock.advance(settings.warning_seconds)
    kiosk.controller.tick()
    assert not overlay.isVisible()
    assert isinstance(kiosk.window.current_screen, AttractScreen)
    assert kiosk.machine.citizen is None
    assert spoken(kiosk) == [], "speech forgets what was said when the session ends"


def test_the_real_timer_is_armed_for_the_deadline(qtbot: QtBot, kiosk: Kiosk, clock: FakeClock) -> None:
    assert not kiosk.controller.deadline_timer.isActive(), "nothing ticks on the attract screen"
    tap(qtbot, find(kiosk, "startButton"))
    timer = kiosk.controller.deadline_timer
    assert timer.isActive()
    assert abs(timer.remainingTime() - kiosk.machine._settings.idle_seconds * 1000) < 1000
