"""Remote configuration in the backoffice: stored per location with a version, checked as a device checks
it, and fetched by devices with their token (`GET /api/v1/config`, ETag and 304)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backoffice_harness import Backoffice, bearer

from backoffice.location_config import (
    LocationConfigRefused,
    read_settings_file,
    set_location_config,
)
from backoffice.models import Device

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = {
    "device": {"tasks": ["ticket", "opening_hours"]},
    "queue": {
        "topics": [
            {"letter": "P", "name": {"nl": "Paspoort", "en": "Passport"}, "wait_area": {"nl": "Hal", "en": "Hall"}}
        ]
    },
    "counter": {"location_text": {"nl": "Loop naar balie 3."}},
    "opening_hours": {"monday": "10:00-16:00", "tuesday": "closed"},
}


def _set(backoffice: Backoffice, document: dict[str, object], location: str = "Stadhuis Zwolle") -> int:
    with backoffice.db() as db:
        return set_location_config(db, backoffice.settings, location, document)


def test_a_device_gets_its_locations_settings_with_version_and_etag(backoffice: Backoffice) -> None:
    token = backoffice.enroll("kiosk-1", location="Stadhuis Zwolle")["token"]
    other = backoffice.enroll("kiosk-2", location="Bibliotheek Oost")["token"]
    assert _set(backoffice, SETTINGS) == 1

    answer = backoffice.client.get("/api/v1/config", headers=bearer(token))
    elsewhere = backoffice.client.get("/api/v1/config", headers=bearer(other))

    assert answer.status_code == 200
    assert answer.json() == {"version": 1, "settings": SETTINGS}
    assert answer.headers["etag"].startswith('"v1-')
    # A location nobody configured: version 0, nothing in it, and its devices keep their own config.
    assert elsewhere.json() == {"version": 0, "settings": {}}
    assert elsewhere.headers["etag"].startswith('"v0-')


def test_if_none_match_gives_304_until_the_settings_change(backoffice: Backoffice) -> None:
    token = backoffice.enroll()["token"]
    _set(backoffice, SETTINGS)
    etag = backoffice.client.get("/api/v1/config", headers=bearer(token)).headers["etag"]

    unchanged = backoffice.client.get("/api/v1/config", headers={**bearer(token), "If-None-Match": etag})
    assert _set(backoffice, SETTINGS) == 1  # the same document again is the same version
    still = backoffice.client.get("/api/v1/config", headers={**bearer(token), "If-None-Match": etag})
    assert _set(backoffice, {"opening_hours": {"monday": "closed"}}) == 2
    changed = backoffice.client.get("/api/v1/config", headers={**bearer(token), "If-None-Match": etag})

    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert still.status_code == 304
    assert changed.status_code == 200
    assert changed.json() == {"version": 2, "settings": {"opening_hours": {"monday": "closed"}}}
    assert changed.headers["etag"].startswith('"v2-')


def test_only_an_enrolled_unrevoked_device_gets_the_settings(backoffice: Backoffice) -> None:
    enrolled = backoffice.enroll()
    _set(backoffice, SETTINGS)
    with backoffice.db() as db:
        device = db.get(Device, uuid.UUID(enrolled["device_id"]))
        assert device is not None
        device.revoked_at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        db.commit()
    forged = f"bd1.{enrolled['device_id']}.not-the-secret"

    nothing = backoffice.client.get("/api/v1/config")
    wrong = backoffice.client.get("/api/v1/config", headers=bearer(forged))
    revoked = backoffice.client.get("/api/v1/config", headers=bearer(enrolled["token"]))

    assert [nothing.status_code, wrong.status_code, revoked.status_code] == [401, 401, 401]
    assert "revoked" in revoked.json()["detail"]
    assert "Paspoort" not in wrong.text + revoked.text


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ({"hardware": {"printer": {"driver": "escpos"}}}, "hardware: not set remotely"),
        ({"device": {"location": "Elders"}}, "device.location: not set remotely"),
        ({"opening_hours": {"monday": "9-5"}}, "opening_hours.monday:"),
        ({"opening_hours": {"funday": "closed"}}, "opening_hours.funday: unknown day"),
        ({"device": {"tasks": ["dance"]}}, "device.tasks[0]: unknown task"),
        ({"queue": {"topics": [{"letter": "a", "name": {"nl": "x"}, "wait_area": {"nl": "y"}}]}}, "letter"),
        ({"counter": {"location_text": {"en": "only English"}}}, "counter.location_text.nl: missing"),
        (["not", "an", "object"], "must be a JSON object"),
    ],
)
def test_a_settings_file_is_checked_as_a_device_checks_it(document: object, named: str, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(document))

    with pytest.raises(LocationConfigRefused) as refused:
        read_settings_file(path)

    assert named in str(refused.value)


def test_the_command_stores_a_good_file_and_refuses_a_bad_one_without_storing(
    backoffice: Backoffice, tmp_path: Path
) -> None:
    token = backoffice.enroll()["token"]
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(SETTINGS))
    bad.write_text(json.dumps({"opening_hours": {"monday": "25:00-26:00"}}))

    def command(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk.cli", "backoffice", "location-config", "--location", "Stadhuis Zwolle",
             "--file", str(path), "--database", backoffice.settings.database_url],
            cwd=ROOT, env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path / "data")},
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    stored = command(good)
    refused = command(bad)

    assert stored.returncode == 0, stored.stderr
    assert "version 1" in stored.stdout
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith("opening_hours.monday: '25:00-26:00' is not like '09:00-17:00' or 'closed'")
    answer = backoffice.client.get("/api/v1/config", headers=bearer(token))
    assert answer.json() == {"version": 1, "settings": SETTINGS}
