"""Two caseworkers calling next at the same moment never get the same ticket, on one instance or two."""

from __future__ import annotations

import threading

from backoffice_harness import Backoffice
from desk_harness import act, desk, staff_client, take
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backoffice.app import create_app
from backoffice.desk.models import QueueCall, Visit
from backoffice.models_counter import Ticket

ROUNDS = 8
CASEWORKERS = 4


def test_four_caseworkers_on_two_instances_calling_at_once_never_share_a_ticket(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    for n in range(ROUNDS * CASEWORKERS):
        take(backoffice, kiosk, "AB"[n % 2])
    desk_ids = [desk(backoffice, str(n + 1)) for n in range(CASEWORKERS)]
    clients = [staff_client(backoffice, f"caseworker{n}") for n in range(CASEWORKERS)]
    second = create_app(backoffice.settings)  # same database, as behind a load balancer
    at_once = threading.Barrier(CASEWORKERS, timeout=60)
    called: list[str] = []
    problems: list[str] = []
    lock = threading.Lock()

    def caseworker(client: TestClient, desk_id: int) -> None:
        try:
            assert act(client, "sign-in", {"desk_id": desk_id}).status_code == 200
            for _ in range(ROUNDS):
                at_once.wait()
                answer = act(client, "call-next")
                if answer.status_code != 200:
                    with lock:
                        problems.append(answer.text)
                    continue
                label = answer.json()["current"]["label"]
                with lock:
                    called.append(label)
                assert act(client, "done", {"outcome": "helped"}).status_code == 200
        except Exception as error:  # reported below: the thread must not die silently
            with lock:
                problems.append(repr(error))
            at_once.abort()

    with TestClient(second) as other:
        # Half the caseworkers' browsers reach the second instance, with the cookies of their sign-in.
        browsers = [clients[0], _twin(other, clients[1]), clients[2], _twin(other, clients[3])]
        threads = [threading.Thread(target=caseworker, args=(b, d)) for b, d in zip(browsers, desk_ids, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    for client in {*clients, *browsers}:
        client.close()

    assert problems == []
    assert sorted(called) == sorted({*called}) and len(called) == ROUNDS * CASEWORKERS
    with backoffice.db() as db:
        assert db.scalar(select(func.count()).select_from(Ticket).where(Ticket.status == "done")) == len(called)
        assert db.scalar(select(func.count()).select_from(Visit)) == len(called)
        assert db.scalar(select(func.count()).select_from(QueueCall)) == len(called)


def _twin(instance: TestClient, signed_in: TestClient) -> TestClient:
    """A client of `instance` carrying the session cookie `signed_in` got from the first instance."""
    twin = TestClient(instance.app)
    twin.cookies = signed_in.cookies
    return twin
