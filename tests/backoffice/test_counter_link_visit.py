"""A whole visit at a staffed desk with its counter device, through the real desk API and the real counter link:
the identity the device reads ends up as the citizen's key on the visit's contact, with the feedback, and
the device is told to wipe when the caseworker is done."""

from __future__ import annotations

from typing import Any

from backoffice_harness import Backoffice
from desk_harness import ORIGIN, act, desk, take
from sqlalchemy import select
from starlette.testclient import WebSocketTestSession

from backoffice.contacts import Identity, citizen_key
from backoffice.models_contacts import Contact
from backoffice.roles import Role

DOCUMENT = {  # the virtual chip's invented specimen; the BSN passes the check digit and belongs to nobody
    "surname": "DE TESTER",
    "given_names": "ANNA MARIA",
    "date_of_birth": "1985-03-14",
    "personal_number": "999999990",
    "document_number": "SPECI2026",
}


def receive_until(ws: WebSocketTestSession, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} within {limit} messages")


def ask(
    page: WebSocketTestSession, device: WebSocketTestSession, request: dict[str, Any], answer: dict[str, Any]
) -> None:
    page.send_json(request)
    assert device.receive_json()["id"] == request["id"]
    device.send_json({**answer, "id": request["id"]})
    assert receive_until(page, answer["type"])["id"] == request["id"]


def test_the_identity_and_feedback_of_a_counter_visit_reach_its_contact_and_the_device_wipes(
    backoffice: Backoffice,
) -> None:
    kiosk = backoffice.enroll("kiosk-hal")["token"]
    counter = backoffice.enroll("balie-3-scherm")["token"]
    take(backoffice, kiosk, "A")
    desk_id = desk(backoffice, "3", "A")
    backoffice.add_user("carla", Role.CASEWORKER)
    assert backoffice.sign_in("carla") == 303
    client = backoffice.client
    assert act(client, "sign-in", {"desk_id": desk_id}).status_code == 200

    with (
        client.websocket_connect("/api/v1/counter/ws") as device,
        client.websocket_connect("/console/counter/ws?lang=en", headers=ORIGIN) as page,
    ):
        device.send_json({"type": "hello", "token": counter})
        code = device.receive_json()["code"]
        paired = client.post("/console/counter/api/pair", json={"desk_id": desk_id, "code": code}, headers=ORIGIN)
        assert paired.status_code == 200, paired.text
        assert receive_until(device, "paired")["desk"] == "3"
        page.send_json({"type": "watch", "desk_id": desk_id})
        assert receive_until(page, "counter_state")["state"] == "online"

        assert act(client, "call-next").json()["current"]["label"] == "A001"
        ask(page, device, {"type": "identify", "id": "r1"}, {"type": "identity", "document": DOCUMENT})
        ask(
            page,
            device,
            {"type": "feedback", "id": "r2"},
            {"type": "feedback", "how_did_it_go": 3, "how_are_you": "prima"},
        )
        backoffice.clock.advance(minutes=4)
        done = act(client, "done", {"outcome": "Paspoort aangevraagd"})
        assert done.status_code == 200, done.text
        assert receive_until(device, "welcome")["id"]

    expected = citizen_key(backoffice.settings, Identity(personal_number=DOCUMENT["personal_number"]))
    with backoffice.db() as db:
        [contact] = db.scalars(select(Contact)).all()
        assert (contact.citizen_key, contact.channel, contact.outcome) == (expected, "counter", "Paspoort aangevraagd")
        assert contact.feedback == {"how_did_it_go": 3, "how_are_you": "prima"}
        assert contact.service_seconds == 240
        stored = " ".join(str(value) for value in vars(contact).values())
    for value in DOCUMENT.values():
        assert value not in stored  # only the keyed hash, never the document's fields
    assert backoffice.app.state.counter_hub.take_visit_extras(desk_id).citizen_keys == []


def test_a_no_show_or_transfer_forgets_the_citizen_so_the_next_visit_is_not_theirs(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-hal")["token"]
    counter = backoffice.enroll("balie-3-scherm")["token"]
    for _ in range(3):
        take(backoffice, kiosk, "A")
    desk_id = desk(backoffice, "3", "A")
    backoffice.add_user("carla", Role.CASEWORKER)
    assert backoffice.sign_in("carla") == 303
    client = backoffice.client
    assert act(client, "sign-in", {"desk_id": desk_id}).status_code == 200
    hub = backoffice.app.state.counter_hub

    with (
        client.websocket_connect("/api/v1/counter/ws") as device,
        client.websocket_connect("/console/counter/ws?lang=en", headers=ORIGIN) as page,
    ):
        device.send_json({"type": "hello", "token": counter})
        code = device.receive_json()["code"]
        paired = client.post("/console/counter/api/pair", json={"desk_id": desk_id, "code": code}, headers=ORIGIN)
        assert paired.is_success, paired.text
        receive_until(device, "paired")
        page.send_json({"type": "watch", "desk_id": desk_id})
        receive_until(page, "counter_state")

        # The first citizen is read, then does not come back to the desk: no-show.
        assert act(client, "call-next").json()["current"]["label"] == "A001"
        ask(page, device, {"type": "identify", "id": "r1"}, {"type": "identity", "document": DOCUMENT})
        assert act(client, "no-show").status_code == 200
        assert desk_id not in hub._notes  # checked before waiting, so a regression fails instead of hanging
        assert receive_until(device, "welcome")  # the device forgets them at once
        # The second is read too and sent to another topic.
        assert act(client, "call-next").json()["current"]["label"] == "A002"
        ask(page, device, {"type": "identify", "id": "r2"}, {"type": "identity", "document": DOCUMENT})
        assert act(client, "transfer", {"topic": "B"}).status_code == 200
        assert desk_id not in hub._notes
        assert receive_until(device, "welcome")
        # The third is served without an identity: their contact is nobody's, not the first citizen's.
        assert act(client, "call-next").json()["current"]["label"] == "A003"
        assert act(client, "done", {"outcome": "Informatie gegeven"}).status_code == 200

    read = citizen_key(backoffice.settings, Identity(personal_number=DOCUMENT["personal_number"]))
    with backoffice.db() as db:
        keys = [contact.citizen_key for contact in db.scalars(select(Contact)).all()]
    assert read not in keys
