"""The call's phases in the session machine, without Qt: one tap, the idle rules, the way back, the wipe."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk.config import SessionSettings
from kiosk.opening_hours import is_open
from kiosk.session import ATTENDED, CallOffer, Change, Phase, SessionMachine, TransitionError
from tests.conftest import FakeClock

SETTINGS = SessionSettings(idle_seconds=60, warning_seconds=30, goodbye_seconds=8)


def machine_with(clock: FakeClock, offer: CallOffer) -> SessionMachine:
    machine = SessionMachine(SETTINGS, ["nl", "en"], clock=clock)
    machine.offer_calls(lambda: offer)
    return machine


def test_without_a_backoffice_talk_to_a_person_is_the_help_screen() -> None:
    machine = machine_with(FakeClock(), CallOffer.NONE)
    machine.talk_to_person()
    assert machine.phase is Phase.HELP
    assert machine.citizen is not None and machine.citizen.call is None


def test_one_tap_calls_and_the_call_moves_the_session() -> None:
    clock = FakeClock()
    machine = machine_with(clock, CallOffer.OPEN)
    changes: list[Change] = []
    machine.subscribe(changes.append)
    machine.start()
    machine.choose_task("scan")
    assert machine.citizen is not None
    machine.citizen.task_data["pages"] = 2
    machine.talk_to_person()
    assert machine.phase is Phase.CALLING
    assert machine.citizen.task_data == {"pages": 2}, "waiting for a call is a detour: the task is kept"
    machine.talk_to_person()  # a second tap changes nothing
    assert [c.phase for c in changes] == [Phase.MENU, Phase.TASK, Phase.CALLING]

    machine.call_answered("call-1")
    assert machine.phase is Phase.IN_CALL
    assert machine.citizen.task_id is None and changes[-1].task_left, "after a conversation the task is over"
    machine.call_ended("call-1", "caseworker")
    assert machine.phase is Phase.AFTER_CALL
    call = machine.citizen.call
    assert call is not None and (call.call_id, call.answered, call.end_reason) == ("call-1", True, "caseworker")
    machine.finish()
    clock.advance(SETTINGS.goodbye_seconds)
    machine.tick()
    assert machine.phase is Phase.ATTRACT and machine.citizen is None


def test_cancel_while_waiting_returns_where_the_citizen_was() -> None:
    machine = machine_with(FakeClock(), CallOffer.OPEN)
    machine.start()
    machine.choose_task("opening_hours")
    machine.talk_to_person()
    machine.back()
    assert machine.phase is Phase.TASK
    assert machine.citizen is not None and machine.citizen.task_id == "opening_hours"
    assert machine.citizen.call is None


def test_idle_ends_a_queue_nobody_watches_but_not_a_conversation() -> None:
    clock = FakeClock()
    machine = machine_with(clock, CallOffer.OPEN)
    machine.talk_to_person()
    assert Phase.CALLING in ATTENDED and Phase.IN_CALL not in ATTENDED
    clock.advance(SETTINGS.idle_seconds)
    machine.tick()
    assert machine.warning_seconds_left() == SETTINGS.warning_seconds
    clock.advance(SETTINGS.warning_seconds)
    machine.tick()
    assert machine.phase is Phase.ATTRACT and machine.citizen is None

    machine.talk_to_person()
    machine.call_answered("call-2")
    clock.advance(3600)
    machine.tick()
    assert machine.phase is Phase.IN_CALL and machine.next_deadline() is None
    assert machine.warning_seconds_left() is None


def test_closed_says_so_without_calling() -> None:
    machine = machine_with(FakeClock(), CallOffer.CLOSED)
    machine.start()
    machine.talk_to_person()
    assert machine.phase is Phase.AFTER_CALL
    assert machine.citizen is not None and machine.citizen.call is not None
    assert machine.citizen.call.end_reason == "closed" and machine.citizen.call.call_id is None
    machine.choose_task("ticket")
    assert machine.phase is Phase.TASK


def test_call_again_names_the_call_that_broke_off() -> None:
    machine = machine_with(FakeClock(), CallOffer.OPEN)
    machine.start()
    machine.choose_task("identify")
    machine.talk_to_person()
    machine.call_answered("call-3")
    machine.call_ended("call-3", "network")
    machine.call_again()
    assert machine.phase is Phase.CALLING
    assert machine.citizen is not None and machine.citizen.call is not None
    assert machine.citizen.call.again_of == "call-3" and machine.citizen.call.call_id is None
    machine.back()
    assert machine.phase is Phase.MENU, "the task was left when the first call was answered"


def test_call_events_outside_a_call_are_refused() -> None:
    machine = machine_with(FakeClock(), CallOffer.OPEN)
    machine.start()
    with pytest.raises(TransitionError):
        machine.call_answered("call-4")
    with pytest.raises(TransitionError):
        machine.call_again()


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (dt.datetime(2025, 3, 4, 8, 59), False),  # Tuesday, before nine
        (dt.datetime(2025, 3, 4, 9, 0), True),
        (dt.datetime(2025, 3, 4, 16, 59), True),
        (dt.datetime(2025, 3, 4, 17, 0), False),
        (dt.datetime(2025, 3, 6, 19, 30), True),  # Thursday evening
        (dt.datetime(2025, 3, 8, 11, 0), False),  # Saturday
    ],
)
def test_opening_hours(moment: dt.datetime, expected: bool) -> None:
    hours = dict.fromkeys(("monday", "tuesday", "wednesday", "friday"), "09:00-17:00")
    hours.update(thursday="09:00-20:00", saturday="closed")
    assert is_open(hours, moment) is expected
