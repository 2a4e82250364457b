"""The dashboard's desk section: today's waiting now, mean and p90 waiting time, mean service time per topic."""

from __future__ import annotations

import re

from backoffice_harness import Backoffice
from desk_harness import act, appointment, desk, staff_client, take
from fastapi.testclient import TestClient

from backoffice.desk.figures import p90
from backoffice.roles import Role


def _rows(page: str) -> dict[str, list[str]]:
    found = re.search(r'<table class="fleet" id="desk-times">(.*?)</table>', page, re.S)
    assert found, "no desk table on the dashboard"
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', found.group(1), re.S)
    return {name: re.findall(r"<td>(.*?)</td>", cells) for name, cells in rows}


def _serve(backoffice: Backoffice, carla: TestClient, waited_minutes: float, served_minutes: float) -> None:
    backoffice.clock.advance(minutes=waited_minutes)
    assert act(carla, "call-next").status_code == 200
    backoffice.clock.advance(minutes=served_minutes)
    assert act(carla, "done", {"outcome": "helped"}).status_code == 200


def test_waiting_and_service_times_per_topic_today(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    backoffice.enroll("kiosk-9", location="Bibliotheek Deventer")
    for topic in "AAAAB":
        take(backoffice, kiosk, topic)
    carla = staff_client(backoffice, "carla")
    manager = staff_client(backoffice, "mira", Role.MANAGER)
    try:
        act(carla, "sign-in", {"desk_id": desk(backoffice, "1", "A")})
        _serve(backoffice, carla, 2, 4)  # A001 waited 2 min, served 4
        _serve(backoffice, carla, 1, 6)  # A002 waited 7 (since 10:00), served 6
        _serve(backoffice, carla, 10, 0.5)  # A003 waited 23, served half a minute
        act(carla, "call-next")  # A004 called, not yet done: counts for waiting, not for service
        appointment(backoffice, kiosk, "K7M29XZD", "2026-03-02T11:00+01:00")
        page = manager.get("/dashboard").text
        english = manager.get("/dashboard?lang=en").text
        deventer = manager.get("/dashboard?location=2").text
    finally:
        carla.close()
        manager.close()

    # A001 waited 2 min; A002 2+4+1 = 7; A003 7+6+10 = 23; A004 23+0.5 = 23.5 (all issued at 10:00).
    rows = _rows(page)
    assert rows["A – Paspoort of ID-kaart"] == ["0", "4", "13,9 min", "23,5 min", "3,5 min"]
    assert rows["B – Rijbewijs"] == ["1", "0", "–", "–", "–"]
    assert rows["Afspraken"] == ["1", "0", "–", "–", "–"]
    assert _rows(english)["A – Passport or ID card"] == ["0", "4", "13.9 min", "23.5 min", "3.5 min"]
    assert "Waiting at the desks today" in english
    assert "Vandaag heeft nog niemand gewacht." in deventer and 'id="desk-times"' not in deventer


def test_the_figures_start_again_the_next_day(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "C")
    carla = staff_client(backoffice, "carla")
    manager = staff_client(backoffice, "mira", Role.MANAGER)
    try:
        act(carla, "sign-in", {"desk_id": desk(backoffice, "1")})
        _serve(backoffice, carla, 3, 3)
        today = _rows(manager.get("/dashboard").text)
    finally:
        carla.close()
        manager.close()
    backoffice.clock.advance(days=1)
    morning = staff_client(backoffice, "mia", Role.MANAGER)  # yesterday's session has ended by now
    try:
        tomorrow = morning.get("/dashboard").text
    finally:
        morning.close()

    assert today["C – Verhuizing of adres"][1:] == ["1", "3,0 min", "3,0 min", "3,0 min"]
    assert "Vandaag heeft nog niemand gewacht." in tomorrow


def test_p90_is_the_nearest_rank_ninetieth_percentile() -> None:
    assert p90([]) is None
    assert p90([5]) == 5
    assert p90(list(range(1, 11))) == 9  # of ten waits, the ninth shortest
    assert p90(list(range(1, 12))) == 10
    assert p90([600, 60, 120]) == 600
