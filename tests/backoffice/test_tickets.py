"""Queue tickets through HTTP: numbers per location and topic, a new day starts at 1, resends, races."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

from backoffice_harness import Backoffice, bearer
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backoffice.app import create_app
from backoffice.models import Device
from backoffice.models_counter import Ticket


def take(backoffice: Backoffice, token: str, topic: str = "A", request_id: str | None = None) -> dict[str, object]:
    body = {"topic": topic, "request_id": request_id or str(uuid.uuid4()), "language": "nl"}
    answer = backoffice.client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    result: dict[str, object] = answer.json()
    return result


def _ticket_count(backoffice: Backoffice) -> int:
    with backoffice.db() as db:
        return int(db.scalar(select(func.count()).select_from(Ticket)) or 0)


def test_numbers_count_per_topic_and_location(backoffice: Backoffice) -> None:
    zwolle_1, zwolle_2 = backoffice.enroll("a")["token"], backoffice.enroll("b")["token"]
    deventer = backoffice.enroll("c", location="Bibliotheek Deventer")["token"]

    first = take(backoffice, zwolle_1, "A")
    second = take(backoffice, zwolle_2, "A")  # another kiosk in the same hall continues the same queue
    other_topic = take(backoffice, zwolle_1, "B")
    elsewhere = take(backoffice, deventer, "A")

    assert (first["number"], second["number"], other_topic["number"], elsewhere["number"]) == (
        "A001",
        "A002",
        "B001",
        "A001",
    )
    assert (first["position_in_queue"], second["position_in_queue"], elsewhere["position_in_queue"]) == (1, 2, 1)
    assert first["topic"] == "A"
    assert first["issued_at"] == "2026-03-02T10:00:00+01:00"  # the town hall's local time, with its offset
    assert "estimated_wait_minutes" not in first  # no desk serves topic A: nobody can promise a time


def test_numbering_starts_again_at_local_midnight_not_utc_midnight(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    take(backoffice, token)
    backoffice.clock.now = datetime(2026, 3, 2, 22, 59, tzinfo=UTC)  # 23:59 in Amsterdam
    assert take(backoffice, token)["number"] == "A002"

    backoffice.clock.now = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 00:00 on 3 March in Amsterdam
    morning = take(backoffice, token)

    assert morning["number"] == "A001"
    assert morning["position_in_queue"] == 1  # yesterday's waiting tickets are not ahead of it


def test_a_resent_request_gets_the_same_ticket_not_a_second_number(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    request_id = str(uuid.uuid4())

    first = take(backoffice, token, "C", request_id)
    backoffice.clock.advance(seconds=20)
    again = take(backoffice, token, "C", request_id)
    after = take(backoffice, token, "C")

    assert again == first
    assert after["number"] == "C002"
    assert _ticket_count(backoffice) == 2


def test_a_request_id_reused_for_another_topic_is_refused(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    request_id = str(uuid.uuid4())
    take(backoffice, token, "A", request_id)

    answer = backoffice.client.post(
        "/api/v1/tickets", json={"topic": "B", "request_id": request_id}, headers=bearer(token)
    )

    assert answer.status_code == 409 and "another topic" in answer.json()["detail"]
    assert _ticket_count(backoffice) == 1


def test_the_number_wraps_after_999_like_the_kiosk(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    with backoffice.db() as db:
        from backoffice.models_counter import TicketCounter

        location_id = db.scalars(select(Device.location_id)).one()
        db.add(TicketCounter(location_id=location_id, topic="A", day=datetime(2026, 3, 2).date(), last=999))
        db.commit()

    assert take(backoffice, token)["number"] == "A001"


def test_two_instances_with_many_threads_never_hand_out_the_same_number(backoffice: Backoffice) -> None:
    tokens = [backoffice.enroll(f"kiosk-{i}")["token"] for i in range(4)]
    second_instance = create_app(backoffice.settings)  # same database, as behind a load balancer
    numbers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def kiosk(client: TestClient, token: str) -> None:
        for _ in range(10):
            answer = client.post(
                "/api/v1/tickets", json={"topic": "A", "request_id": str(uuid.uuid4())}, headers=bearer(token)
            )
            with lock:
                if answer.status_code == 200:
                    numbers.append(answer.json()["number"])
                else:
                    errors.append(answer.text)

    with TestClient(second_instance) as other:
        clients = [backoffice.client, other, backoffice.client, other]
        threads = [threading.Thread(target=kiosk, args=(c, t)) for c, t in zip(clients, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert errors == []
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 41)]


def test_bad_ticket_requests_get_422(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    request_id = str(uuid.uuid4())
    for body in (
        {"topic": "a", "request_id": request_id},
        {"topic": "AB", "request_id": request_id},
        {"topic": "A"},
        {"topic": "A", "request_id": "not-a-uuid"},
        {"topic": "A", "request_id": request_id, "language": "Nederlands"},
        {"topic": "A", "request_id": request_id, "colour": "red"},
    ):
        answer = backoffice.client.post("/api/v1/tickets", json=body, headers=bearer(token))
        assert answer.status_code == 422, body
    assert _ticket_count(backoffice) == 0


def test_a_revoked_device_gets_no_ticket(backoffice: Backoffice) -> None:
    enrolled = backoffice.enroll()
    with backoffice.db() as db:
        device = db.get(Device, uuid.UUID(enrolled["device_id"]))
        assert device is not None
        device.revoked_at = backoffice.clock()
        db.commit()

    answer = backoffice.client.post(
        "/api/v1/tickets", json={"topic": "A", "request_id": str(uuid.uuid4())}, headers=bearer(enrolled["token"])
    )

    assert answer.status_code == 401
    assert _ticket_count(backoffice) == 0
