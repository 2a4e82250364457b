"""The fleet page: green / amber / red with reasons and since when, silent devices flagged, revoking a device."""

from __future__ import annotations

import re

from backoffice_harness import Backoffice, bearer

from backoffice.roles import Role


def _beat(backoffice: Backoffice, token: str, **health: dict[str, str]) -> None:
    body = {"version": "0.3.1", "uptime_seconds": 60, "health": health}
    answer = backoffice.client.post("/api/v1/heartbeat", json=body, headers=bearer(token))
    assert answer.status_code == 200, answer.text


def _row(page: str, device_id: str) -> str:
    found = re.search(rf'<tr data-device="{device_id}">(.*?)</tr>', page, re.S)
    assert found, f"no row for {device_id}"
    return found.group(1)


def _technician(backoffice: Backoffice) -> None:
    backoffice.add_user("tom", Role.TECHNICIAN)
    assert backoffice.sign_in("tom") == 303


def test_each_device_shows_its_colour_reasons_and_since_when(backoffice: Backoffice) -> None:
    ok = backoffice.enroll("kiosk-hal", location="Stadhuis Zwolle")
    low = backoffice.enroll("kiosk-bieb", location="Bibliotheek Kampen")
    broken = backoffice.enroll("balie-3", location="Stadhuis Zwolle")
    _beat(backoffice, ok["token"], printer={"state": "ok"}, camera={"state": "ok"})
    _beat(backoffice, low["token"], printer={"state": "degraded", "reason": "paper low"})
    _beat(backoffice, broken["token"], printer={"state": "ok"}, cardreader={"state": "missing", "reason": "unplugged"})
    backoffice.clock.advance(minutes=1)  # still fresh: one interval is 30 s, stale after 90 s
    _beat(backoffice, ok["token"], printer={"state": "ok"}, camera={"state": "ok"})
    _beat(backoffice, low["token"], printer={"state": "degraded", "reason": "paper low"})
    _beat(backoffice, broken["token"], printer={"state": "ok"}, cardreader={"state": "missing", "reason": "unplugged"})
    _technician(backoffice)

    page = backoffice.client.get("/fleet").text

    green, amber, red = _row(page, ok["device_id"]), _row(page, low["device_id"]), _row(page, broken["device_id"])
    assert "status-green" in green and "In orde" in green and "0.3.1" in green and "Stadhuis Zwolle" in green
    # Times are local (Amsterdam, UTC+1 in March); "since" stays at the first report of the state.
    assert "status-amber" in amber and "printer: beperkt – paper low" in amber and "sinds 10:00" in amber
    assert "status-red" in red and "kaartlezer: ontbreekt – unplugged" in red and "Storing" in red
    assert "Geen hartslag" not in page
    assert page.index(broken["device_id"]) < page.index(low["device_id"]) < page.index(ok["device_id"])


def test_a_device_whose_heartbeat_stopped_is_red_and_flagged(backoffice: Backoffice) -> None:
    device = backoffice.enroll()
    _beat(backoffice, device["token"], printer={"state": "ok"})
    backoffice.clock.advance(seconds=89)
    _technician(backoffice)
    assert "status-green" in _row(backoffice.client.get("/fleet").text, device["device_id"])

    backoffice.clock.advance(seconds=2)
    row = _row(backoffice.client.get("/fleet").text, device["device_id"])

    assert "status-red" in row and "Geen hartslag sinds 10:00" in row


def test_a_new_device_waits_for_its_first_heartbeat_then_turns_red(backoffice: Backoffice) -> None:
    device = backoffice.enroll()
    _technician(backoffice)
    row = _row(backoffice.client.get("/fleet").text, device["device_id"])
    assert "status-amber" in row and "Wacht op eerste hartslag" in row

    backoffice.clock.advance(minutes=5)
    assert "status-red" in _row(backoffice.client.get("/fleet").text, device["device_id"])


def test_the_fleet_page_in_english(backoffice: Backoffice) -> None:
    device = backoffice.enroll()
    _beat(
        backoffice,
        device["token"],
        printer={"state": "failed", "reason": "cover open"},
        cardreader={"state": "missing"},
        scanner3000={"state": "degraded"},
    )
    _technician(backoffice)

    page = backoffice.client.get("/fleet?lang=en").text
    dutch = backoffice.client.get("/fleet").text

    assert '<html lang="en">' in page
    assert "Failure" in page and "since 10:00" in page and "Revoke" in page
    assert "printer: failed – cover open" in page and "card reader: missing" in page
    assert "scanner3000: degraded" in page and "scanner3000: beperkt" in dutch, "an unknown part keeps its name"
    assert 'action="/fleet/' in page and '/revoke?lang=en"' in page


def test_every_input_has_a_label_and_every_button_a_name(backoffice: Backoffice) -> None:
    backoffice.enroll("kiosk-hal")
    signin = backoffice.client.get("/signin").text
    for field in re.findall(r'<input id="(\w+)"', signin):
        assert f'<label for="{field}">' in signin
    _technician(backoffice)
    fleet = backoffice.client.get("/fleet").text
    assert '<html lang="nl">' in fleet
    assert 'aria-label="Toegang intrekken van kiosk-hal"' in fleet
    for button in re.findall(r"<button[^>]*>(.*?)</button>", fleet, re.S):
        assert button.strip()


