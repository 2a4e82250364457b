"""Check-in through a real `balie backoffice serve`: once across kiosks, every refusal explained, and the
kiosk's own list when the backoffice does not answer — logged without the code or the name."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.appointment_source import AppointmentSource
from kiosk.appointments import LocalAppointments, Outcome
from kiosk.backoffice_client import BackofficeClient
from tests.live_backoffice import CuttableProxy, LiveBackoffice
from tests.live_counter import enroll, import_appointments, in_minutes, rows

# Invented people. K7Q2-9XZD is in both the backoffice and the kiosk's list, W3ZF-8RDA only in the kiosk's;
# the others only at the backoffice, one per test that checks in (the backoffice is shared by the module).
BOTH, LOCAL_ONLY = "K7Q2-9XZD", "W3ZF-8RDA"
BACKOFFICE_ONLY, RESENT, EARLY, LATE = "R8WX-3KTB", "C5MG-2JQT", "H2N4-7VCE", "T6YB-5PQM"


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    folder = tmp_path_factory.mktemp("backoffice")
    service = LiveBackoffice(folder)
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="module")
def agenda(backoffice: LiveBackoffice, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Two kiosks' credentials for one location, and its appointments in the backoffice."""
    tokens = {"hal": enroll(backoffice, "kiosk-hal"), "balie": enroll(backoffice, "kiosk-balie")}
    import_appointments(
        backoffice,
        tmp_path_factory.mktemp("agenda"),
        [
            {"code": BOTH, "start": in_minutes(10), "topic": "Paspoort aanvragen", "first_name": "Fenna"},
            {"code": BACKOFFICE_ONLY, "start": in_minutes(5), "topic": "Rijbewijs ophalen", "first_name": "Noor"},
            {"code": RESENT, "start": in_minutes(5), "topic": "Rijbewijs ophalen", "first_name": "Bram"},
            {"code": EARLY, "start": in_minutes(180), "topic": "Trouwen", "first_name": "Sem"},
            {"code": LATE, "start": in_minutes(-45), "topic": "Verhuizing doorgeven", "first_name": "Lotte"},
        ],
    )
    return tokens


def local_list(tmp_path: Path) -> LocalAppointments:
    """The kiosk's offline copy: it has K7Q2-9XZD with translations and a waiting area, and one of its own."""
    soon = (dt.datetime.now() + dt.timedelta(minutes=10)).strftime("%H:%M")
    path = tmp_path / f"local-{len(list(tmp_path.glob('local-*')))}.json"
    entries = [
        {"code": BOTH, "first_name": "Fenna", "date": "today", "time": soon,
         "topic": {"nl": "Paspoort aanvragen", "en": "Apply for a passport"},
         "where": {"nl": "Wachtruimte B", "en": "Waiting area B"}},
        {"code": LOCAL_ONLY, "first_name": "Daan", "date": "today", "time": soon,
         "topic": {"nl": "Rijbewijs"}, "where": {"nl": "Wachtruimte A"}},
    ]  # fmt: skip
    path.write_text(json.dumps({"appointments": entries}), encoding="utf-8")
    return LocalAppointments.from_file(path)


class Kiosk:
    """One kiosk's check-in path: its own list, its own credential, the network between."""

    def __init__(self, url: str, token: str, local: LocalAppointments) -> None:
        self.client = BackofficeClient(url, token)
        self.source = AppointmentSource(local, lambda: self.client)

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def proxy(backoffice: LiveBackoffice) -> Iterator[CuttableProxy]:
    network = CuttableProxy(backoffice.port)
    yield network
    network.close()


@pytest.fixture
def kiosks(proxy: CuttableProxy, agenda: dict[str, str], tmp_path: Path) -> Iterator[tuple[Kiosk, Kiosk]]:
    first, second = (Kiosk(proxy.url, agenda[name], local_list(tmp_path)) for name in ("hal", "balie"))
    yield first, second
    first.close()
    second.close()


