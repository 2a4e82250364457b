"""The device API through HTTP: enrollment, device tokens, revocation, heartbeats and the event intake."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from backoffice_harness import Backoffice, bearer
from sqlalchemy import func, select

from backoffice import enroll_limit
from backoffice.models import Device, Event
from tests.live_backoffice import LiveBackoffice


def _events(count: int) -> list[dict[str, object]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "type": "task_done",
            "occurred_at": "2026-03-02T09:00:00+01:00",
            "session_id": "s-1",
            "data": {"task": "opening_hours"},
        }
        for _ in range(count)
    ]


def _event_count(backoffice: Backoffice) -> int:
    with backoffice.db() as db:
        return int(db.scalar(select(func.count()).select_from(Event)) or 0)


def test_enrollment_returns_a_token_for_the_location_and_stores_only_a_hash(backoffice: Backoffice) -> None:
    enrolled = backoffice.enroll("kiosk-hal", location="Bibliotheek Deventer")

    assert enrolled["location"] == "Bibliotheek Deventer"
    assert enrolled["heartbeat_interval"] == 30
    prefix, device_id, secret = enrolled["token"].split(".")
    assert (prefix, device_id) == ("bd1", enrolled["device_id"])
    with backoffice.db() as db:
        device = db.get(Device, uuid.UUID(device_id))
        assert device is not None and device.name == "kiosk-hal"
        assert secret not in device.secret_hash


def test_an_enrollment_code_works_once(backoffice: Backoffice) -> None:
    code = backoffice.enrollment_code()
    first = backoffice.client.post("/api/v1/enroll", json={"code": code, "name": "a", "version": "1"})
    second = backoffice.client.post("/api/v1/enroll", json={"code": code, "name": "b", "version": "1"})

    assert first.status_code == 200
    assert second.status_code == 403
    assert "used already" in second.json()["detail"]


def test_an_expired_or_unknown_code_is_refused(backoffice: Backoffice) -> None:
    code = backoffice.enrollment_code()
    backoffice.clock.advance(hours=24, seconds=1)

    expired = backoffice.client.post("/api/v1/enroll", json={"code": code, "name": "a"})
    unknown = backoffice.client.post("/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC", "name": "a"})

    assert expired.status_code == 403 and "expired" in expired.json()["detail"]
    assert unknown.status_code == 403 and "unknown" in unknown.json()["detail"]


def test_a_code_is_accepted_as_typed_in_lower_case_without_dashes(backoffice: Backoffice) -> None:
    code = backoffice.enrollment_code().replace("-", " ").lower()
    assert backoffice.client.post("/api/v1/enroll", json={"code": code, "name": "a"}).status_code == 200


def test_heartbeat_with_the_token(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    beat = {
        "version": "0.2.0",
        "uptime_seconds": 120,
        "health": {"printer": {"state": "degraded", "reason": "paper low"}, "camera": {"state": "ok"}},
    }
    answer = backoffice.client.post("/api/v1/heartbeat", json=beat, headers=bearer(token))

    assert answer.status_code == 200, answer.text
    assert answer.json()["heartbeat_interval"] == 30
    assert answer.json()["server_time"].startswith("2026-03-02T09:00:00")
    with backoffice.db() as db:
        device = db.scalars(select(Device)).one()
        assert (device.version, device.uptime_seconds, device.state) == ("0.2.0", 120, "degraded")
        assert {(c.name, c.state, c.reason) for c in device.components} == {
            ("printer", "degraded", "paper low"),
            ("camera", "ok", ""),
        }


def test_a_heartbeat_moves_since_only_when_a_state_changes_and_drops_components_no_longer_reported(
    backoffice: Backoffice,
) -> None:
    token = backoffice.enroll()["token"]
    start = backoffice.clock.now

    def beat(**health: dict[str, str]) -> None:
        body = {"version": "1", "uptime_seconds": 1, "health": health}
        assert backoffice.client.post("/api/v1/heartbeat", json=body, headers=bearer(token)).status_code == 200
        backoffice.clock.advance(minutes=1)

    def components() -> dict[str, tuple[str, str, object, object]]:
        with backoffice.db() as db:
            device = db.scalars(select(Device)).one()
            return {c.name: (c.state, c.reason, c.since - start, c.reported_at - start) for c in device.components}

    beat(printer={"state": "degraded", "reason": "paper low"}, camera={"state": "ok"}, speech={"state": "ok"})
    beat(printer={"state": "degraded", "reason": "paper very low"}, camera={"state": "failed"})
    minute = timedelta(minutes=1)
    assert components() == {
        "printer": ("degraded", "paper very low", 0 * minute, minute),
        "camera": ("failed", "", minute, minute),
    }
    with backoffice.db() as db:
        device = db.scalars(select(Device)).one()
        assert (device.state, device.state_since, device.last_heartbeat_at) == (
            "failed",
            start + minute,
            start + minute,
        )


def test_requests_without_a_valid_token_get_401(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    forged = token[:-4] + "AAAA"
    beat = {"version": "1", "uptime_seconds": 1, "health": {}}

    assert backoffice.client.post("/api/v1/heartbeat", json=beat).status_code == 401
    assert backoffice.client.post("/api/v1/heartbeat", json=beat, headers=bearer(forged)).status_code == 401
    assert backoffice.client.post("/api/v1/heartbeat", json=beat, headers=bearer("bd1.nonsense")).status_code == 401
    answer = backoffice.client.post("/api/v1/events", json={"events": []}, headers=bearer("x"))
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"


def test_events_are_stored_once_and_a_resent_batch_is_all_duplicates(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    batch = {"events": _events(20)}
    ids = [event["id"] for event in batch["events"]]

    first = backoffice.client.post("/api/v1/events", json=batch, headers=bearer(token))
    again = backoffice.client.post("/api/v1/events", json=batch, headers=bearer(token))

    assert first.status_code == 200 and first.json() == {"accepted": ids, "duplicates": []}
    assert again.status_code == 200 and again.json() == {"accepted": [], "duplicates": ids}
    assert _event_count(backoffice) == 20


def test_a_batch_mixing_new_and_resent_events_stores_only_the_new(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    old, new = _events(3), _events(2)
    backoffice.client.post("/api/v1/events", json={"events": old}, headers=bearer(token))

    mixed = backoffice.client.post("/api/v1/events", json={"events": old[:1] + new + new[:1]}, headers=bearer(token))

    assert mixed.json() == {"accepted": [e["id"] for e in new], "duplicates": [old[0]["id"], new[0]["id"]]}
    assert _event_count(backoffice) == 5


def test_the_same_event_id_from_two_devices_is_two_events(backoffice: Backoffice) -> None:
    one, two = backoffice.enroll("a")["token"], backoffice.enroll("b")["token"]
    batch = {"events": _events(1)}
    backoffice.client.post("/api/v1/events", json=batch, headers=bearer(one))
    assert backoffice.client.post("/api/v1/events", json=batch, headers=bearer(two)).json()["duplicates"] == []
    assert _event_count(backoffice) == 2


def test_malformed_events_get_422_naming_the_problem(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    good = _events(1)[0]
    bad_bodies = [
        {"events": [{**good, "id": "not-a-uuid"}]},
        {"events": [{**good, "type": "coffee_served"}]},
        {"events": [{**good, "occurred_at": "2026-03-02T09:00:00"}]},  # no time zone
        {"events": [{**good, "unexpected": 1}]},
        {"events": [{k: v for k, v in good.items() if k != "type"}]},
        {"events": _events(501)},
        {"events": "nope"},
        {},
    ]
    for body in bad_bodies:
        answer = backoffice.client.post("/api/v1/events", json=body, headers=bearer(token))
        assert answer.status_code == 422, body
        assert answer.json()["detail"][0]["loc"][0] == "body"
    not_json = backoffice.client.post(
        "/api/v1/events", content=b"{", headers={**bearer(token), "content-type": "application/json"}
    )
    assert not_json.status_code == 422
    assert _event_count(backoffice) == 0


def test_malformed_heartbeats_get_422(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    for health in ({"printer": {"state": "on fire"}}, {"": {"state": "ok"}}, {"printer": "ok"}):
        beat = {"version": "1", "uptime_seconds": 5, "health": health}
        assert backoffice.client.post("/api/v1/heartbeat", json=beat, headers=bearer(token)).status_code == 422
    negative = {"version": "1", "uptime_seconds": -1, "health": {}}
    assert backoffice.client.post("/api/v1/heartbeat", json=negative, headers=bearer(token)).status_code == 422


def test_no_device_route_answers_a_get(backoffice: Backoffice) -> None:
    """A device submits and never reads: there is nothing on the device API to fetch."""
    token = backoffice.enroll()["token"]
    for path in ("/api/v1/events", "/api/v1/heartbeat", "/api/v1/enroll"):
        assert backoffice.client.get(path, headers=bearer(token)).status_code == 405
    device_routes = [r for r in backoffice.app.routes if getattr(r, "path", "").startswith("/api/")]
    assert all(getattr(route, "methods", set()) == {"POST"} for route in device_routes)


def test_failed_enrollments_from_one_address_are_limited_until_the_window_has_passed(backoffice: Backoffice) -> None:
    def attempt(code: str) -> httpx.Response:
        return backoffice.client.post("/api/v1/enroll", json={"code": code, "name": "k", "version": "1"})

    for _ in range(enroll_limit.MAX_FAILURES_PER_ADDRESS):
        assert attempt("AAAA-BBBB-CCCC").status_code == 403
    good = backoffice.enrollment_code()

    limited = attempt(good)

    assert limited.status_code == 429
    assert limited.json()["detail"] == "too many failed enrollments from this address; try again in 15 minutes"
    assert limited.headers["retry-after"] == str(int(enroll_limit.WINDOW.total_seconds()))
    backoffice.clock.advance(seconds=enroll_limit.WINDOW.total_seconds() - 1)
    assert attempt(good).status_code == 429
    backoffice.clock.advance(seconds=1)
    assert attempt(good).status_code == 200


def test_successful_enrollments_are_not_limited(backoffice: Backoffice) -> None:
    """A technician enrolling a whole branch from one address is never held up."""
    for number in range(enroll_limit.MAX_FAILURES_PER_ADDRESS + 2):
        backoffice.enroll(f"kiosk-{number}")


def test_behind_a_load_balancer_on_a_trusted_address_each_forwarded_client_has_its_own_limit(tmp_path: Path) -> None:
    """`balie backoffice serve` believes X-Forwarded-For from 127.0.0.1 (its default --forwarded-allow-ips)."""
    service = LiveBackoffice(tmp_path)
    service.start()
    try:
        with httpx.Client(base_url=service.url, timeout=20) as http:

            def attempt(client: str) -> int:
                body = {"code": "AAAA-BBBB-CCCC", "name": "k"}
                return http.post("/api/v1/enroll", json=body, headers={"X-Forwarded-For": client}).status_code

            for _ in range(enroll_limit.MAX_FAILURES_PER_ADDRESS):
                assert attempt("203.0.113.7") == 403
            assert attempt("203.0.113.7") == 429
            assert attempt("203.0.113.8") == 403
    finally:
        service.stop()
