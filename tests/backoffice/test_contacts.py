"""The citizen key and the contact API: spelling variants agree, people differ, nothing identifying is stored."""

from __future__ import annotations

import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from backoffice_harness import Backoffice, backoffice_command, bearer
from sqlalchemy import select, text

from backoffice.contacts import Identity, IdentityError, citizen_key, new_channel_key
from backoffice.contacts_api import REVOKED_KEY, UNKNOWN_KEY
from backoffice.models_contacts import Contact
from backoffice.roles import Role

# Invented people; the BSNs are from the 9999… test range and pass the check digit test.
BSN = "999990019"
OTHER_BSN = "999990032"
ROOT = Path(__file__).resolve().parents[2]
SURNAME, GIVEN, BORN = "Van Brakel-Çelik", "Joséphine Aukje", date(1961, 4, 17)


def channel_key(backoffice: Backoffice, name: str = "KCC") -> str:
    with backoffice.db() as db:
        return new_channel_key(db, backoffice.settings, name)


def contact_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "identity": {"personal_number": BSN},
        "channel": "phone",
        "topic": "Verhuizing",
        "started_at": "2026-03-02T09:00:00+00:00",
        "outcome": "Uitgelegd hoe je een verhuizing doorgeeft",
    }
    body.update(overrides)
    return body


def test_the_key_is_the_same_for_spelling_variants(backoffice: Backoffice) -> None:
    settings = backoffice.settings
    by_name = citizen_key(settings, Identity(surname=SURNAME, given_names=GIVEN, date_of_birth=BORN))
    variants = [
        Identity(surname="van brakel-celik", given_names="josephine aukje", date_of_birth=BORN),
        Identity(surname="  VAN   BRAKEL-ÇELIK ", given_names="JOSÉPHINE\tAukje", date_of_birth=BORN),
    ]
    assert all(citizen_key(settings, variant) == by_name for variant in variants)
    by_bsn = citizen_key(settings, Identity(personal_number=BSN))
    assert citizen_key(settings, Identity(personal_number="9999.90.019")) == by_bsn
    assert citizen_key(settings, Identity(personal_number=" 9999 90 019 ", surname="Anders")) == by_bsn
    assert len(by_bsn) == 64 and BSN not in by_bsn


def test_different_people_and_different_servers_get_different_keys(backoffice: Backoffice) -> None:
    settings = backoffice.settings
    keys = {
        citizen_key(settings, Identity(personal_number=BSN)),
        citizen_key(settings, Identity(personal_number=OTHER_BSN)),
        citizen_key(settings, Identity(surname=SURNAME, given_names=GIVEN, date_of_birth=BORN)),
        citizen_key(settings, Identity(surname=SURNAME, given_names=GIVEN, date_of_birth=date(1961, 4, 18))),
        citizen_key(settings, Identity(surname=SURNAME, given_names="Aukje", date_of_birth=BORN)),
    }
    assert len(keys) == 5
    other_server = replace(settings, secret_key=b"another municipality's secret")
    assert citizen_key(other_server, Identity(personal_number=BSN)) != citizen_key(
        settings, Identity(personal_number=BSN)
    )


def test_a_bad_or_incomplete_identity_is_refused(backoffice: Backoffice) -> None:
    for identity in (
        Identity(personal_number="999990018"),  # check digit wrong
        Identity(personal_number="12345"),
        Identity(surname=SURNAME, given_names=GIVEN),
        Identity(),
    ):
        with pytest.raises(IdentityError):
            citizen_key(backoffice.settings, identity)


def test_a_channel_key_records_a_contact_and_nothing_identifying_is_stored(
    backoffice: Backoffice, tmp_path: Path
) -> None:
    key = channel_key(backoffice)
    by_bsn = backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer(key))
    by_name = backoffice.client.post(
        "/api/v1/contacts",
        json=contact_body(
            identity={"surname": SURNAME, "given_names": GIVEN, "date_of_birth": BORN.isoformat()},
            channel="chat",
            note="Vraag over de afvalpas",
            feedback={"how_did_it_go": 3, "how_are_you": "Goed"},
        ),
        headers=bearer(key),
    )

    assert by_bsn.status_code == 201, by_bsn.text
    assert by_name.status_code == 201, by_name.text
    assert set(by_bsn.json()) == {"id"}
    with backoffice.db() as db:
        stored = {str(c.id): c for c in db.scalars(select(Contact))}
    first, second = stored[by_bsn.json()["id"]], stored[by_name.json()["id"]]
    assert first.citizen_key == citizen_key(backoffice.settings, Identity(personal_number=BSN))
    assert first.recorded_by == "channel:KCC" and first.caseworker_id is None
    assert second.feedback == {"how_did_it_go": 3, "how_are_you": "Goed"}
    url = backoffice.settings.database_url
    if url.startswith("sqlite:///"):
        # The database file and its write-ahead log: no BSN, no name, no date of birth in any byte.
        database = Path(url.removeprefix("sqlite:///"))
        raw = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*"))
        assert raw, "the SQLite file was found"
    else:
        # PostgreSQL: every column of every table, as text.
        with backoffice.db() as db:
            tables = db.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars().all()
            assert "contacts" in tables
            raw = "".join(
                str(row) for table in tables for row in db.execute(text(f'SELECT * FROM "{table}"')).all()
            ).encode()
    for secret in (BSN, "Brakel", "BRAKEL", "Joséphine", "JOSEPHINE", "Aukje", "1961-04-17", "19610417"):
        assert secret.encode() not in raw, secret


