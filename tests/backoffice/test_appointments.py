"""Appointments: imported with the CLI (CSV and JSON), looked up and checked in once, the kiosk's time rules."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backoffice_harness import Backoffice, bearer
from sqlalchemy import func, select

from backoffice.appointments import ImportedAppointment, import_appointments
from backoffice.models import Device
from backoffice.models_counter import Appointment

ROOT = Path(__file__).resolve().parents[2]
# Invented people; the harness clock stands at 10:00 in Amsterdam on 2 March 2026.
CSV = """code,start,topic,first_name,duration_minutes
K7Q2-9XZD,2026-03-02T10:30,Paspoort aanvragen,Fenna,15
m4tr2wbe,2026-03-02T11:15,Verhuizing doorgeven,Joris,
"""


def import_cli(
    tmp_path: Path, database_url: str, file: Path, location: str = "Stadhuis Zwolle"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *(sys.executable, "-m", "kiosk.cli", "backoffice", "import-appointments"),
            *("--location", location, "--file", str(file), "--database", database_url),
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def add(
    backoffice: Backoffice, code: str, start: str, first_name: str = "Fenna", location: str = "Stadhuis Zwolle"
) -> None:
    item = ImportedAppointment(
        code=code,
        starts_at=datetime.fromisoformat(start),
        topic="Paspoort aanvragen",
        first_name=first_name,
        duration_minutes=15,
    )
    with backoffice.db() as db:
        import_appointments(db, backoffice.settings, location, [item])


def lookup(backoffice: Backoffice, token: str, code: str) -> tuple[int, dict[str, object]]:
    answer = backoffice.client.post("/api/v1/appointments/lookup", json={"code": code}, headers=bearer(token))
    body: dict[str, object] = answer.json()
    return answer.status_code, body


def checkin(
    backoffice: Backoffice, token: str, code: str, request_id: str | None = None
) -> tuple[int, dict[str, object]]:
    answer = backoffice.client.post(
        "/api/v1/appointments/checkin",
        json={"code": code, "request_id": request_id or str(uuid.uuid4())},
        headers=bearer(token),
    )
    body: dict[str, object] = answer.json()
    return answer.status_code, body


def _appointments(backoffice: Backoffice) -> list[Appointment]:
    with backoffice.db() as db:
        return list(db.scalars(select(Appointment).order_by(Appointment.code)))


# ---------------------------------------------------------------- import through the CLI


def test_csv_import_through_the_cli_stores_normalised_codes_and_utc_times(
    backoffice: Backoffice, database_url: str, tmp_path: Path
) -> None:
    backoffice.enroll()  # creates the location
    file = tmp_path / "agenda.csv"
    file.write_text(CSV)

    done = import_cli(tmp_path, database_url, file)

    assert done.returncode == 0, done.stderr
    assert "2 added" in done.stdout
    stored = _appointments(backoffice)
    assert [(a.code, a.first_name, a.duration_minutes, a.status) for a in stored] == [
        ("K7Q29XZD", "Fenna", 15, "booked"),
        ("M4TR2WBE", "Joris", None, "booked"),
    ]
    assert stored[0].starts_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 10:30 local is 09:30 UTC in winter


def test_json_import_and_a_second_import_updates_instead_of_duplicating(
    backoffice: Backoffice, database_url: str, tmp_path: Path
) -> None:
    backoffice.enroll()
    file = tmp_path / "agenda.json"
    entry = {"code": "P9LD6HNA", "start": "2026-07-01T09:30", "topic": "Rijbewijs ophalen", "first_name": "Saskia"}
    file.write_text(json.dumps({"appointments": [entry]}))
    assert import_cli(tmp_path, database_url, file).returncode == 0

    file.write_text(json.dumps([{**entry, "start": "2026-07-01T10:00", "duration_minutes": 20}]))
    again = import_cli(tmp_path, database_url, file)

    assert again.returncode == 0, again.stderr
    assert "0 added, 1 updated" in again.stdout
    [stored] = _appointments(backoffice)
    # L folded to 1; summer time: 10:00 local is 08:00 UTC.
    assert (stored.code, stored.starts_at, stored.duration_minutes) == (
        "P91D6HNA",
        datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
        20,
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "bad-start.csv",
            CSV.replace("2026-03-02T11:15", "morgen om elf"),
            "row 3: start 'morgen om elf' is not an ISO",
        ),
        ("bad-code.csv", CSV.replace("m4tr2wbe", "M4TR"), "row 3: code must be 8 letters and digits"),
        ("no-header.csv", "code,start,topic\nK7Q29XZD,2026-03-02T10:30,Paspoort\n", "lacks the column 'first_name'"),
        (
            "extra.json",
            '[{"code": "K7Q29XZD", "start": "2026-03-02T10:30", "topic": "x", "first_name": "Fenna",'
            ' "bsn": "000000000"}]',
            "appointment 1: unknown field 'bsn'",
        ),
        ("broken.json", '{"appointments": [', "not valid JSON"),
        ("twice.csv", CSV + "K7Q29XZD,2026-03-02T12:00,Paspoort,Fenna,\n", "repeats the code"),
    ],
)
def test_a_malformed_file_fails_with_one_clear_line_and_imports_nothing(
    backoffice: Backoffice, database_url: str, tmp_path: Path, name: str, content: str, message: str
) -> None:
    backoffice.enroll()
    file = tmp_path / name
    file.write_text(content)

    done = import_cli(tmp_path, database_url, file)

    assert done.returncode == 1
    assert message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert "Fenna" not in done.stderr and "Joris" not in done.stderr  # no personal data in the message
    assert _appointments(backoffice) == []


def test_an_unknown_location_is_refused_not_created(backoffice: Backoffice, database_url: str, tmp_path: Path) -> None:
    backoffice.enroll()
    file = tmp_path / "agenda.csv"
    file.write_text(CSV)

    done = import_cli(tmp_path, database_url, file, location="Stadhuis Zwole")

    assert done.returncode == 1 and "unknown location 'Stadhuis Zwole' (known: Stadhuis Zwolle)" in done.stderr


# ---------------------------------------------------------------- look-up and check-in


def test_lookup_answers_the_appointment_with_only_the_first_name_as_personal_data(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    add(backoffice, "K7Q29XZD", "2026-03-02T10:30+01:00")

    status, body = lookup(backoffice, token, "k7q2-9xzd")

    assert status == 200
    assert body == {
        "code": "K7Q29XZD",
        "start": "2026-03-02T10:30:00+01:00",
        "topic": "Paspoort aanvragen",
        "first_name": "Fenna",
        "duration_minutes": 15,
        "status": "booked",
        "can_check_in": True,
    }


def test_confusable_characters_are_folded_when_typed(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    add(backoffice, "AB10C0DE", "2026-03-02T10:30+01:00")

    assert lookup(backoffice, token, "ABLOCODE")[0] == 200
    assert lookup(backoffice, token, "abi0c0de")[0] == 200


def test_unknown_malformed_and_other_location_codes(backoffice: Backoffice) -> None:
    zwolle = backoffice.enroll()["token"]
    backoffice.enroll("d", location="Bibliotheek Deventer")
    add(backoffice, "K7Q29XZD", "2026-03-02T10:30+01:00", location="Bibliotheek Deventer")

    assert lookup(backoffice, zwolle, "K7Q29XZD") == (404, {"detail": "unknown appointment code"})
    assert lookup(backoffice, zwolle, "ZZZZ2222") == (404, {"detail": "unknown appointment code"})
    assert checkin(backoffice, zwolle, "K7Q29XZD")[0] == 404
    for malformed in ("K7Q2", "K7Q2-9XZD-1", "K7Q2_9XZD", ""):
        assert lookup(backoffice, zwolle, malformed)[0] == 422, malformed


def test_check_in_once_then_409_and_the_same_request_again_is_fine(backoffice: Backoffice) -> None:
    token, other_kiosk = backoffice.enroll("a")["token"], backoffice.enroll("b")["token"]
    add(backoffice, "K7Q29XZD", "2026-03-02T10:30+01:00")
    request_id = str(uuid.uuid4())

    first = checkin(backoffice, token, "K7Q29XZD", request_id)
    backoffice.clock.advance(minutes=2)
    repeated = checkin(backoffice, token, "K7Q2-9XZD", request_id)
    second = checkin(backoffice, token, "K7Q29XZD")
    from_elsewhere = checkin(backoffice, other_kiosk, "K7Q29XZD", request_id)
    looked_up = lookup(backoffice, token, "K7Q29XZD")

    assert first[0] == 200
    assert first[1]["status"] == "checked_in" and first[1]["checked_in_at"] == "2026-03-02T10:00:00+01:00"
    assert first[1]["can_check_in"] is False
    assert repeated == first
    assert second == (409, {"detail": "already checked in"})
    assert from_elsewhere == (409, {"detail": "already checked in"})
    assert looked_up == first
    [stored] = _appointments(backoffice)
    assert stored.status == "checked_in" and str(stored.checkin_request_id) == request_id


def test_check_in_opens_an_hour_before_the_start(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    add(backoffice, "K7Q29XZD", "2026-03-02T11:30+01:00")  # 90 minutes after the clock's 10:00

    status, early = lookup(backoffice, token, "K7Q29XZD")
    refused = checkin(backoffice, token, "K7Q29XZD")
    backoffice.clock.advance(minutes=30)
    allowed = checkin(backoffice, token, "K7Q29XZD")

    assert status == 200 and early["too_early_minutes"] == 30 and early["can_check_in"] is False
    assert refused == (409, {"detail": "too early to check in"})
    assert allowed[0] == 200 and "too_early_minutes" not in allowed[1]


def test_late_by_up_to_30_minutes_is_fine_later_the_counter_helps(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    add(backoffice, "K7Q29XZD", "2026-03-02T09:40+01:00", first_name="Fenna")  # 20 minutes ago
    add(backoffice, "M4TR2WBE", "2026-03-02T09:29+01:00", first_name="Joris")  # 31 minutes ago

    _, late = lookup(backoffice, token, "K7Q29XZD")
    _, too_late = lookup(backoffice, token, "M4TR2WBE")

    assert late["late_minutes"] == 20 and late["can_check_in"] is True
    assert too_late["late_minutes"] == 31 and too_late["can_check_in"] is False
    assert checkin(backoffice, token, "K7Q29XZD")[0] == 200
    assert checkin(backoffice, token, "M4TR2WBE") == (409, {"detail": "too late to check in; the counter will help"})


def test_a_revoked_device_can_neither_look_up_nor_check_in(backoffice: Backoffice) -> None:
    enrolled = backoffice.enroll()
    add(backoffice, "K7Q29XZD", "2026-03-02T10:30+01:00")
    with backoffice.db() as db:
        device = db.get(Device, uuid.UUID(enrolled["device_id"]))
        assert device is not None
        device.revoked_at = backoffice.clock()
        db.commit()

    assert lookup(backoffice, enrolled["token"], "K7Q29XZD")[0] == 401
    assert checkin(backoffice, enrolled["token"], "K7Q29XZD")[0] == 401
    with backoffice.db() as db:
        assert db.scalar(select(func.count()).select_from(Appointment).where(Appointment.status == "booked")) == 1
