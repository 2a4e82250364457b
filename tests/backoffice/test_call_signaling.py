"""Call signaling over the real WebSocket endpoints: who may connect, the relay, and the contact a call leaves."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from backoffice_harness import Backoffice, bearer
from sqlalchemy import select
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from backoffice.contacts import Identity, add_contact, citizen_key
from backoffice.models import AuditEntry, Device
from backoffice.models_contacts import Contact
from backoffice.roles import Role

ORIGIN = {"origin": "http://testserver"}
# An invented citizen; the BSN passes the check-digit test and belongs to nobody.
DOCUMENT = {
    "surname": "DE TESTER",
    "given_names": "ANNA MARIA",
    "date_of_birth": "1985-03-14",
    "personal_number": "999999990",
    "document_number": "SPECI2026",
    "nationality": "NLD",
    "expiry": "2031-03-13",
}


def receive_until(ws: WebSocketTestSession, kind: str, limit: int = 30) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind!r} within {limit} messages")


def test_a_device_without_a_valid_token_is_refused(backoffice: Backoffice) -> None:
    with pytest.raises(WebSocketDisconnect) as refused, backoffice.client.websocket_connect("/api/v1/calls/ws") as ws:
        ws.receive_json()
    assert refused.value.code == 1008
    with (
        pytest.raises(WebSocketDisconnect),
        backoffice.client.websocket_connect("/api/v1/calls/ws", headers=bearer("bd1.nonsense.x")) as ws,
    ):
        ws.receive_json()


def test_console_line_needs_a_caseworker_session_from_the_same_origin(backoffice: Backoffice) -> None:
    with pytest.raises(WebSocketDisconnect), backoffice.client.websocket_connect("/console/ws", headers=ORIGIN) as ws:
        ws.receive_json()
    backoffice.add_user("tom", Role.TECHNICIAN)
    assert backoffice.sign_in("tom") == 303
    with pytest.raises(WebSocketDisconnect), backoffice.client.websocket_connect("/console/ws", headers=ORIGIN) as ws:
        ws.receive_json()
    backoffice.client.cookies.clear()
    backoffice.add_user("carla", Role.CASEWORKER)
    assert backoffice.sign_in("carla") == 303
    evil = {"origin": "https://elsewhere.example"}
    with pytest.raises(WebSocketDisconnect), backoffice.client.websocket_connect("/console/ws", headers=evil) as ws:
        ws.receive_json()
    with backoffice.client.websocket_connect("/console/ws", headers=ORIGIN) as ws:
        assert ws.receive_json()["type"] == "status"


def test_a_whole_call_relayed_and_recorded(backoffice: Backoffice) -> None:
    device = backoffice.enroll("kiosk-hal")
    backoffice.add_user("carla", Role.CASEWORKER)
    assert backoffice.sign_in("carla") == 303
    earlier = Identity(personal_number=DOCUMENT["personal_number"])
    with backoffice.db() as db:
        add_contact(
            db,
            backoffice.settings,
            citizen_key(backoffice.settings, earlier),
            "channel:KCC",
            channel="phone",
            topic="Parkeervergunning",
            started_at=backoffice.clock(),
        )
        db.commit()

    client = backoffice.client
    with (
        client.websocket_connect("/console/ws", headers=ORIGIN) as console,
        client.websocket_connect("/api/v1/calls/ws", headers=bearer(device["token"])) as kiosk,
    ):
        assert console.receive_json()["type"] == "status"
        console.send_json({"type": "status.set", "status": "available"})
        assert receive_until(console, "status")["status"] == "available"
        assert kiosk.receive_json()["type"] == "hello"

        kiosk.send_text("not json")
        assert kiosk.receive_json() == {"type": "error", "message": "not valid JSON"}
        kiosk.send_json({"type": "call.request", "topic": "Paspoort", "language": "nl"})
        accepted = receive_until(kiosk, "call.accepted")
        call_id = accepted["call_id"]
        assert receive_until(kiosk, "call.queued")["position"] == 1
        ringing = receive_until(console, "call.ringing")
        assert (ringing["call_id"], ringing["location"], ringing["topic"]) == (call_id, "Stadhuis Zwolle", "Paspoort")

        console.send_json({"type": "call.answer", "call_id": call_id})
        assert receive_until(console, "call.connected")["call_id"] == call_id
        assert receive_until(kiosk, "call.answered")["caseworker"] == "carla"

        kiosk.send_json({"type": "signal.offer", "sdp": "v=0 kiosk offer"})
        assert receive_until(console, "signal.offer")["sdp"] == "v=0 kiosk offer"
        console.send_json({"type": "signal.answer", "sdp": "v=0 console answer"})
        assert receive_until(kiosk, "signal.answer")["sdp"] == "v=0 console answer"

        console.send_json({"type": "identity.request"})
        receive_until(kiosk, "identity.request")
        kiosk.send_json({"type": "identity.result", "document": DOCUMENT, "verdict": "verified", "photo": None})
        shown = receive_until(console, "identity.result")
        assert shown["document"]["surname"] == "DE TESTER"
        history = receive_until(console, "history")["contacts"]
        assert [(c["channel"], c["topic"], c["days_ago"]) for c in history] == [("phone", "Parkeervergunning", 0)]

        console.send_json({"type": "call.outcome", "call_id": call_id, "outcome": "Uitgelegd", "note": "Komt terug"})
        assert receive_until(kiosk, "call.ended")["reason"] == "caseworker"
        receive_until(console, "outcome.saved")
        kiosk.send_json(
            {"type": "feedback", "call_id": call_id, "answers": {"how_did_it_go": 4, "how_are_you": "good"}}
        )
        kiosk.send_json({"type": "call.hangup"})  # nothing to hang up any more: harmless

    with backoffice.db() as db:
        contacts = db.scalars(select(Contact).where(Contact.channel == "video")).all()
        assert len(contacts) == 1
        contact = contacts[0]
        keys = {citizen_key(backoffice.settings, earlier)}
        assert contact.citizen_key in keys
        assert (contact.topic, contact.outcome, contact.note) == ("Paspoort", "Uitgelegd", "Komt terug")
        assert contact.feedback == {"how_did_it_go": 4, "how_are_you": "good"}
        assert contact.ended_at is not None
        looks = db.scalars(select(AuditEntry).where(AuditEntry.actor == "carla")).all()
        assert {entry.subject for entry in looks} >= keys
        # Nothing of the document itself was stored: no name, number or date in any contact or audit row.
        stored = " ".join(str(value) for row in (*contacts, *looks) for value in vars(row).values())
        for value in DOCUMENT.values():
            assert value not in stored
    assert date.fromisoformat(DOCUMENT["date_of_birth"])  # the fixture itself is well-formed


def test_a_revoked_device_cannot_open_a_call_line(backoffice: Backoffice) -> None:
    device = backoffice.enroll("kiosk-oud")
    with backoffice.db() as db:
        found = db.get(Device, uuid.UUID(device["device_id"]))
        assert found is not None
        found.revoked_at = backoffice.clock()
        db.commit()
    with (
        pytest.raises(WebSocketDisconnect),
        backoffice.client.websocket_connect("/api/v1/calls/ws", headers=bearer(device["token"])) as ws,
    ):
        ws.receive_json()


def test_console_page_in_both_languages(backoffice: Backoffice) -> None:
    backoffice.add_user("carla", Role.CASEWORKER)
    assert backoffice.client.get("/console", follow_redirects=False).status_code == 303
    assert backoffice.sign_in("carla") == 303
    dutch = backoffice.client.get("/console")
    english = backoffice.client.get("/console?lang=en")
    assert dutch.status_code == english.status_code == 200
    assert "<h1>Videobalie</h1>" in dutch.text and '"answer": "Opnemen"' in dutch.text
    assert "<h1>Video counter</h1>" in english.text and '"answer": "Answer"' in english.text