def test_without_a_valid_key_or_session_the_api_refuses(backoffice: Backoffice) -> None:
    assert backoffice.client.post("/api/v1/contacts", json=contact_body()).status_code == 401
    wrong = backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer("bck1.guessed"))
    assert wrong.status_code == 401
    with backoffice.db() as db:
        assert db.scalars(select(Contact)).first() is None


def test_bad_bodies_get_a_clear_4xx(backoffice: Backoffice) -> None:
    key = channel_key(backoffice)
    cases = [
        contact_body(identity={"personal_number": "999990018"}),
        contact_body(identity={"surname": SURNAME}),
        contact_body(channel="pigeon"),
        contact_body(started_at="2026-03-02T09:00:00"),
        contact_body(location_id=999),
        contact_body(feedback={"how_did_it_go": 5}),
    ]
    for body in cases:
        answer = backoffice.client.post("/api/v1/contacts", json=body, headers=bearer(key))
        assert answer.status_code == 422, (body, answer.text)


def test_a_caseworker_session_records_with_the_csrf_header(backoffice: Backoffice) -> None:
    backoffice.add_user("carla", Role.CASEWORKER)
    assert backoffice.sign_in("carla") == 303
    csrf = backoffice.csrf_of("/caseworker")

    refused = backoffice.client.post("/api/v1/contacts", json=contact_body())
    accepted = backoffice.client.post(
        "/api/v1/contacts", json=contact_body(channel="counter"), headers={"X-CSRF-Token": csrf}
    )

    assert refused.status_code == 403
    assert accepted.status_code == 201, accepted.text
    with backoffice.db() as db:
        contact = db.scalars(select(Contact)).one()
        assert contact.recorded_by == "staff:carla" and contact.caseworker_id is not None


def test_a_technician_session_may_not_record(backoffice: Backoffice) -> None:
    backoffice.add_user("tom", Role.TECHNICIAN)
    backoffice.sign_in("tom")
    csrf = backoffice.csrf_of("/")
    answer = backoffice.client.post("/api/v1/contacts", json=contact_body(), headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 403


def test_balie_backoffice_channel_key_prints_the_key_once(tmp_path: Path) -> None:
    def balie(*args: str) -> subprocess.CompletedProcess[str]:
        return backoffice_command(tmp_path / "data", *args)

    made = balie("channel-key", "--name", "KCC")
    again = balie("channel-key", "--name", "KCC")

    assert made.returncode == 0, made.stderr
    assert made.stdout.startswith("bck1.") and made.stdout.count("\n") == 1
    assert again.returncode == 1 and "exists already" in again.stderr
    assert made.stdout.strip().encode() not in (tmp_path / "data" / "balie.db").read_bytes()


def test_a_revoked_channel_key_is_refused_at_once_with_a_clear_401(
    backoffice: Backoffice, database_url: str, tmp_path: Path
) -> None:
    key = channel_key(backoffice)
    assert backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer(key)).status_code == 201

    revoked = backoffice_command(
        tmp_path / "data", "channel-key", "--name", "KCC", "--revoke", "--database", database_url
    )
    refused = backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer(key))
    unknown = backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer("bck1.guessed"))

    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout == "" and "revoked the channel key 'KCC'" in revoked.stderr
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert refused.json() == {
        "detail": "this channel key has been revoked; ask the backoffice administrator for a new one"
    }
    assert unknown.status_code == 401 and unknown.json() == {"detail": "unknown channel key"}
    with backoffice.db() as db:
        assert len(db.scalars(select(Contact)).all()) == 1


def test_revoking_twice_or_an_unknown_name_and_a_new_key_after_revoking(
    backoffice: Backoffice, database_url: str, tmp_path: Path
) -> None:
    def balie(*args: str) -> subprocess.CompletedProcess[str]:
        return backoffice_command(tmp_path / "data", "channel-key", *args, "--database", database_url)

    old = balie("--name", "chat").stdout.strip()
    first, second = balie("--name", "chat", "--revoke"), balie("--name", "chat", "--revoke")
    unknown = balie("--name", "chatt", "--revoke")
    new = balie("--name", "chat")

    assert first.returncode == 0 and second.returncode == 0
    # The second revocation reports the first one's time: nothing changed.
    assert first.stderr == second.stderr
    assert unknown.returncode == 1 and "no channel key is named 'chatt'" in unknown.stderr
    assert new.returncode == 0 and new.stdout.startswith("bck1.") and new.stdout.strip() != old
    assert backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer(old)).status_code == 401
    accepted = backoffice.client.post("/api/v1/contacts", json=contact_body(), headers=bearer(new.stdout.strip()))
    assert accepted.status_code == 201, accepted.text
    with backoffice.db() as db:
        assert db.scalars(select(Contact)).one().recorded_by == "channel:chat"


def test_api_md_documents_every_refusal_of_the_contacts_api() -> None:
    documented = (ROOT / "backoffice" / "API.md").read_text()
    source = (ROOT / "backoffice" / "contacts_api.py").read_text()
    details = {UNKNOWN_KEY, REVOKED_KEY}
    details.update(re.findall(r'HTTPException\(\s*\d{3},\s*"([^"]+)"', source))
    details.update(re.findall(r'raise IdentityError\("([^"]+)"\)', (ROOT / "backoffice" / "contacts.py").read_text()))
    details.discard("give a personal number (BSN), or surname, given names and date of birth")  # caught by the model
    assert len(details) >= 7
    for detail in details:
        assert f'"{detail}"' in documented, detail
