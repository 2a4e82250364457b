"""The counter link over its real endpoints: pairing, the relay of every request and answer, the visit's end,
a device lost mid-visit, and who may connect at all."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from backoffice_harness import Backoffice, bearer
from sqlalchemy import select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from backoffice.contacts import Identity, citizen_keys
from backoffice.counter_link.hub import CounterHub
from backoffice.desk.models import Desk
from backoffice.desk.visit_extras import VisitExtras
from backoffice.enrollment import location_named
from backoffice.models import AuditEntry, StaffUser
from backoffice.roles import Role

ORIGIN = {"origin": "http://testserver"}
OFFLINE_EN = "The counter device is offline — continue without it."
OFFLINE_NL = "Het balieapparaat is offline — ga verder zonder."
# An invented citizen (the virtual chip's specimen); the BSN passes the check-digit test and belongs to nobody.
DOCUMENT = {
    "surname": "DE TESTER",
    "given_names": "ANNA MARIA",
    "date_of_birth": "1985-03-14",
    "personal_number": "999999990",
    "document_number": "SPECI2026",
    "nationality": "NLD",
    "expiry": "2031-03-13",
}


def receive_until(ws: WebSocketTestSession, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} within {limit} messages")


@dataclass
class Desk3:
    """Desk 3 of Stadhuis Zwolle with caseworker carla signed in to it, and one enrolled counter device."""

    backoffice: Backoffice
    desk_id: int
    token: str
    device_id: uuid.UUID

    @contextmanager
    def device(self, token: str | None = None) -> Iterator[tuple[WebSocketTestSession, dict[str, Any]]]:
        with self.backoffice.client.websocket_connect("/api/v1/counter/ws") as ws:
            ws.send_json({"type": "hello", "token": token or self.token})
            yield ws, ws.receive_json()

    @contextmanager
    def page(self, lang: str = "en") -> Iterator[WebSocketTestSession]:
        with self.backoffice.client.websocket_connect(f"/console/counter/ws?lang={lang}", headers=ORIGIN) as ws:
            ws.send_json({"type": "watch", "desk_id": self.desk_id})
            yield ws

    def pair(self, code: str, desk_id: int | None = None, lang: str = "en") -> tuple[int, dict[str, Any]]:
        answer = self.backoffice.client.post(
            f"/console/counter/api/pair?lang={lang}",
            json={"desk_id": desk_id or self.desk_id, "code": code},
            headers=ORIGIN,
        )
        body: dict[str, Any] = answer.json()
        return answer.status_code, body

    def hub(self) -> CounterHub:
        hub: CounterHub = self.backoffice.app.state.counter_hub
        return hub

    def take_visit_extras(self) -> VisitExtras:
        """As the desk queue does at `done`: on the server's event loop, through `app.state.visit_extras`."""
        source = self.backoffice.app.state.visit_extras
        extras: VisitExtras = self.backoffice.client.portal.call(source.take_visit_extras, self.desk_id)  # type: ignore[union-attr]
        return extras


def staff_at_desk(backoffice: Backoffice, username: str, desk_name: str, location: str = "Stadhuis Zwolle") -> int:
    backoffice.add_user(username, Role.CASEWORKER)
    with backoffice.db() as db:
        user = db.scalars(select(StaffUser).where(StaffUser.username == username)).one()
        place = location_named(db, backoffice.settings, location)
        now = backoffice.clock()
        desk = Desk(
            location_id=place.id, name=desk_name, topics="AB", staff_user_id=user.id, signed_in_at=now, created_at=now
        )
        db.add(desk)
        db.commit()
        return desk.id


@pytest.fixture
def desk3(backoffice: Backoffice) -> Desk3:
    device = backoffice.enroll("balie-3-scherm")
    desk_id = staff_at_desk(backoffice, "carla", "3")
    assert backoffice.sign_in("carla") == 303
    return Desk3(backoffice, desk_id, device["token"], uuid.UUID(device["device_id"]))