def test_revoking_a_device_refuses_its_next_request(backoffice: Backoffice) -> None:
    device = backoffice.enroll()
    _beat(backoffice, device["token"], printer={"state": "ok"})
    _technician(backoffice)
    csrf = backoffice.csrf_of("/fleet")

    without_csrf = backoffice.client.post(f"/fleet/{device['device_id']}/revoke")
    assert without_csrf.status_code == 403
    _beat(backoffice, device["token"], printer={"state": "ok"})

    revoked = backoffice.client.post(
        f"/fleet/{device['device_id']}/revoke", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303 and revoked.headers["location"] == "/fleet"

    beat = {"version": "1", "uptime_seconds": 1, "health": {}}
    refused = backoffice.client.post("/api/v1/heartbeat", json=beat, headers=bearer(device["token"]))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    events = backoffice.client.post("/api/v1/events", json={"events": []}, headers=bearer(device["token"]))
    assert events.status_code == 401
    row = _row(backoffice.client.get("/fleet").text, device["device_id"])
    assert "Ingetrokken" in row and "<button" not in row


def test_a_caseworker_cannot_revoke(backoffice: Backoffice) -> None:
    device = backoffice.enroll()
    backoffice.add_user("carla", Role.CASEWORKER)
    backoffice.sign_in("carla")
    csrf = backoffice.csrf_of("/")
    answer = backoffice.client.post(f"/fleet/{device['device_id']}/revoke", data={"csrf_token": csrf})
    assert answer.status_code == 403
    beat = {"version": "1", "uptime_seconds": 1, "health": {}}
    assert backoffice.client.post("/api/v1/heartbeat", json=beat, headers=bearer(device["token"])).status_code == 200


def _selftest(backoffice: Backoffice, token: str, passed: bool, *checks: tuple[str, str, str]) -> int:
    body = {
        "passed": passed,
        "checks": [{"name": name, "status": status, "detail": detail} for name, status, detail in checks],
        "finished_at": "2026-11-24T09:15:00+00:00",
        "duration_seconds": 4.2,
        "config": "/etc/balie/kiosk.toml",
        "version": "0.3.1",
    }
    return backoffice.client.post("/api/v1/selftest", json=body, headers=bearer(token)).status_code


def test_the_last_selftest_shows_with_what_did_not_pass(backoffice: Backoffice) -> None:
    device = backoffice.enroll("kiosk-hal", location="Stadhuis Zwolle")
    other = backoffice.enroll("kiosk-bieb", location="Bibliotheek Kampen")
    _technician(backoffice)
    assert "Nog geen zelftest ontvangen" in _row(backoffice.client.get("/fleet").text, device["device_id"])

    assert _selftest(backoffice, device["token"], True, ("camera", "ok", "1280x720, sharp"),
                     ("printer", "warning", "paper low"), ("disk", "ok", "12 GB free")) == 200  # fmt: skip
    row = _row(backoffice.client.get("/fleet").text, device["device_id"])
    assert "Geslaagd" in row and "printer: waarschuwing – paper low" in row
    assert "1280x720" not in row  # passed checks stay quiet

    # A device cannot say "passed" over a failed check: the verdict is the checks'.
    assert _selftest(backoffice, device["token"], True, ("printer", "warning", "paper low"),
                     ("cardreader", "failed", "no reader matches 'Omnikey'"),
                     ("clock", "warning", "2.1 s ahead of the backoffice")) == 200  # fmt: skip
    row = _row(backoffice.client.get("/fleet").text, device["device_id"])
    assert "Mislukt" in row and "Geslaagd" not in row
    assert row.index("no reader matches") < row.index("paper low")  # failures first
    assert "klok: waarschuwing – 2.1 s ahead" in row  # the self-test's own checks read in the page's language
    assert "Nog geen zelftest ontvangen" in _row(backoffice.client.get("/fleet").text, other["device_id"])
    english = _row(backoffice.client.get("/fleet?lang=en").text, device["device_id"])
    assert "Failed" in english and "card reader: failed – no reader matches" in english


def test_a_malformed_selftest_report_is_refused_and_changes_nothing(backoffice: Backoffice) -> None:
    device = backoffice.enroll("kiosk-hal", location="Stadhuis Zwolle")
    assert _selftest(backoffice, device["token"], True, ("camera", "ok", "fine")) == 200
    assert _selftest(backoffice, device["token"], True, ("camera", "broken", "?")) == 422
    assert _selftest(backoffice, device["token"], True) == 422  # no checks at all
    assert _selftest(backoffice, "balie.not-a-token", True, ("camera", "ok", "fine")) == 401
    _technician(backoffice)
    row = _row(backoffice.client.get("/fleet").text, device["device_id"])
    assert "Geslaagd" in row
