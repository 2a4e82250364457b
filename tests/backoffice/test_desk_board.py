"""The waiting-room display's board over HTTP: calls after an id, the last six, waits per topic, no names."""

from __future__ import annotations

from backoffice_harness import Backoffice, bearer
from desk_harness import act, appointment, board, desk, staff_client, take


def test_a_call_reaches_the_board_with_its_desk_and_language_and_recall_comes_after_it(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    take(backoffice, kiosk, "A", language="en")
    take(backoffice, kiosk, "A")
    take(backoffice, kiosk, "B", language=None)
    desk(backoffice, "3")
    carla = staff_client(backoffice, "carla")
    try:
        assert act(carla, "sign-in", {"desk_id": 1}).status_code == 200
        before = board(backoffice, display)
        backoffice.clock.advance(seconds=30)
        assert act(carla, "call-next").status_code == 200
        after_call = board(backoffice, display)
        backoffice.clock.advance(seconds=20)
        assert act(carla, "recall").status_code == 200
        only_new = board(backoffice, display, after=after_call["calls"][-1]["id"])
    finally:
        carla.close()

    assert before["calls"] == [] and before["recent"] == []
    assert before["waits"] == [
        {"topic": "A", "waiting": 2, "expected_minutes": 10},  # nothing served yet: five minutes each, one desk
        {"topic": "B", "waiting": 1, "expected_minutes": 5},
    ]
    [call] = after_call["calls"]
    assert (call["label"], call["desk"], call["kind"], call["language"]) == ("A001", "3", "call", "en")
    assert call["called_at"] == "2026-03-02T09:00:30Z"
    assert after_call["recent"] == [call]
    assert after_call["waits"][0] == {"topic": "A", "waiting": 1, "expected_minutes": 5}
    assert after_call["server_time"] == "2026-03-02T09:00:30Z"
    [again] = only_new["calls"]
    assert (again["label"], again["kind"], again["id"] > call["id"]) == ("A001", "recall", True)
    assert [c["kind"] for c in only_new["recent"]] == ["recall", "call"]  # newest first


def test_appointments_are_shown_by_a_short_code_and_the_board_is_per_location(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    elsewhere = backoffice.enroll("display-2", location="Bibliotheek Deventer")["token"]
    appointment(backoffice, kiosk, "K7M29XZD", "2026-03-02T10:05+01:00")
    desk(backoffice, "4")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": 1})
        assert act(carla, "call-next").status_code == 200
    finally:
        carla.close()

    shown = board(backoffice, display)
    other = board(backoffice, elsewhere)

    assert [(c["label"], c["desk"], c["language"]) for c in shown["calls"]] == [("K7M", "4", None)]
    assert "K7M29XZD" not in str(shown) and "Fenna" not in str(shown)
    assert other["calls"] == [] and other["recent"] == []


def test_after_a_long_absence_the_display_gets_the_newest_twenty_oldest_first(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    for _ in range(25):
        take(backoffice, kiosk, "C")
    desk(backoffice, "1")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": 1})
        for _ in range(25):
            assert act(carla, "call-next").status_code == 200
            assert act(carla, "done", {"outcome": "helped"}).status_code == 200
    finally:
        carla.close()

    caught_up = board(backoffice, display)

    assert [c["label"] for c in caught_up["calls"]] == [f"C{n:03d}" for n in range(6, 26)]
    assert [c["label"] for c in caught_up["recent"]] == [f"C{n:03d}" for n in range(25, 19, -1)]


def test_the_board_needs_a_device_token_and_a_whole_number(backoffice: Backoffice) -> None:
    display = backoffice.enroll("display-1")["token"]

    without = backoffice.client.get("/api/v1/display/board")
    for bad in ("abc", "-1", "1.5", "１"):
        answer = backoffice.client.get(f"/api/v1/display/board?after={bad}", headers=bearer(display))
        assert answer.status_code == 422, bad
        assert answer.json() == {"detail": "after must be a call id: a whole number, 0 or more"}

    assert without.status_code == 401 and "device token" in without.json()["detail"]


def test_a_display_switched_on_in_the_morning_shows_none_of_yesterdays_calls(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    take(backoffice, kiosk, "A")
    desk(backoffice, "3")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": 1})
        act(carla, "call-next")
        yesterday = board(backoffice, display)
    finally:
        carla.close()
    backoffice.clock.advance(days=1)

    morning = board(backoffice, display)

    assert [c["label"] for c in yesterday["calls"]] == ["A001"]
    assert morning["calls"] == [] and morning["recent"] == [] and morning["waits"] == []


def test_the_expected_wait_uses_todays_service_times_and_the_desks_serving_each_topic(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    for _ in range(5):
        take(backoffice, kiosk, "A")
    take(backoffice, kiosk, "B")
    carla, dirk, eva = (staff_client(backoffice, name) for name in ("carla", "dirk", "eva"))
    try:
        act(carla, "sign-in", {"desk_id": desk(backoffice, "1", "A")})
        act(dirk, "sign-in", {"desk_id": desk(backoffice, "2", "AB")})
        act(eva, "sign-in", {"desk_id": desk(backoffice, "3", "B")})
        act(carla, "call-next")
        backoffice.clock.advance(minutes=4)
        act(carla, "done", {"outcome": "helped"})
        waits = board(backoffice, display)["waits"]
    finally:
        for client in (carla, dirk, eva):
            client.close()

    assert waits == [
        {"topic": "A", "waiting": 4, "expected_minutes": 8},  # 4 × 4 min ÷ desks 1 and 2
        {"topic": "B", "waiting": 1, "expected_minutes": 2},  # no B served yet: A's 4 min ÷ desks 2 and 3
    ]
