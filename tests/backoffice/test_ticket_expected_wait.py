"""A new ticket's expected wait over the device API: the board's figure for its topic, absent while no
desk with a caseworker serves that topic."""

from __future__ import annotations

import uuid
from typing import Any

from backoffice_harness import Backoffice, bearer
from desk_harness import act, board, desk, staff_client


def _ticket(backoffice: Backoffice, token: str, topic: str) -> dict[str, Any]:
    body = {"topic": topic, "request_id": str(uuid.uuid4()), "language": "nl"}
    answer = backoffice.client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    ticket: dict[str, Any] = answer.json()
    return ticket


def test_no_wait_is_promised_while_nobody_serves_the_topic(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    desk(backoffice, "1", "A")  # a desk for A, but nobody signed in at it
    carla = staff_client(backoffice, "carla")
    try:
        before_anyone = _ticket(backoffice, kiosk, "A")
        act(carla, "sign-in", {"desk_id": 1})
        other_topic = _ticket(backoffice, kiosk, "B")  # desk 1 serves only A
        served = _ticket(backoffice, kiosk, "A")
    finally:
        carla.close()

    assert "estimated_wait_minutes" not in before_anyone
    assert "estimated_wait_minutes" not in other_topic
    assert served["estimated_wait_minutes"] == 10  # A001 and A002 waiting, five minutes each before any visit


def test_the_wait_is_the_boards_figure_from_todays_service_times(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    for _ in range(3):
        _ticket(backoffice, kiosk, "A")
    carla, dirk = staff_client(backoffice, "carla"), staff_client(backoffice, "dirk")
    try:
        act(carla, "sign-in", {"desk_id": desk(backoffice, "1", "A")})
        act(dirk, "sign-in", {"desk_id": desk(backoffice, "2")})  # every topic
        act(carla, "call-next")
        backoffice.clock.advance(minutes=6)
        act(carla, "done", {"outcome": "helped"})
        new = _ticket(backoffice, kiosk, "A")
        on_the_wall = board(backoffice, display)["waits"]
    finally:
        carla.close()
        dirk.close()

    # Three waiting (A002, A003 and the new A004) × the 6 minutes of today's visit ÷ two desks serving A.
    assert new["estimated_wait_minutes"] == 9
    assert on_the_wall == [{"topic": "A", "waiting": 3, "expected_minutes": 9}]