def paired(desk3: Desk3) -> None:
    with desk3.device() as (_, hello):
        assert hello["type"] == "pairing"
        assert desk3.pair(hello["code"])[0] == 200


def test_a_device_is_paired_with_the_code_it_shows_and_stays_paired(desk3: Desk3) -> None:
    with desk3.page() as page, desk3.device() as (device, hello):
        assert receive_until(page, "counter_state") == {
            "type": "counter_state",
            "desk_id": desk3.desk_id,
            "state": "unpaired",
        }
        assert hello["type"] == "pairing"
        code = hello["code"]
        assert len(code) == 7 and code[3] == " " and code.replace(" ", "").isdigit()

        wrong = f"{(int(code.replace(' ', '')) + 1) % 1_000_000:06d}"
        assert desk3.pair(wrong) == (
            404,
            {"detail": "No counter device shows this code; check the six digits on its screen."},
        )
        assert desk3.pair("12 34") == (422, {"detail": "A pairing code is the six digits shown on the counter device."})
        assert desk3.pair(wrong, lang="nl")[1]["detail"].startswith("Geen balieapparaat toont deze code")

        assert desk3.pair(code) == (200, {"desk_id": desk3.desk_id, "state": "online"})
        assert receive_until(device, "paired") == {"type": "paired", "desk": "3"}
        state = receive_until(page, "counter_state")
        assert (state["state"], state["device"]) == ("online", "balie-3-scherm")

        assert desk3.pair(code) == (
            409,
            {"detail": "This code has already been used; each code pairs one device once."},
        )

    with desk3.backoffice.db() as db:
        assert db.get(Desk, desk3.desk_id).counter_device_id == desk3.device_id  # type: ignore[union-attr]
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.actor == "carla")).all()
        assert "pair_counter_device" in actions
    # Back after a restart of the device (or of the backoffice): the stored pairing, no code.
    with desk3.device() as (_, hello):
        assert hello == {"type": "paired", "desk": "3"}


def test_an_expired_code_is_refused_and_the_device_shows_a_new_one(desk3: Desk3) -> None:
    with desk3.device() as (device, hello):
        desk3.backoffice.clock.advance(minutes=10, seconds=1)
        assert desk3.pair(hello["code"]) == (
            410,
            {"detail": "This code has expired; enter the new code the counter device shows now."},
        )
        fresh = receive_until(device, "pairing")["code"]
        assert fresh != hello["code"]
        assert desk3.pair(fresh)[0] == 200
        assert receive_until(device, "paired")["desk"] == "3"


def test_a_device_of_another_location_cannot_be_paired_and_its_code_still_serves_its_own(desk3: Desk3) -> None:
    backoffice = desk3.backoffice
    elsewhere = backoffice.enroll("oost-scherm", location="Bibliotheek Oost")
    with desk3.device(elsewhere["token"]) as (device, hello):
        assert desk3.pair(hello["code"]) == (
            409,
            {"detail": "This counter device belongs to another location; pair a device of this desk's location."},
        )
        with backoffice.db() as db:
            assert db.get(Desk, desk3.desk_id).counter_device_id is None  # type: ignore[union-attr]
        oost = staff_at_desk(backoffice, "olaf", "1", location="Bibliotheek Oost")
        backoffice.client.cookies.clear()
        assert backoffice.sign_in("olaf") == 303
        assert desk3.pair(hello["code"], desk_id=oost) == (200, {"desk_id": oost, "state": "online"})
        assert receive_until(device, "paired")["desk"] == "1"
        # carla's desk is not olaf's: he may not pair a device with it
        assert desk3.pair("123456")[0] in (403, 404)