def test_a_code_checked_in_at_one_kiosk_is_refused_at_the_other(
    kiosks: tuple[Kiosk, Kiosk], backoffice: LiveBackoffice
) -> None:
    hal, balie = kiosks
    first = hal.source.check_in("k7q2 9xzd")
    assert first.outcome is Outcome.CHECKED_IN and first.via_backoffice
    assert first.appointment is not None and first.appointment.first_name == "Fenna"
    # The kiosk's list adds what the backoffice does not keep: translations and the waiting area.
    assert first.appointment.topic == {"nl": "Paspoort aanvragen", "en": "Apply for a passport"}
    assert first.appointment.where["en"] == "Waiting area B"
    assert rows(backoffice.database, "SELECT status FROM appointments WHERE code = 'K7Q29XZD'") == [("checked_in",)]

    second = balie.source.check_in(BOTH)
    assert (second.outcome, second.via_backoffice) == (Outcome.ALREADY_USED, True)
    assert hal.source.check_in(BOTH).outcome is Outcome.ALREADY_USED


def test_a_code_only_the_backoffice_knows_checks_in_without_a_waiting_area(kiosks: tuple[Kiosk, Kiosk]) -> None:
    result = kiosks[0].source.check_in(BACKOFFICE_ONLY)
    assert result.outcome is Outcome.CHECKED_IN and result.appointment is not None
    assert (result.appointment.first_name, result.appointment.topic, result.appointment.where) == (
        "Noor",
        {"nl": "Rijbewijs ophalen"},
        {},
    )
    expected = dt.datetime.now() + dt.timedelta(minutes=5)
    assert abs(result.appointment.starts - expected) < dt.timedelta(minutes=1), "shown in the kiosk's local time"


def test_the_backoffice_decides_unknown_too_early_and_too_late(kiosks: tuple[Kiosk, Kiosk]) -> None:
    source = kiosks[0].source
    unknown = source.check_in(LOCAL_ONLY)  # on the kiosk's list, not in the agenda: the backoffice decides
    assert (unknown.outcome, unknown.via_backoffice) == (Outcome.UNKNOWN, True)
    early = source.check_in(EARLY)
    assert early.outcome is Outcome.TOO_EARLY and early.opens_at is not None
    opens = dt.datetime.now() + dt.timedelta(minutes=120)
    assert abs(early.opens_at - opens) <= dt.timedelta(minutes=1)
    assert source.check_in(LATE).outcome is Outcome.EXPIRED
    assert source.check_in("K7Q").outcome is Outcome.MALFORMED


def test_backoffice_down_the_kiosks_own_list_decides_and_the_log_names_no_one(
    kiosks: tuple[Kiosk, Kiosk], proxy: CuttableProxy, caplog: pytest.LogCaptureFixture
) -> None:
    proxy.cut()
    with caplog.at_level(logging.INFO, logger="kiosk"):
        result = kiosks[0].source.check_in(LOCAL_ONLY)
    assert (result.outcome, result.via_backoffice) == (Outcome.CHECKED_IN, False)
    assert result.appointment is not None and result.appointment.first_name == "Daan"
    assert "the kiosk's own list is used" in caplog.text
    for secret in ("W3ZF", "8RDA", "Daan"):
        assert secret not in caplog.text
    # Once checked in here, also refused here when the network is back.
    proxy.mend()
    assert kiosks[0].source.check_in(LOCAL_ONLY).outcome is Outcome.ALREADY_USED


def test_a_lost_answer_is_asked_again_with_the_same_request(
    kiosks: tuple[Kiosk, Kiosk], proxy: CuttableProxy, backoffice: LiveBackoffice
) -> None:
    hal = kiosks[0]
    original = hal.client.check_in_appointment
    asked: list[str] = []

    def first_answer_lost(code: str, request_id: str, language: str = "") -> dict[str, object]:
        asked.append(request_id)
        proxy.lose_answers = len(asked) == 1  # stored by the backoffice, never heard by the kiosk
        return original(code, request_id, language)

    hal.client.check_in_appointment = first_answer_lost  # type: ignore[method-assign]
    result = hal.source.check_in(RESENT)
    assert (result.outcome, result.via_backoffice) == (Outcome.CHECKED_IN, True), "not 'already checked in'"
    assert len(asked) == 2 and asked[0] == asked[1]
    assert rows(backoffice.database, "SELECT status FROM appointments WHERE code = 'C5MG2JQT'") == [("checked_in",)]
