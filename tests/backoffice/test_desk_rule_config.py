"""The call-next rule is configurable: by topic instead of oldest first, and the early/late minutes."""

from __future__ import annotations

import threading

import pytest
from backoffice_harness import Backoffice
from desk_harness import act, appointment, desk, staff_client, take
from fastapi.testclient import TestClient

from backoffice.desk.call_next import CallNextRule, Ordering
from backoffice.desk.rule_config import rule_from_environ
from backoffice.errors import BackofficeError


def test_by_topic_at_a_desk_serving_b_before_a_calls_the_younger_b_first(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    backoffice.clock.advance(minutes=5)
    take(backoffice, kiosk, "B")
    desk_id = desk(backoffice, "2", "BA")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": desk_id})
        backoffice.app.state.call_next_rule = CallNextRule(ordering=Ordering.BY_TOPIC)
        by_topic = act(carla, "call-next").json()["current"]["label"]
        act(carla, "done", {"outcome": "helped"})
        del backoffice.app.state.call_next_rule
        take(backoffice, kiosk, "B")
        oldest_first = act(carla, "call-next").json()["current"]["label"]
    finally:
        carla.close()

    assert (by_topic, oldest_first) == ("B001", "A001")


def test_the_early_minutes_decide_whether_an_appointment_beats_a_waiting_ticket(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    appointment(backoffice, kiosk, "P4R7WQ2M", "2026-03-02T10:15+01:00")  # starts in 15 minutes
    desk_id = desk(backoffice, "1")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": desk_id})
        backoffice.app.state.call_next_rule = CallNextRule(early_minutes=20)
        called = act(carla, "call-next").json()["current"]["label"]
    finally:
        carla.close()

    assert called == "P4R"  # due within 20 minutes: before the walk-in; by default (5) it would wait


def test_the_rule_from_the_environment_and_its_mistakes_in_one_line() -> None:
    assert rule_from_environ({}) == CallNextRule()
    assert rule_from_environ(
        {
            "BALIE_CALL_NEXT_ORDER": "by_topic",
            "BALIE_CALL_NEXT_EARLY_MINUTES": "0",
            "BALIE_CALL_NEXT_LATE_MINUTES": "15",
        }
    ) == CallNextRule(early_minutes=0, late_minutes=15, ordering=Ordering.BY_TOPIC)
    for wrong in ({"BALIE_CALL_NEXT_ORDER": "newest"}, {"BALIE_CALL_NEXT_LATE_MINUTES": "ten"}):
        with pytest.raises(BackofficeError, match="oldest_first or by_topic"):
            rule_from_environ(wrong)
    with pytest.raises(BackofficeError, match="0 or more"):
        rule_from_environ({"BALIE_CALL_NEXT_EARLY_MINUTES": "-5"})


def test_two_colleagues_taking_the_same_free_desk_at_once_one_gets_it(backoffice: Backoffice) -> None:
    backoffice.enroll()
    desk_id = desk(backoffice, "1")
    clients = [staff_client(backoffice, name) for name in ("carla", "dirk", "eva")]
    at_once = threading.Barrier(len(clients), timeout=30)
    answers: list[int] = []
    lock = threading.Lock()

    def take_desk(client: TestClient) -> None:
        at_once.wait()
        status = act(client, "sign-in", {"desk_id": desk_id}).status_code
        with lock:
            answers.append(status)

    threads = [threading.Thread(target=take_desk, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    taken_by = [c for c in clients if act(c, "call-next").json() != {"detail": "sign in to a desk first"}]
    for client in clients:
        client.close()

    assert sorted(answers) == [200, 409, 409]
    assert len(taken_by) == 1
