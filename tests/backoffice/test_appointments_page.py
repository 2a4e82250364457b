"""The appointments page over HTTP: a manager uploads an agenda export, the good rows come in, each bad one is named."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from backoffice_harness import Backoffice
from sqlalchemy import select

from backoffice.agenda_export import parse_agenda
from backoffice.models import AuditEntry
from backoffice.models_counter import Appointment
from backoffice.roles import Role

# Invented people; the harness clock stands at 10:00 in Amsterdam on 2 March 2026.
CSV = """code,start,topic,first_name,duration_minutes
K7Q2-9XZD,2026-03-02T10:30,Paspoort aanvragen,Fenna,15
M4TR,2026-03-02T11:00,Rijbewijs,Joris,
P9LD6HNA,morgen om elf,Verhuizing,Saskia,
R2D2C3P0,2026-03-02T12:00,Verhuizing,,
K7Q29XZD,2026-03-03T09:00,Paspoort ophalen,Fenna,
W8XN4KTB,2026-03-02T14:00,Trouwen,Bram,20
"""


def _manager(backoffice: Backoffice, role: Role = Role.MANAGER) -> None:
    backoffice.enroll()  # creates the location Stadhuis Zwolle
    backoffice.add_user("mira", role)
    assert backoffice.sign_in("mira") == 303


def _location_id(backoffice: Backoffice) -> str:
    page = backoffice.client.get("/appointments").text
    found = re.search(r'<option value="(\d+)"[^>]*>Stadhuis Zwolle</option>', page)
    assert found, "the location is offered"
    return found.group(1)


def upload(backoffice: Backoffice, name: str, content: bytes, lang: str = "", **fields: str) -> tuple[int, str]:
    data = {"csrf_token": backoffice.csrf_of("/appointments"), "location": _location_id(backoffice), **fields}
    answer = backoffice.client.post(f"/appointments/import{lang}", data=data, files={"file": (name, content)})
    return answer.status_code, answer.text


def _stored(backoffice: Backoffice) -> list[tuple[str, str]]:
    with backoffice.db() as db:
        return [(a.code, a.first_name) for a in db.scalars(select(Appointment).order_by(Appointment.code))]


def _refused_rows(page: str) -> list[tuple[str, str]]:
    table = re.search(r'<table class="fleet" id="refused">(.*?)</table>', page, re.S)
    assert table, "a table of refused rows"
    return re.findall(r'<th scope="row">([^<]*)</th><td>([^<]*)</td>', table.group(1))


def test_good_rows_are_imported_and_each_refused_row_is_named_with_its_reason(backoffice: Backoffice) -> None:
    _manager(backoffice)

    status, page = upload(backoffice, "agenda.csv", CSV.encode())

    assert status == 200
    assert "2 van 6 afspraken geïmporteerd voor Stadhuis Zwolle." in page
    assert "2 nieuw, 0 bijgewerkt, 0 ongewijzigd, 0 niet aangepast (al aangemeld)." in page
    assert _refused_rows(page) == [
        ("rij 3", "de code moet 8 letters en cijfers zijn"),
        ("rij 4", "start &#39;morgen om elf&#39; is geen datum en tijd zoals 2026-03-02T10:30"),
        ("rij 5", "first_name ontbreekt of is leeg"),
        ("rij 6", "dezelfde code als rij 2"),
    ]
    assert "M4TR" not in page.split('id="refused"')[1], "a refused code is not echoed"
    assert _stored(backoffice) == [("K7Q29XZD", "Fenna"), ("W8XN4KTB", "Bram")]
    assert "<td>2</td><td>0</td>" in page.split('id="per-location"')[1], "the count per location follows"
    with backoffice.db() as db:
        entry = db.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.action, entry.subject) == ("mira", "import_appointments", "location:1")


def test_in_english_the_reasons_are_english(backoffice: Backoffice) -> None:
    _manager(backoffice, Role.ADMIN)

    status, page = upload(backoffice, "agenda.csv", CSV.encode(), "?lang=en")

    assert status == 200 and 'lang="en"' in page
    assert "2 of 6 appointments imported for Stadhuis Zwolle." in page
    assert ("row 3", "code must be 8 letters and digits") in _refused_rows(page)
    assert ("row 6", "repeats the code of row 2") in _refused_rows(page)


def test_a_json_file_and_the_same_file_again_changes_nothing(backoffice: Backoffice) -> None:
    _manager(backoffice)
    items = [
        {"code": "P9LD6HNA", "start": "2026-07-01T09:30", "topic": "Rijbewijs ophalen", "first_name": "Saskia"},
        {"code": "P9LD6HNA", "start": "2026-07-01T09:45", "topic": "Rijbewijs ophalen", "first_name": "Saskia"},
        {"code": "T3ST1234", "start": "2026-07-01T10:00", "topic": "Paspoort", "first_name": "Mees", "bsn": "1"},
    ]
    content = json.dumps({"appointments": items}).encode()

    first = upload(backoffice, "agenda.json", content)
    again = upload(backoffice, "agenda.json", content)

    assert "1 van 3 afspraken" in first[1] and "1 nieuw" in first[1]
    assert _refused_rows(first[1]) == [
        ("afspraak 2", "dezelfde code als afspraak 1"),
        (
            "afspraak 3",
            "onbekend veld &#39;bsn&#39; (verwacht: code, start, topic, first_name, duration_minutes)",
        ),
    ]
    assert "0 nieuw, 0 bijgewerkt, 1 ongewijzigd" in again[1]
    with backoffice.db() as db:
        [stored] = db.scalars(select(Appointment)).all()
        assert stored.starts_at == datetime(2026, 7, 1, 7, 30, tzinfo=UTC)


def test_an_excel_export_with_semicolons_in_windows_1252_is_read(backoffice: Backoffice) -> None:
    _manager(backoffice)
    excel = "Code;Start;Topic;First_name\r\nK7Q29XZD;2026-03-02T10:30;Paspoort;Zoë\r\n".encode("cp1252")

    status, page = upload(backoffice, "AGENDA.CSV", excel)

    assert status == 200 and "Alle afspraken zijn geïmporteerd." in page
    assert _stored(backoffice) == [("K7Q29XZD", "Zoë")]


def test_a_file_that_cannot_be_read_imports_nothing_and_says_why(backoffice: Backoffice) -> None:
    _manager(backoffice)
    cases = [
        ("agenda.txt", CSV.encode(), "gebruik een .csv- of .json-bestand"),
        ("agenda.csv", b"code,start,topic\nK7Q29XZD,2026-03-02T10:30,Paspoort\n", "de kopregel mist de kolom"),
        ("agenda.json", b'{"appointments": [', "geen geldige JSON (regel 1, kolom 19)"),
        ("agenda.json", b'{"afspraken": []}', "verwacht een lijst met afspraken"),
        ("agenda.csv", b"", "de kopregel mist de kolom &#39;code&#39;"),
        ("agenda.csv", b"x" * (2 * 1024 * 1024 + 1), "het bestand is groter dan 2 MB"),
    ]
    for name, content, message in cases:
        status, page = upload(backoffice, name, content)
        assert status == 422, name
        assert "Niets geïmporteerd:" in page and message in page, (name, message)
        assert 'role="alert"' in page
    assert _stored(backoffice) == []


def test_without_a_location_or_a_file_nothing_happens(backoffice: Backoffice) -> None:
    _manager(backoffice)
    csrf = backoffice.csrf_of("/appointments")

    no_location = backoffice.client.post(
        "/appointments/import", data={"csrf_token": csrf, "location": "999"}, files={"file": ("a.csv", CSV.encode())}
    )
    no_file = backoffice.client.post("/appointments/import", data={"csrf_token": csrf, "location": "1"})

    assert no_location.status_code == 422 and "kies een locatie uit de lijst" in no_location.text
    assert no_file.status_code == 422 and "kies een bestand" in no_file.text
    assert _stored(backoffice) == []


def test_the_upload_needs_the_csrf_token_and_a_manager_or_admin(backoffice: Backoffice) -> None:
    _manager(backoffice)
    forged = backoffice.client.post(
        "/appointments/import", data={"location": "1"}, files={"file": ("agenda.csv", CSV.encode())}
    )
    assert forged.status_code == 403

    for username, role in (("carla", Role.CASEWORKER), ("theo", Role.TECHNICIAN)):
        backoffice.add_user(username, role)
        backoffice.client.cookies.clear()
        backoffice.sign_in(username)
        assert backoffice.client.get("/appointments").status_code == 403
        assert 'href="/appointments"' not in backoffice.client.get("/").text
        csrf = backoffice.csrf_of("/")
        answer = backoffice.client.post(
            "/appointments/import",
            data={"csrf_token": csrf, "location": "1"},
            files={"file": ("agenda.csv", CSV.encode())},
        )
        assert answer.status_code == 403
    assert _stored(backoffice) == []

    backoffice.client.cookies.clear()
    assert backoffice.client.get("/appointments", follow_redirects=False).status_code == 303


def test_the_page_without_locations_says_to_enroll_a_kiosk_first(backoffice: Backoffice) -> None:
    backoffice.add_user("mira", Role.MANAGER)
    backoffice.sign_in("mira")
    page = backoffice.client.get("/appointments").text
    assert "Meld eerst een kiosk aan" in page and 'type="file"' not in page
    assert 'href="/appointments"' in backoffice.client.get("/").text


def test_the_parser_reports_every_entry_and_the_cli_message_reads_the_same() -> None:
    agenda = parse_agenda("agenda.csv", CSV.encode(), "Europe/Amsterdam")
    assert [a.code for a in agenda.appointments] == ["K7Q29XZD", "W8XN4KTB"]
    assert [(p.key, p.number) for p in agenda.refused] == [
        ("code", 3),
        ("start_not_iso", 4),
        ("missing", 5),
        ("repeated_row", 6),
    ]
    assert agenda.entries == 6
    extra = parse_agenda("a.csv", b"code,start,topic,first_name\nK7Q29XZD,2026-03-02T10:30,x,Fenna,surplus\n", "UTC")
    assert [p.key for p in extra.refused] == ["too_many_values"]
