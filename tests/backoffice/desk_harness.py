"""Helpers of the desk tests: kiosks take tickets and check in over the device API, desks are set up in
the database, and caseworkers act through the desk page's API as the browser does (same-origin JSON)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from backoffice_harness import CSRF, PASSWORD, Backoffice, bearer
from fastapi.testclient import TestClient

from backoffice.appointments import ImportedAppointment, import_appointments
from backoffice.desk.desks import create_desk, location_called
from backoffice.roles import Role

ORIGIN = {"Origin": "http://testserver"}
LOCATION = "Stadhuis Zwolle"


def take(backoffice: Backoffice, token: str, topic: str = "A", language: str | None = "nl") -> str:
    body: dict[str, Any] = {"topic": topic, "request_id": str(uuid.uuid4())}
    if language is not None:
        body["language"] = language
    answer = backoffice.client.post("/api/v1/tickets", json=body, headers=bearer(token))
    assert answer.status_code == 200, answer.text
    number: str = answer.json()["number"]
    return number


def appointment(backoffice: Backoffice, token: str, code: str, start: str, *, check_in: bool = True) -> None:
    """An invented citizen's appointment, imported and (by default) checked in at the kiosk now."""
    item = ImportedAppointment(
        code=code, starts_at=datetime.fromisoformat(start), topic="Paspoort aanvragen", first_name="Fenna",
        duration_minutes=15,
    )  # fmt: skip
    with backoffice.db() as db:
        import_appointments(db, backoffice.settings, LOCATION, [item])
    if check_in:
        answer = backoffice.client.post(
            "/api/v1/appointments/checkin",
            json={"code": code, "request_id": str(uuid.uuid4())},
            headers=bearer(token),
        )
        assert answer.status_code == 200, answer.text


def desk(backoffice: Backoffice, name: str, topics: str = "", location: str = LOCATION) -> int:
    with backoffice.db() as db:
        made = create_desk(db, backoffice.settings, location_called(db, location), name, topics)
        db.commit()
        return made.id


def staff_client(backoffice: Backoffice, username: str, role: Role = Role.CASEWORKER) -> TestClient:
    """A browser of its own for one colleague (its own cookie jar), signed in; close it after the test."""
    backoffice.add_user(username, role)
    client = TestClient(backoffice.app)
    found = CSRF.search(client.get("/signin").text)
    assert found, "no CSRF field on the sign-in page"
    answer = client.post(
        "/signin",
        data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text
    return client


def act(client: TestClient, action: str, body: dict[str, Any] | None = None) -> Any:
    """A desk page action as the page's script sends it; the test client's response."""
    return client.post(f"/console/desk/api/{action}", json=body or {}, headers=ORIGIN)


def state(client: TestClient) -> dict[str, Any]:
    answer = client.get("/console/desk/api/state")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def board(backoffice: Backoffice, token: str, after: int = 0) -> dict[str, Any]:
    answer = backoffice.client.get(f"/api/v1/display/board?after={after}", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
