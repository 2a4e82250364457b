"""The caseworker page: one screen with a citizen's contacts across channels, newest first, every look audited."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from backoffice_harness import Backoffice, bearer
from sqlalchemy import select
from test_contacts import BORN, BSN, GIVEN, OTHER_BSN, SURNAME, channel_key, contact_body

from backoffice.contacts import Identity, citizen_key, relative_words
from backoffice.models import AuditEntry
from backoffice.roles import Role


def _record(backoffice: Backoffice, key: str, days_ago: float = 0, **fields: Any) -> None:
    started = backoffice.clock() - timedelta(days=days_ago)
    body = contact_body(started_at=started.isoformat(), **fields)
    answer = backoffice.client.post("/api/v1/contacts", json=body, headers=bearer(key))
    assert answer.status_code == 201, answer.text


def _caseworker(backoffice: Backoffice, name: str = "carla", role: Role = Role.CASEWORKER) -> None:
    backoffice.add_user(name, role)
    assert backoffice.sign_in(name) == 303


def _search(backoffice: Backoffice, lang: str = "", **fields: str) -> Any:
    csrf = backoffice.csrf_of("/caseworker")
    path = "/caseworker/search" + (f"?lang={lang}" if lang else "")
    return backoffice.client.post(path, data={"csrf_token": csrf, **fields})


def _topics(page: str) -> list[str]:
    rows = re.findall(r'<tr class="contact">(.*?)</tr>', page, re.S)
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[1] for row in rows]


def _audits(backoffice: Backoffice) -> list[AuditEntry]:
    with backoffice.db() as db:
        return list(db.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_contacts_across_channels_newest_first_with_the_summary_line(backoffice: Backoffice) -> None:
    key = channel_key(backoffice)
    _record(backoffice, key, days_ago=40, channel="letter", topic="Bezwaar WOZ")
    _record(backoffice, key, days_ago=20, channel="kiosk", topic="Paspoort")
    _record(backoffice, key, days_ago=0, channel="phone", topic="Verhuizing")
    _record(backoffice, key, identity={"personal_number": OTHER_BSN}, topic="Iemand anders")
    backoffice.clock.advance(days=8)
    _caseworker(backoffice)

    page = _search(backoffice, personal_number=BSN)

    assert page.status_code == 200
    assert "Vorige week gebeld over Verhuizing" in page.text
    assert _topics(page.text) == ["Verhuizing", "Paspoort", "Bezwaar WOZ"]
    assert "Telefoon" in page.text and "Kiosk" in page.text and "Brief" in page.text
    assert "Iemand anders" not in page.text and BSN not in page.text

    backoffice.clock.advance(days=14)
    assert backoffice.sign_in("carla") == 303  # the session of two weeks ago has expired
    later = _search(backoffice, lang="en", personal_number=BSN)
    assert "Called 3 weeks ago about Verhuizing" in later.text
    assert '<html lang="en">' in later.text


def test_a_search_by_name_and_bsn_finds_contacts_recorded_either_way(backoffice: Backoffice) -> None:
    key = channel_key(backoffice)
    _record(backoffice, key, days_ago=1, channel="chat", topic="Afvalpas")
    name = {"surname": SURNAME, "given_names": GIVEN, "date_of_birth": BORN.isoformat()}
    _record(backoffice, key, identity=name, channel="counter", topic="Rijbewijs")
    _caseworker(backoffice)

    by_name = _search(backoffice, surname="van brakel-celik", given_names="josephine aukje", date_of_birth="1961-04-17")
    both = _search(backoffice, personal_number=BSN, **name)

    assert _topics(by_name.text) == ["Rijbewijs"]
    assert "Vandaag aan de balie geweest over Rijbewijs" in by_name.text
    assert _topics(both.text) == ["Rijbewijs", "Afvalpas"]


def test_every_look_is_audited_with_actor_action_key_and_time(backoffice: Backoffice) -> None:
    _caseworker(backoffice)
    _search(backoffice, personal_number=BSN)
    backoffice.clock.advance(minutes=5)
    nobody = _search(backoffice, personal_number=OTHER_BSN)
    assert "Geen contacten gevonden" in nobody.text

    entries = _audits(backoffice)
    expected_keys = [citizen_key(backoffice.settings, Identity(personal_number=b)) for b in (BSN, OTHER_BSN)]
    assert [(e.actor, e.action, e.subject) for e in entries] == [
        ("carla", "view_contact_history", expected_keys[0]),
        ("carla", "view_contact_history", expected_keys[1]),
    ]
    assert entries[1].at - entries[0].at == timedelta(minutes=5)
    assert all(BSN not in e.subject for e in entries)


def test_a_search_needs_its_csrf_token_and_a_bad_bsn_is_explained(backoffice: Backoffice) -> None:
    _caseworker(backoffice)
    forged = backoffice.client.post("/caseworker/search", data={"personal_number": BSN})
    guessed = backoffice.client.post("/caseworker/search", data={"personal_number": BSN, "csrf_token": "x"})
    typo = _search(backoffice, personal_number="999990018")
    partial = _search(backoffice, surname=SURNAME)

    assert forged.status_code == 403 and guessed.status_code == 403
    assert typo.status_code == 422 and "Dit BSN klopt niet" in typo.text
    assert partial.status_code == 422 and "alle drie" in partial.text
    assert _audits(backoffice) == []


def test_technicians_and_managers_get_403(backoffice: Backoffice) -> None:
    for name, role in (("tom", Role.TECHNICIAN), ("mia", Role.MANAGER)):
        backoffice.client.cookies.clear()
        _caseworker(backoffice, name, role)
        assert backoffice.client.get("/caseworker").status_code == 403
        csrf = backoffice.csrf_of("/")
        refused = backoffice.client.post("/caseworker/search", data={"csrf_token": csrf, "personal_number": BSN})
        assert refused.status_code == 403
    assert _audits(backoffice) == []


def test_an_admin_may_search_and_every_field_has_a_label(backoffice: Backoffice) -> None:
    _caseworker(backoffice, "ann", Role.ADMIN)
    page = backoffice.client.get("/caseworker").text
    fields = re.findall(r'<input id="(\w+)"', page)
    assert set(fields) == {"personal_number", "surname", "given_names", "date_of_birth"}
    for field in fields:
        assert f'<label for="{field}">' in page
    assert _search(backoffice, personal_number=BSN).status_code == 200


def test_relative_time_in_words() -> None:
    today = date(2026, 3, 2)
    cases = {0: ("today", 0), 1: ("yesterday", 1), 3: ("days_ago", 3), 8: ("last_week", 1), 21: ("weeks_ago", 3)}
    cases |= {40: ("last_month", 1), 100: ("months_ago", 3), 400: ("last_year", 1), 800: ("years_ago", 2)}
    for days, expected in cases.items():
        assert relative_words(today - timedelta(days=days), today) == expected
    assert relative_words(today + timedelta(days=2), today) == ("today", 0)
