"""An appointment checked in at the kiosk in English is called on the display in English too."""

from __future__ import annotations

import uuid
from typing import Any

from backoffice_harness import Backoffice, bearer
from desk_harness import act, appointment, board, desk, staff_client
from sqlalchemy import select

from backoffice.models_counter import Appointment

CODE = "K7M29XZD"


def _check_in(backoffice: Backoffice, token: str, body: dict[str, Any]) -> Any:
    return backoffice.client.post("/api/v1/appointments/checkin", json=body, headers=bearer(token))


def test_the_check_in_language_reaches_the_call_and_the_recall(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    appointment(backoffice, kiosk, CODE, "2026-03-02T10:05+01:00", check_in=False)
    request_id = str(uuid.uuid4())
    checked = _check_in(backoffice, kiosk, {"code": CODE, "request_id": request_id, "language": "en"})
    # A resend after a lost answer is the same check-in; it cannot change the language afterwards.
    resent = _check_in(backoffice, kiosk, {"code": CODE, "request_id": request_id, "language": "ar"})
    desk(backoffice, "4")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": 1})
        assert act(carla, "call-next").status_code == 200
        assert act(carla, "recall").status_code == 200
    finally:
        carla.close()

    assert checked.status_code == resent.status_code == 200
    assert [(c["label"], c["kind"], c["language"]) for c in board(backoffice, display)["calls"]] == [
        ("K7M", "call", "en"),
        ("K7M", "recall", "en"),
    ]
    with backoffice.db() as db:
        assert db.scalars(select(Appointment.language)).one() == "en"


def test_without_a_language_the_display_calls_in_dutch_only(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    display = backoffice.enroll("display-1")["token"]
    appointment(backoffice, kiosk, CODE, "2026-03-02T10:05+01:00")  # checked in without "language"
    desk(backoffice, "4")
    carla = staff_client(backoffice, "carla")
    try:
        act(carla, "sign-in", {"desk_id": 1})
        assert act(carla, "call-next").status_code == 200
    finally:
        carla.close()

    assert [c["language"] for c in board(backoffice, display)["calls"]] == [None]


def test_a_language_that_is_not_a_language_code_is_refused_and_nothing_is_checked_in(backoffice: Backoffice) -> None:
    kiosk = backoffice.enroll("kiosk-1")["token"]
    appointment(backoffice, kiosk, CODE, "2026-03-02T10:05+01:00", check_in=False)

    for language in ("English", "EN", "e", ""):
        body = {"code": CODE, "request_id": str(uuid.uuid4()), "language": language}
        answer = _check_in(backoffice, kiosk, body)
        assert answer.status_code == 422, language
        assert "language" in answer.text

    with backoffice.db() as db:
        assert db.scalars(select(Appointment.status)).one() == "booked"
