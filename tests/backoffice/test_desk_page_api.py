"""The desk page's API over HTTP: a caseworker's day at a desk, each step recorded, each refusal one sentence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backoffice_harness import Backoffice
from desk_harness import ORIGIN, act, appointment, desk, staff_client, state, take
from sqlalchemy import select

from backoffice.desk.models import Visit
from backoffice.desk.visit_extras import VisitExtras
from backoffice.models import AuditEntry
from backoffice.models_contacts import Contact
from backoffice.models_counter import Appointment, Ticket
from backoffice.roles import Role

KEY = "b" * 64  # a citizen key as the counter link hands it over (a keyed hash; no BSN in a test either)


@dataclass
class CounterLinkDouble:
    """Stands in for the counter link at its protocol: what it read at the desk, handed over once."""

    extras: dict[int, VisitExtras] = field(default_factory=dict)
    asked: list[int] = field(default_factory=list)

    def take_visit_extras(self, desk_id: int) -> VisitExtras:
        self.asked.append(desk_id)
        return self.extras.pop(desk_id, VisitExtras())


def _ticket(backoffice: Backoffice, number: str) -> Ticket:
    with backoffice.db() as db:
        return db.scalars(select(Ticket).where(Ticket.number == number)).one()


def _visits(backoffice: Backoffice) -> list[Visit]:
    with backoffice.db() as db:
        return list(db.scalars(select(Visit).order_by(Visit.id)))


def _actions(backoffice: Backoffice) -> list[str]:
    with backoffice.db() as db:
        return [a for a in db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)) if a.startswith("desk.")]


def test_call_recall_and_done_record_the_visit_and_a_counter_contact_with_its_times(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "B")
    backoffice.clock.advance(minutes=1)
    take(backoffice, kiosk, "A")
    desk_id = desk(backoffice, "3", "AB")
    link = CounterLinkDouble()
    backoffice.app.state.visit_extras = link
    carla = staff_client(backoffice, "carla")
    try:
        signed_in = act(carla, "sign-in", {"desk_id": desk_id}).json()
        backoffice.clock.advance(minutes=7)
        called = act(carla, "call-next").json()
        called_ticket = _ticket(backoffice, "B001")
        backoffice.clock.advance(seconds=40)
        recalled = act(carla, "recall").json()
        backoffice.clock.advance(minutes=6)
        link.extras[desk_id] = VisitExtras(citizen_keys=[KEY, "c" * 64], feedback={"how_did_it_go": 4})
        finished = act(carla, "done", {"outcome": "Rijbewijs aangevraagd", "note": "pasfoto meegenomen"}).json()
    finally:
        carla.close()

    assert signed_in["desk"]["name"] == "3" and signed_in["desk"]["mine"] is True
    assert [(w["label"], w["topic_name"], w["waited_seconds"]) for w in signed_in["waiting"]] == [
        ("B001", "Rijbewijs", 60),
        ("A001", "Paspoort of ID-kaart", 0),
    ]
    assert called["current"]["label"] == "B001" and called["current"]["waited_seconds"] == 480
    assert [w["label"] for w in called["waiting"]] == ["A001"]
    assert (called_ticket.status, called_ticket.desk_id, called_ticket.served_by) == ("called", desk_id, 1)
    assert recalled["current"]["recalls"] == 1
    assert [(c["label"], c["kind"]) for c in recalled["recent_calls"]] == [("B001", "recall"), ("B001", "call")]
    assert finished["current"] is None
    assert link.asked == [desk_id]

    assert _ticket(backoffice, "B001").status == "done"
    [visit] = _visits(backoffice)
    assert (visit.status, visit.waited_seconds, visit.service_seconds, visit.topic) == ("done", 480, 400, "B")
    assert visit.outcome == "Rijbewijs aangevraagd"
    with backoffice.db() as db:
        [contact] = db.scalars(select(Contact)).all()
    assert (contact.citizen_key, contact.channel, contact.topic) == (KEY, "counter", "Rijbewijs (B)")
    assert (contact.waited_seconds, contact.service_seconds, contact.feedback) == (480, 400, {"how_did_it_go": 4})
    assert (contact.outcome, contact.note, contact.recorded_by) == (
        "Rijbewijs aangevraagd",
        "pasfoto meegenomen",
        "staff:carla",
    )
    assert _actions(backoffice) == ["desk.sign_in", "desk.call", "desk.recall", "desk.done"]


def test_without_a_counter_link_done_records_the_visit_and_a_note_under_a_key_of_nobody(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    take(backoffice, kiosk, "A")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": desk(backoffice, "1")})
        act(carla, "call-next")
        assert act(carla, "done", {"outcome": "helped"}).status_code == 200
        with backoffice.db() as db:
            without_note = db.scalars(select(Contact)).all()
        act(carla, "call-next")
        assert act(carla, "done", {"outcome": "helped", "note": "komt terug met uittreksel"}).status_code == 200
    finally:
        carla.close()

    assert [v.status for v in _visits(backoffice)] == ["done", "done"]
    assert without_note == []
    with backoffice.db() as db:
        [contact] = db.scalars(select(Contact)).all()
    assert (contact.channel, contact.note, contact.outcome) == ("counter", "komt terug met uittreksel", "helped")
    assert len(contact.citizen_key) == 64 and contact.citizen_key != KEY


def test_a_transfer_to_a_topic_keeps_the_place_and_the_next_desk_counts_the_wait_from_the_transfer(
    backoffice: Backoffice,
) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    backoffice.clock.advance(minutes=2)
    take(backoffice, kiosk, "B")
    passports, licences = desk(backoffice, "1", "A"), desk(backoffice, "2", "B")
    carla, dirk = staff_client(backoffice, "carla"), staff_client(backoffice, "dirk")
    try:
        act(carla, "sign-in", {"desk_id": passports})
        act(dirk, "sign-in", {"desk_id": licences})
        act(carla, "call-next")
        backoffice.clock.advance(minutes=3)
        moved = act(carla, "transfer", {"topic": "b"}).json()
        backoffice.clock.advance(minutes=1)
        next_for_b = act(dirk, "call-next").json()
    finally:
        carla.close()
        dirk.close()

    assert moved["current"] is None
    assert next_for_b["current"]["label"] == "A001"  # issued before B001: it keeps its place
    first, second = _visits(backoffice)
    assert (first.status, first.outcome, first.service_seconds) == ("transferred", "transferred to topic B", 180)
    assert (second.desk_id, second.topic, second.waited_seconds) == (licences, "B", 60)
    assert (_ticket(backoffice, "A001").queue_topic, _ticket(backoffice, "A001").topic) == ("B", "A")


def test_a_transfer_to_a_desk_is_called_only_there_and_no_show_ends_it(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "C")
    one, two, three = desk(backoffice, "1"), desk(backoffice, "2"), desk(backoffice, "3")
    carla, dirk, eva = (staff_client(backoffice, name) for name in ("carla", "dirk", "eva"))
    try:
        for client, desk_id in ((carla, one), (dirk, two), (eva, three)):
            act(client, "sign-in", {"desk_id": desk_id})
        act(carla, "call-next")
        act(carla, "transfer", {"desk_id": three})
        not_for_two = act(dirk, "call-next")
        seen_by_two = state(dirk)["waiting"]
        for_three = act(eva, "call-next").json()
        backoffice.clock.advance(minutes=2)
        act(eva, "recall")
        gone = act(eva, "no-show").json()
    finally:
        for client in (carla, dirk, eva):
            client.close()

    assert not_for_two.status_code == 409 and not_for_two.json() == {"detail": "nobody is waiting for this desk"}
    assert [(w["label"], w["mine"], w["to_desk"]) for w in seen_by_two] == [("C001", False, three)]
    assert for_three["current"]["label"] == "C001"
    assert gone["current"] is None and gone["waiting"] == []
    assert _ticket(backoffice, "C001").status == "no_show"
    assert [(v.status, v.service_seconds) for v in _visits(backoffice)] == [("transferred", 0), ("no_show", None)]


def test_a_checked_in_appointment_is_called_by_its_short_code(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    appointment(backoffice, kiosk, "K7M29XZD", "2026-03-02T10:03+01:00")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": desk(backoffice, "5")})
        listed = state(carla)["waiting"]
        called = act(carla, "call-next").json()
        act(carla, "done", {"outcome": "Paspoort aangevraagd"})
    finally:
        carla.close()

    assert [(w["kind"], w["label"], w["due"], w["starts_at_local"]) for w in listed] == [
        ("appointment", "K7M", True, "10:03"),  # the town hall's time, as on the appointment letter
        ("ticket", "A001", False, None),
    ]
    assert called["current"]["label"] == "K7M" and "Fenna" not in str(called)
    with backoffice.db() as db:
        booked = db.scalars(select(Appointment)).one()
    assert (booked.status, booked.recalls) == ("done", 0)


def test_every_refusal_is_one_sentence_and_changes_nothing(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    backoffice.enroll("kiosk-9", location="Bibliotheek Deventer")
    take(backoffice, kiosk, "A")
    mine, taken = desk(backoffice, "1"), desk(backoffice, "2")
    far = desk(backoffice, "9", location="Bibliotheek Deventer")
    carla, dirk = staff_client(backoffice, "carla"), staff_client(backoffice, "dirk")
    try:
        before_desk = act(carla, "call-next")
        act(dirk, "sign-in", {"desk_id": taken})
        act(carla, "sign-in", {"desk_id": mine})
        answers: dict[str, Any] = {
            "taken": act(carla, "sign-in", {"desk_id": taken}),
            "no such desk": act(carla, "sign-in", {"desk_id": 99}),
            "recall first": act(carla, "recall"),
        }
        act(carla, "call-next")
        answers |= {
            "busy": act(carla, "call-next"),
            "leave busy": act(carla, "sign-out"),
            "move busy": act(carla, "sign-in", {"desk_id": far}),
            "no outcome": act(carla, "done", {"outcome": "  "}),
            "missing outcome": act(carla, "done", {"note": "x"}),
            "unknown field": act(carla, "done", {"outcome": "x", "colour": "red"}),
            "both targets": act(carla, "transfer", {"topic": "B", "desk_id": taken}),
            "far desk": act(carla, "transfer", {"desk_id": far}),
            "own desk": act(carla, "transfer", {"desk_id": mine}),
            "two letters": act(carla, "transfer", {"topic": "AB"}),
            "not a letter": act(carla, "transfer", {"topic": "7"}),
            "not json": carla.post("/console/desk/api/done", content=b"{oops", headers=ORIGIN),
            "no origin": carla.post("/console/desk/api/done", json={"outcome": "x"}),
            "other site": carla.post(
                "/console/desk/api/done", json={"outcome": "x"}, headers={"Origin": "https://evil.example"}
            ),
            "not admin": act(carla, "desks", {"location_id": 1, "name": "7"}),
        }
        after = state(carla)
    finally:
        carla.close()
        dirk.close()

    assert before_desk.status_code == 409 and before_desk.json() == {"detail": "sign in to a desk first"}
    expected = {
        "taken": (409, "desk 2 is taken by a colleague; choose another desk"),
        "no such desk": (404, "there is no desk with id 99"),
        "recall first": (409, "nobody has been called at this desk yet"),
        "busy": (409, "finish the current visit (done, no-show or transfer) before calling the next"),
        "leave busy": (409, "finish the current visit (done, no-show or transfer) before signing out"),
        "move busy": (409, "finish the visit at desk 1 before moving to another desk"),
        "no outcome": (422, "give an outcome of 1 to 500 characters"),
        "missing outcome": (422, "outcome is required"),
        "unknown field": (422, "colour is not a field of this request"),
        "both targets": (422, "transfer to a topic or to a desk, not both and not neither"),
        "far desk": (422, "transfer to another desk of this location"),
        "own desk": (422, "transfer to another desk of this location"),
        "two letters": (422, "transfer to one topic letter, for example B"),
        "not a letter": (422, "topics are letters A to Z, for example AB"),
        "not json": (422, "the body must be JSON"),
        "no origin": (403, "this request must come from the desk page of this backoffice"),
        "other site": (403, "this request must come from the desk page of this backoffice"),
        "not admin": (403, "only an administrator can create desks"),
    }
    assert {name: (a.status_code, a.json()) for name, a in answers.items()} == {
        name: (status, {"detail": detail}) for name, (status, detail) in expected.items()
    }
    # Nothing was lost or changed by the refusals: the visit is still open at desk 1, the ticket called.
    assert after["desk"]["id"] == mine and after["current"]["label"] == "A001"
    assert [v.status for v in _visits(backoffice)] == ["open"]
    assert _ticket(backoffice, "A001").status == "called"


def test_only_caseworkers_and_admins_use_the_desk_and_an_admin_creates_desks(backoffice: Backoffice) -> None:
    backoffice.enroll()
    theo = staff_client(backoffice, "theo", Role.TECHNICIAN)
    ada = staff_client(backoffice, "ada", Role.ADMIN)
    try:
        technician = theo.get("/console/desk/api/state")
        signed_out = backoffice.client.get("/console/desk/api/state")
        location = state(ada)["locations"][0]
        created = act(ada, "desks", {"location_id": location["id"], "name": " Balie  4 ", "topics": "ba"})
        again = act(ada, "desks", {"location_id": location["id"], "name": "Balie 4"})
        bad_topics = act(ada, "desks", {"location_id": location["id"], "name": "5", "topics": "AA"})
        nowhere = act(ada, "desks", {"location_id": 42, "name": "5"})
    finally:
        theo.close()
        ada.close()

    assert (technician.status_code, technician.json()) == (
        403,
        {"detail": "the desk is for caseworkers and administrators"},
    )
    assert (signed_out.status_code, signed_out.json()) == (401, {"detail": "your session has ended; sign in again"})
    assert location["name"] == "Stadhuis Zwolle"
    assert created.status_code == 200
    assert [(d["name"], d["topics"], d["location"]) for d in created.json()["desks"]] == [
        ("Balie 4", "BA", "Stadhuis Zwolle")
    ]
    assert (again.status_code, again.json()) == (409, {"detail": "Stadhuis Zwolle already has a desk Balie 4"})
    assert (bad_topics.status_code, bad_topics.json()) == (422, {"detail": "each topic letter may appear only once"})
    assert (nowhere.status_code, nowhere.json()) == (404, {"detail": "there is no location with id 42"})
    assert _actions(backoffice) == ["desk.create"]


def test_a_refused_done_leaves_the_counter_links_extras_alone(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    desk_id = desk(backoffice, "1")
    link = CounterLinkDouble(extras={desk_id: VisitExtras(citizen_keys=[KEY])})
    backoffice.app.state.visit_extras = link
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": desk_id})
        no_visit = act(carla, "done", {"outcome": "helped"})
        act(carla, "call-next")
        no_outcome = act(carla, "done", {"outcome": ""})
        asked_before = list(link.asked)
        finished = act(carla, "done", {"outcome": "helped"})
    finally:
        carla.close()

    assert (no_visit.status_code, no_outcome.status_code, finished.status_code) == (409, 422, 200)
    assert asked_before == [] and link.asked == [desk_id]
    with backoffice.db() as db:
        [contact] = db.scalars(select(Contact)).all()
    assert (contact.citizen_key, contact.feedback, contact.waited_seconds) == (KEY, None, 0)


def test_a_desk_left_behind_by_an_ended_session_is_free_again_unless_a_visit_is_open(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    take(backoffice, kiosk, "A")
    left, busy = desk(backoffice, "1"), desk(backoffice, "2")
    carla, dirk = staff_client(backoffice, "carla"), staff_client(backoffice, "dirk")
    try:
        act(carla, "sign-in", {"desk_id": left})
        act(dirk, "sign-in", {"desk_id": busy})
        act(dirk, "call-next")
        eva = staff_client(backoffice, "eva")
        while_present = act(eva, "sign-in", {"desk_id": left})
        eva.close()
    finally:
        carla.close()
        dirk.close()
    backoffice.clock.advance(seconds=backoffice.settings.session_idle_timeout.total_seconds() + 60)
    eva = staff_client(backoffice, "eva2")
    try:
        taken_over = act(eva, "sign-in", {"desk_id": left})
        still_busy = act(eva, "sign-in", {"desk_id": busy})
    finally:
        eva.close()

    assert while_present.json() == {"detail": "desk 1 is taken by a colleague; choose another desk"}
    assert taken_over.status_code == 200 and taken_over.json()["desk"]["id"] == left
    assert still_busy.json() == {"detail": "desk 2 is taken by a colleague; choose another desk"}
    assert [v.status for v in _visits(backoffice)] == ["open"]


def test_an_appointment_transferred_to_a_topic_goes_only_to_desks_of_that_topic(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll()["token"]
    appointment(backoffice, kiosk, "K7M29XZD", "2026-03-02T10:00+01:00")
    anywhere, passports, licences = desk(backoffice, "1"), desk(backoffice, "2", "A"), desk(backoffice, "3", "B")
    carla, dirk, eva = (staff_client(backoffice, name) for name in ("carla", "dirk", "eva"))
    try:
        for client, desk_id in ((carla, anywhere), (dirk, passports), (eva, licences)):
            act(client, "sign-in", {"desk_id": desk_id})
        act(carla, "call-next")
        act(carla, "transfer", {"topic": "B"})
        not_for_a = act(dirk, "call-next")
        for_b = act(eva, "call-next").json()
    finally:
        for client in (carla, dirk, eva):
            client.close()

    assert not_for_a.json() == {"detail": "nobody is waiting for this desk"}
    current = for_b["current"]
    assert (current["kind"], current["label"], current["topic"]) == ("appointment", "K7M", "B")
    with backoffice.db() as db:
        booked = db.scalars(select(Appointment)).one()
    assert (booked.status, booked.queue_topic, booked.desk_id) == ("called", "B", licences)
