"""The citizen session machine, without Qt: paths, refusals, idle and the wipe."""

from __future__ import annotations

import pytest

from kiosk.config import SessionSettings
from kiosk.idle import IdleState
from kiosk.session import Change, Phase, SessionMachine, TransitionError
from tests.conftest import FakeClock

SETTINGS = SessionSettings(idle_seconds=60, warning_seconds=30, goodbye_seconds=8)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def machine(clock: FakeClock) -> SessionMachine:
    return SessionMachine(SETTINGS, ["nl", "en"], clock=clock)


def test_full_path_attract_menu_task_goodbye_attract(machine: SessionMachine, clock: FakeClock) -> None:
    changes: list[Change] = []
    machine.subscribe(changes.append)
    machine.start("en")
    assert machine.phase is Phase.MENU and machine.language == "en"
    machine.choose_task("checkin")
    assert machine.phase is Phase.TASK and machine.citizen and machine.citizen.task_id == "checkin"
    machine.citizen.task_data["code"] = "K7Q29XZD"
    machine.finish()
    assert machine.phase is Phase.GOODBYE
    assert machine.citizen.task_data == {}, "leaving a task drops its inputs"
    clock.advance(7.9)
    machine.tick()
    assert machine.phase is Phase.GOODBYE
    clock.advance(0.2)
    machine.tick()
    assert machine.phase is Phase.ATTRACT
    assert machine.citizen is None
    assert [c.phase for c in changes] == [Phase.MENU, Phase.TASK, Phase.GOODBYE, Phase.ATTRACT]
    assert changes[-1].session_ended


def test_refuses_events_a_phase_does_not_accept(machine: SessionMachine) -> None:
    with pytest.raises(TransitionError):
        machine.finish()  # nothing to finish on the attract screen
    with pytest.raises(TransitionError):
        machine.choose_task("checkin")
    machine.start()
    with pytest.raises(TransitionError):
        machine.welcome_done()


def test_talk_to_person_from_anywhere_returns_where_the_citizen_was(machine: SessionMachine) -> None:
    machine.talk_to_person()
    assert machine.phase is Phase.HELP and machine.citizen is not None
    machine.back()
    assert machine.phase is Phase.MENU
    machine.choose_task("opening_hours")
    machine.talk_to_person()
    machine.back()
    assert machine.phase is Phase.TASK and machine.citizen and machine.citizen.task_id == "opening_hours"


def test_unknown_language_is_refused(machine: SessionMachine) -> None:
    with pytest.raises(ValueError):
        machine.start("tr")


def test_idle_warning_then_extension_with_one_touch(machine: SessionMachine, clock: FakeClock) -> None:
    machine.start()
    assert machine.next_deadline() == clock.now + 60
    clock.advance(60)
    machine.tick()
    assert machine.idle.state is IdleState.WARNING
    assert machine.warning_seconds_left() == 30
    clock.advance(12.5)
    assert machine.warning_seconds_left() == 18
    machine.touch()
    assert machine.idle.state is IdleState.ACTIVE
    assert machine.warning_seconds_left() is None
    clock.advance(59)
    machine.tick()
    assert machine.phase is Phase.MENU and machine.idle.state is IdleState.ACTIVE


def test_idle_timeout_ends_the_session_and_wipes(machine: SessionMachine, clock: FakeClock) -> None:
    machine.start()
    machine.set_preferences(high_contrast=True, speech=True)
    machine.choose_task("checkin")
    clock.advance(60)
    machine.tick()
    clock.advance(30)
    machine.tick()
    assert machine.phase is Phase.ATTRACT
    assert machine.citizen is None
    assert machine.next_deadline() is None, "nothing runs on the attract screen"


def test_no_idle_clock_on_attract(machine: SessionMachine, clock: FakeClock) -> None:
    clock.advance(10_000)
    machine.tick()
    assert machine.phase is Phase.ATTRACT


def test_preferences_belong_to_one_session(machine: SessionMachine, clock: FakeClock) -> None:
    machine.open_welcome()
    machine.set_preferences(large_text=True)
    machine.set_language("en")
    machine.welcome_done()
    machine.finish()
    machine.start()  # a tap on goodbye: straight back to attract
    assert machine.phase is Phase.ATTRACT
    machine.start()
    assert machine.citizen is not None
    assert machine.citizen.large_text is False and machine.language == "nl"
