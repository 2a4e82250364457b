"""The manager dashboard: figures per location and day from enrolled devices' events and recorded contacts."""

from __future__ import annotations

import re
import uuid
from typing import Any

from backoffice_harness import Backoffice, bearer
from test_contacts import channel_key, contact_body

from backoffice.models import Location
from backoffice.roles import Role


def _events(backoffice: Backoffice, token: str, *events: tuple[str, str, dict[str, Any]]) -> None:
    batch = [
        {"id": str(uuid.uuid4()), "type": kind, "occurred_at": at, "session_id": "s-1", "data": data}
        for kind, at, data in events
    ]
    answer = backoffice.client.post("/api/v1/events", json={"events": batch}, headers=bearer(token))
    assert answer.status_code == 200 and len(answer.json()["accepted"]) == len(batch), answer.text


def _manager(backoffice: Backoffice) -> None:
    backoffice.add_user("mia", Role.MANAGER)
    assert backoffice.sign_in("mia") == 303


def _table(page: str, chart: str) -> dict[str, str]:
    found = re.search(rf'<table class="fleet" data-chart="{chart}">(.*?)</table>', page, re.S)
    assert found, f"no table for {chart}"
    return dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', found.group(1)))


def _location_id(backoffice: Backoffice, name: str) -> int:
    with backoffice.db() as db:
        return next(loc.id for loc in db.query(Location) if loc.name == name)


def _fill(backoffice: Backoffice) -> None:
    hall = backoffice.enroll("kiosk-hal", location="Stadhuis Zwolle")
    library = backoffice.enroll("kiosk-bieb", location="Bibliotheek Kampen")
    # The harness clock stands at 2 March 2026, 10:00 in Amsterdam.
    _events(
        backoffice,
        hall["token"],
        ("session_started", "2026-03-02T08:00:00+01:00", {}),
        ("session_started", "2026-03-02T08:30:00+01:00", {}),
        ("ticket_issued", "2026-03-02T08:31:00+01:00", {"topic": "A"}),
        ("checked_in", "2026-03-02T08:40:00+01:00", {}),
        ("feedback", "2026-03-02T08:45:00+01:00", {"score": 4}),
        ("feedback", "2026-03-02T08:46:00+01:00", {"score": 2}),
        ("feedback", "2026-03-02T08:47:00+01:00", {"score": 9}),  # not a score: left out
        # 00:30 in Amsterdam on 1 March, still 28 February in UTC: counted on the local day.
        ("session_started", "2026-02-28T23:30:00+00:00", {}),
        ("session_started", "2026-02-01T12:00:00+01:00", {}),  # outside the 14 days
        ("task_done", "2026-03-02T08:50:00+01:00", {}),
    )
    _events(
        backoffice,
        library["token"],
        ("session_started", "2026-03-02T09:00:00+01:00", {}),
        ("ticket_issued", "2026-02-25T09:00:00+01:00", {}),
    )
    key = channel_key(backoffice)
    call = contact_body(
        channel="video",
        started_at="2026-03-02T09:10:00+01:00",
        location_id=_location_id(backoffice, "Stadhuis Zwolle"),
        feedback={"how_did_it_go": 3},
    )
    assert backoffice.client.post("/api/v1/contacts", json=call, headers=bearer(key)).status_code == 201
    phone = contact_body(started_at="2026-03-02T09:20:00+01:00")
    assert backoffice.client.post("/api/v1/contacts", json=phone, headers=bearer(key)).status_code == 201


def test_the_dashboard_counts_per_day_with_svg_charts_and_tables(backoffice: Backoffice) -> None:
    _fill(backoffice)
    _manager(backoffice)

    page = backoffice.client.get("/dashboard")

    assert page.status_code == 200
    text = page.text
    visits = _table(text, "visits")
    days = list(visits)
    assert days[0] == "17-02" and days[-1] == "02-03" and len(days) == 14
    assert visits["02-03"] == "3" and visits["01-03"] == "1" and visits["28-02"] == "0"
    assert _table(text, "tickets")["02-03"] == "1" and _table(text, "tickets")["25-02"] == "1"
    assert _table(text, "checkins")["02-03"] == "1"
    assert _table(text, "calls")["02-03"] == "1"
    assert _table(text, "feedback")["02-03"] == "3" and _table(text, "feedback")["01-03"] == "–"
    for chart in ("visits", "tickets", "checkins", "calls", "feedback"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in text
        assert f'<title id="{chart}-title">' in text and f'<desc id="{chart}-desc">' in text
    assert text.count('<svg role="img"') == 5
    assert "Dag</text>" in text and "Aantal</text>" in text
    assert "Totaal 4." in text  # four visits in the period
    per_location = re.search(r'<table class="fleet" id="per-location">(.*?)</table>', text, re.S)
    assert per_location and "Stadhuis Zwolle" in per_location.group(1) and "Bibliotheek Kampen" in per_location.group(1)


def test_the_location_filter(backoffice: Backoffice) -> None:
    _fill(backoffice)
    _manager(backoffice)
    library = _location_id(backoffice, "Bibliotheek Kampen")

    page = backoffice.client.get(f"/dashboard?location={library}&lang=en").text

    assert _table(page, "visits")["02-03"] == "1"
    assert _table(page, "calls")["02-03"] == "0"
    assert f'<option value="{library}" selected>Bibliotheek Kampen</option>' in page
    assert '<label for="location">Location</label>' in page and '<select id="location" name="location">' in page
    assert "Visits" in page and '<input type="hidden" name="lang" value="en">' in page


def test_only_managers_and_admins_see_the_dashboard(backoffice: Backoffice) -> None:
    for name, role, status in (
        ("carla", Role.CASEWORKER, 403),
        ("tom", Role.TECHNICIAN, 403),
        ("ann", Role.ADMIN, 200),
    ):
        backoffice.client.cookies.clear()
        backoffice.add_user(name, role)
        backoffice.sign_in(name)
        assert backoffice.client.get("/dashboard").status_code == status
    backoffice.client.cookies.clear()
    assert backoffice.client.get("/dashboard", follow_redirects=False).status_code == 303


def test_an_empty_dashboard_still_renders(backoffice: Backoffice) -> None:
    _manager(backoffice)
    page = backoffice.client.get("/dashboard?location=nonsense")
    assert page.status_code == 200 and "Nog geen cijfers" in page.text
    assert _table(page.text, "visits")["02-03"] == "0"


def test_averages_use_the_decimal_mark_of_the_language(backoffice: Backoffice) -> None:
    hall = backoffice.enroll("kiosk-hal", location="Stadhuis Zwolle")
    _events(
        backoffice,
        hall["token"],
        ("feedback", "2026-03-02T08:45:00+01:00", {"score": 4}),
        ("feedback", "2026-03-02T08:46:00+01:00", {"score": 3}),
    )
    _manager(backoffice)

    dutch = backoffice.client.get("/dashboard").text
    english = backoffice.client.get("/dashboard?lang=en").text

    assert _table(dutch, "feedback")["02-03"] == "3,5" and "Gemiddeld 3,5" in dutch
    assert _table(english, "feedback")["02-03"] == "3.5" and "Average 3.5" in english
