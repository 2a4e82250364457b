"""A counter visit's waiting and service time in the contact history: on the caseworker page (nl, en) and
in the video console's history panel, for `counter` contacts only. The visit is made through the desk page."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backoffice_harness import CSRF, Backoffice, bearer
from desk_harness import ORIGIN, act, desk, staff_client, take
from fastapi.testclient import TestClient
from test_call_signaling import DOCUMENT, receive_until

from backoffice.contacts import Identity, add_contact, citizen_key
from backoffice.desk.visit_extras import VisitExtras
from backoffice.roles import Role
from backoffice.visit_times import whole_minutes

# An invented citizen (the BSN passes the check-digit test and belongs to nobody), as the chip gives it.
BSN = DOCUMENT["personal_number"]


@dataclass
class CounterLinkDouble:
    """Stands in for the counter link at its protocol: the identity read at the desk, handed over once."""

    extras: dict[int, VisitExtras] = field(default_factory=dict)

    def take_visit_extras(self, desk_id: int) -> VisitExtras:
        return self.extras.pop(desk_id, VisitExtras())


def _served_at_the_counter(backoffice: Backoffice) -> None:
    """Ticket A001 waits 12 minutes, is served for 8 at desk 3 and done; the citizen also phoned once."""
    kiosk = backoffice.enroll("kiosk-1")["token"]
    key = citizen_key(backoffice.settings, Identity(personal_number=BSN))
    link = CounterLinkDouble()
    backoffice.app.state.visit_extras = link
    desk_id = desk(backoffice, "3")
    with backoffice.db() as db:
        add_contact(db, backoffice.settings, key, "channel:KCC", channel="phone", topic="Parkeervergunning",
                    started_at=backoffice.clock())  # fmt: skip
        db.commit()
    take(backoffice, kiosk, "A")
    backoffice.clock.advance(minutes=12)
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": desk_id})
        assert act(carla, "call-next").status_code == 200
        backoffice.clock.advance(minutes=8, seconds=10)
        link.extras[desk_id] = VisitExtras(citizen_keys=[key])
        assert act(carla, "done", {"outcome": "Paspoort aangevraagd"}).status_code == 200
    finally:
        carla.close()


def _search(client: TestClient, lang: str = "") -> str:
    found = CSRF.search(client.get("/caseworker").text)
    assert found, "no CSRF field on the caseworker page"
    answer = client.post(
        "/caseworker/search" + (f"?lang={lang}" if lang else ""),
        data={"csrf_token": found.group(1), "personal_number": BSN},
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_caseworker_page_shows_a_counter_visits_times_in_dutch_and_english(backoffice: Backoffice) -> None:
    _served_at_the_counter(backoffice)
    dirk = staff_client(backoffice, "dirk")
    try:
        dutch, english = _search(dirk), _search(dirk, "en")
    finally:
        dirk.close()

    assert 'Balie<br><span class="visit-times">wachtte 12 min, 8 min aan de balie</span>' in dutch
    assert 'Counter<br><span class="visit-times">waited 12 min, 8 min at the counter</span>' in english
    assert dutch.count("visit-times") == 1  # the phone call has no such times
    assert "Parkeervergunning" in dutch


def test_the_video_consoles_history_carries_the_minutes_and_the_words(backoffice: Backoffice) -> None:
    _served_at_the_counter(backoffice)
    device = backoffice.enroll("kiosk-video")
    backoffice.add_user("eva", Role.CASEWORKER)
    assert backoffice.sign_in("eva") == 303
    client = backoffice.client
    with (
        client.websocket_connect("/console/ws", headers=ORIGIN) as console,
        client.websocket_connect("/api/v1/calls/ws", headers=bearer(device["token"])) as kiosk,
    ):
        assert console.receive_json()["type"] == "status"
        console.send_json({"type": "status.set", "status": "available"})
        receive_until(console, "status")
        assert kiosk.receive_json()["type"] == "hello"
        kiosk.send_json({"type": "call.request", "topic": "Paspoort", "language": "nl"})
        call_id = receive_until(kiosk, "call.accepted")["call_id"]
        receive_until(console, "call.ringing")
        console.send_json({"type": "call.answer", "call_id": call_id})
        receive_until(kiosk, "call.answered")
        console.send_json({"type": "identity.request"})
        receive_until(kiosk, "identity.request")
        kiosk.send_json({"type": "identity.result", "document": DOCUMENT, "verdict": "verified", "photo": None})
        history: list[dict[str, Any]] = receive_until(console, "history")["contacts"]
        kiosk.send_json({"type": "call.hangup"})

    times = {c["channel"]: (c["waited_minutes"], c["service_minutes"]) for c in history}
    assert times == {"counter": (12, 8), "phone": (None, None)}
    page = backoffice.client.get("/console").text
    assert '"visit_waited": "wachtte {minutes} min"' in page and '"visit_served": "{minutes} min aan de balie"' in page
    english = backoffice.client.get("/console?lang=en").text
    assert '"visit_served": "{minutes} min at the counter"' in english


def test_minutes_are_rounded_to_the_nearest_and_a_short_wait_is_not_zero() -> None:
    assert [whole_minutes(s) for s in (None, 0, 5, 29, 89, 90, 720, 749, 750)] == [None, 0, 1, 1, 1, 2, 12, 12, 13]