def test_every_request_is_relayed_and_every_answer_comes_back(desk3: Desk3) -> None:
    paired(desk3)
    answers: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"type": "identify", "id": "r1"}, {"type": "identity", "document": DOCUMENT, "verdict": "verified",
                                           "authenticity": "verified", "photo": "data:image/jpeg;base64,/9j/"}),
        ({"type": "summary", "id": "r2", "title": "Uw aanvraag", "lines": [{"label": "Product", "value": "Paspoort"}]},
         {"type": "summary_answer", "correct": True}),
        ({"type": "signature", "id": "r3", "purpose": "Paspoort"},
         {"type": "signature", "svg": "<svg/>", "png_base64": "iVBORw0K", "strokes": [[[1.0, 2.0, 0]]],
          "width_mm": 80.0, "height_mm": 30.0}),
        ({"type": "print", "id": "r4", "receipt": {"title": "Ontvangstbewijs", "lines": ["Paspoort"]}},
         {"type": "printed", "ok": True, "detail": ""}),
        ({"type": "scan", "id": "r5"}, {"type": "scan_pages", "pages": ["/9j/AAAA"]}),
        ({"type": "feedback", "id": "r6"}, {"type": "feedback", "how_did_it_go": 4, "how_are_you": "goed"}),
        ({"type": "signature", "id": "r7", "purpose": "Rijbewijs"}, {"type": "declined"}),
        ({"type": "scan", "id": "r8"}, {"type": "failed", "detail": "The camera is not available."}),
    ]  # fmt: skip
    with desk3.page() as page, desk3.device() as (device, _):
        receive_until(page, "counter_state")
        for request, answer in answers:
            page.send_json(request)
            assert receive_until(page, "sent") == {"type": "sent", "id": request["id"], "request": request["type"]}
            assert device.receive_json() == request
            device.send_json({**answer, "id": request["id"]})
            assert page.receive_json() == {**answer, "id": request["id"], "request": request["type"]}

        device.send_json({"type": "help"})
        assert page.receive_json() == {"type": "help", "id": None}
        device.send_json({"type": "summary_answer", "id": "r2", "correct": False})  # answered already
        assert device.receive_json()["detail"] == "no request with this id is waiting for an answer"
        page.send_json({"type": "reboot", "id": "x"})
        assert page.receive_json()["detail"] == "The counter device does not know this request."
        page.send_json({"type": "scan"})
        assert page.receive_json()["detail"] == "A request needs an id of at most 64 characters."

        extras = desk3.take_visit_extras()
        expected = citizen_keys(desk3.backoffice.settings, Identity("999999990", "DE TESTER", "ANNA MARIA",
                                                                    date_of_birth=_birth()))  # fmt: skip
        assert extras == VisitExtras(citizen_keys=expected, feedback={"how_did_it_go": 4, "how_are_you": "goed"})
        welcome = receive_until(device, "welcome")
        assert welcome["id"]
        assert desk3.take_visit_extras() == VisitExtras()  # forgotten with the visit
        receive_until(device, "welcome")


def _birth() -> Any:
    from datetime import date

    return date(1985, 3, 14)


def test_a_device_lost_mid_visit_keeps_its_requests_for_a_minute_and_comes_back(desk3: Desk3) -> None:
    paired(desk3)
    with desk3.page() as page, desk3.page(lang="nl") as page_nl:
        assert receive_until(page, "counter_state")["state"] == "offline"
        with desk3.device() as (device, _):
            assert receive_until(page, "counter_state")["state"] == "online"
            page.send_json({"type": "signature", "id": "r1"})
            receive_until(page, "sent")
            assert device.receive_json()["type"] == "signature"
        # The device's socket closed with the request unanswered: the page is told at once, and a new
        # request fails at once, but the citizen's signature may still come.
        assert receive_until(page, "counter_state")["state"] == "offline"
        page.send_json({"type": "scan", "id": "r2"})
        assert page.receive_json() == {
            "type": "failed",
            "id": "r2",
            "request": "scan",
            "reason": "offline",
            "detail": OFFLINE_EN,
        }
        desk3.backoffice.clock.advance(seconds=30)
        with desk3.device() as (device, hello):
            assert hello == {"type": "paired", "desk": "3"}
            assert receive_until(page, "counter_state")["state"] == "online"
            device.send_json({"type": "signature", "id": "r1", "svg": "<svg/>", "png_base64": "", "strokes": []})
            assert receive_until(page, "signature")["id"] == "r1"  # kept through the outage, not lost

            page.send_json({"type": "identify", "id": "r3"})
            assert receive_until(page, "sent")["id"] == "r3"
            assert device.receive_json() == {"type": "identify", "id": "r3"}
        # Gone longer than the grace: its waiting request fails, with the sentence in the page's language.
        assert receive_until(page, "counter_state")["state"] == "offline"
        desk3.backoffice.clock.advance(seconds=61)
        page.send_json({"type": "scan", "id": "r4"})
        assert receive_until(page, "failed") == {
            "type": "failed",
            "id": "r3",
            "request": "identify",
            "reason": "offline",
            "detail": OFFLINE_EN,
        }
        assert receive_until(page, "failed")["id"] == "r4"
        assert receive_until(page_nl, "failed")["detail"] == OFFLINE_NL


def test_unpairing_tells_the_device_to_wipe_and_show_a_new_code(desk3: Desk3) -> None:
    paired(desk3)
    with desk3.page() as page, desk3.device() as (device, _):
        receive_until(page, "counter_state")
        page.send_json({"type": "identify", "id": "r1"})
        device.receive_json()
        answer = desk3.backoffice.client.post(
            "/console/counter/api/unpair", json={"desk_id": desk3.desk_id}, headers=ORIGIN
        )
        assert answer.json() == {"desk_id": desk3.desk_id, "state": "unpaired"}
        unpaired = device.receive_json()
        assert unpaired["type"] == "unpaired" and len(unpaired["code"].replace(" ", "")) == 6
        assert receive_until(page, "failed")["reason"] == "unpaired"
        assert receive_until(page, "counter_state")["state"] == "unpaired"
        page.send_json({"type": "scan", "id": "r2"})
        assert receive_until(page, "failed")["detail"] == (
            "No counter device is paired with this desk; pair one with the code it shows."
        )
        device.send_json({"type": "identity", "id": "r1", "document": DOCUMENT})  # too late: nobody hears it
        assert device.receive_json()["type"] == "error"
    with desk3.backoffice.db() as db:
        assert db.get(Desk, desk3.desk_id).counter_device_id is None  # type: ignore[union-attr]


def test_only_the_caseworker_at_the_desk_from_this_site_uses_its_device(desk3: Desk3) -> None:
    client = desk3.backoffice.client
    evil = {"origin": "https://elsewhere.example"}
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/console/counter/ws", headers=evil) as ws:
        ws.receive_json()
    answer = client.post("/console/counter/api/pair", json={"desk_id": desk3.desk_id, "code": "123456"}, headers=evil)
    assert answer.status_code == 403
    assert answer.json() == {"detail": "Deze wijziging moet van de baliepagina van deze backoffice komen."}

    # A colleague signed in elsewhere may not watch desk 3 (what its device reads is not theirs to see).
    desk_id_5 = staff_at_desk(desk3.backoffice, "dirk", "5")
    client.cookies.clear()
    assert desk3.backoffice.sign_in("dirk") == 303
    with client.websocket_connect("/console/counter/ws?lang=en", headers=ORIGIN) as page:
        page.send_json({"type": "watch", "desk_id": desk3.desk_id})
        assert page.receive_json()["detail"] == "Sign in to this desk before using its counter device."
        page.send_json({"type": "identify", "id": "r1"})
        assert page.receive_json()["detail"] == "Sign in to a desk before using a counter device."
        page.send_json({"type": "watch", "desk_id": desk_id_5})
        assert page.receive_json()["state"] == "unpaired"

    client.cookies.clear()
    desk3.backoffice.add_user("tom", Role.TECHNICIAN)
    assert desk3.backoffice.sign_in("tom") == 303
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/console/counter/ws", headers=ORIGIN) as ws:
        ws.receive_json()


def test_a_device_without_a_valid_token_is_refused(desk3: Desk3) -> None:
    client = desk3.backoffice.client
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect("/api/v1/counter/ws", headers=bearer("bd1.nonsense.x")) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008
    with client.websocket_connect("/api/v1/counter/ws") as ws:
        ws.send_json({"type": "hello", "token": desk3.token[:-2] + "xx"})
        assert ws.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
    # The token at the handshake, as the device sends it, and again in its hello.
    with client.websocket_connect("/api/v1/counter/ws", headers=bearer(desk3.token)) as ws:
        ws.send_json({"type": "hello", "token": desk3.token})
        assert ws.receive_json()["type"] == "pairing"


def test_ten_wrong_codes_pause_the_caseworker_and_an_unused_code_is_renewed(desk3: Desk3) -> None:
    with desk3.device() as (device, hello):
        code = int(hello["code"].replace(" ", ""))
        for step in range(1, 11):
            assert desk3.pair(f"{(code + step) % 1_000_000:06d}")[0] == 404
        assert desk3.pair(hello["code"]) == (
            429,
            {"detail": "Too many wrong codes; wait ten minutes before trying again."},
        )

        # Nobody paired it: after ten minutes the screen gets a fresh code on its own (the hub's renewal round).
        desk3.backoffice.clock.advance(minutes=10)
        desk3.backoffice.client.portal.call(desk3.hub().renew_codes)  # type: ignore[union-attr]
        fresh = receive_until(device, "pairing")["code"]
        assert fresh != hello["code"]
        assert desk3.pair(fresh)[0] == 200  # the pause is over too


def test_a_newer_line_of_the_same_device_takes_over(desk3: Desk3) -> None:
    paired(desk3)
    with desk3.page() as page, desk3.device() as (old, _), desk3.device() as (new, hello):
        assert hello == {"type": "paired", "desk": "3"}
        receive_until(page, "counter_state")
        page.send_json({"type": "scan", "id": "r1"})
        receive_until(page, "sent")
        assert new.receive_json() == {"type": "scan", "id": "r1"}
        old.send_json({"type": "scan_pages", "id": "r1", "pages": []})
        assert old.receive_json()["detail"] == "this line was replaced by a newer one of the same device"
        new.send_json({"type": "scan_pages", "id": "r1", "pages": []})
        assert receive_until(page, "scan_pages")["id"] == "r1"


def test_a_device_that_leaves_before_its_hello_changes_nothing(desk3: Desk3) -> None:
    with desk3.backoffice.client.websocket_connect("/api/v1/counter/ws"):
        pass
    with desk3.device() as (_, hello):
        assert hello["type"] == "pairing"
    assert desk3.hub().devices == {}


def test_a_visit_that_ends_without_done_leaves_nothing_for_the_next_citizen(desk3: Desk3) -> None:
    paired(desk3)
    with desk3.page() as page, desk3.device() as (device, _):
        receive_until(page, "counter_state")
        page.send_json({"type": "identify", "id": "r1"})
        assert device.receive_json()["type"] == "identify"
        device.send_json({"type": "identity", "id": "r1", "document": DOCUMENT})
        receive_until(page, "identity")
        page.send_json({"type": "scan", "id": "r2"})
        assert device.receive_json()["type"] == "scan"
        # Transferred to another desk: the page saw its visit go and says so.
        page.send_json({"type": "visit_ended"})
        assert receive_until(device, "welcome")["id"]
        device.send_json({"type": "scan_pages", "id": "r2", "pages": []})  # the wiped request is not waited for
        assert device.receive_json()["type"] == "error"
        assert desk3.take_visit_extras() == VisitExtras()
