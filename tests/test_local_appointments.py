"""Appointment look-up: every outcome, once-only check-in, and clear file errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kiosk.appointments import (
    AppointmentFileError,
    LocalAppointments,
    Outcome,
    normalise_code,
)
from kiosk.config import load_config
from kiosk.errors import ConfigError

NOW = dt.datetime(2026, 3, 2, 10, 0)


def book(tmp_path: Path, appointments: list[dict[str, object]]) -> Path:
    path = tmp_path / "appointments.json"
    path.write_text(json.dumps({"appointments": appointments}), encoding="utf-8")
    return path


def entry(code: str, date: str = "2026-03-02", time: str = "10:15") -> dict[str, object]:
    return {
        "code": code,
        "first_name": "Ilse",
        "date": date,
        "time": time,
        "topic": {"nl": "Paspoort aanvragen"},
        "where": {"nl": "Wachtruimte A"},
    }


@pytest.mark.parametrize(("typed", "code"), [("ab12-cd34", "AB12CD34"), (" AB12 CD34 ", "AB12CD34")])
def test_codes_are_normalised_as_people_type_them(typed: str, code: str) -> None:
    assert normalise_code(typed) == code


def test_outcomes(tmp_path: Path) -> None:
    path = book(tmp_path, [entry("AB12-CD34"), entry("EF56-GH78", time="09:00")])
    appointments = LocalAppointments.from_file(path, now=lambda: NOW)
    assert appointments.look_up("AB12").outcome is Outcome.MALFORMED
    assert appointments.look_up("ZZZZ-ZZZZ").outcome is Outcome.UNKNOWN
    assert appointments.look_up("EF56-GH78").outcome is Outcome.EXPIRED  # 09:00, more than 30 min ago
    first = appointments.look_up("ab12cd34")
    assert first.outcome is Outcome.CHECKED_IN
    assert first.appointment is not None and first.appointment.first_name == "Ilse"
    assert appointments.look_up("AB12-CD34").outcome is Outcome.ALREADY_USED


def test_late_but_within_the_margin_still_checks_in(tmp_path: Path) -> None:
    path = book(tmp_path, [entry("AB12-CD34", time="09:35")])
    assert LocalAppointments.from_file(path, now=lambda: NOW).look_up("AB12CD34").outcome is Outcome.CHECKED_IN


def test_demo_data_is_usable_at_any_hour() -> None:
    late_evening = dt.datetime(2026, 3, 2, 23, 50)
    appointments = LocalAppointments.from_file(now=lambda: late_evening)
    assert appointments.look_up("K7Q2-9XZD").outcome is Outcome.CHECKED_IN


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('{"appointments": [{"code": "AB12CD34"}]}', "lacks the key 'date'"),
        ('{"appointments": [' + json.dumps(entry("AB12CD34", date="2 maart")) + "]}", "Invalid isoformat"),
    ],
)
def test_bad_files_are_reported_plainly(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "appointments.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AppointmentFileError, match=expected):
        LocalAppointments.from_file(path)


def test_config_checks_the_appointments_file_relative_to_itself(tmp_path: Path) -> None:
    book(tmp_path, [entry("AB12-CD34")])
    config_path = tmp_path / "kiosk.toml"
    config_path.write_text('[appointments]\nfile = "appointments.json"\n', encoding="utf-8")
    assert load_config(config_path).appointments.file == str(tmp_path / "appointments.json")
    config_path.write_text('[appointments]\nfile = "missing.json"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"appointments.file: .*missing.json: file not found"):
        load_config(config_path)


def test_config_logo_is_found_relative_to_the_config_and_checked(tmp_path: Path) -> None:
    from PIL import Image

    Image.new("L", (120, 40), 0).save(tmp_path / "logo.png")
    config_path = tmp_path / "kiosk.toml"
    config_path.write_text('[device]\nlogo = "logo.png"\n', encoding="utf-8")
    assert load_config(config_path).device.logo == str(tmp_path / "logo.png")
    (tmp_path / "bad.png").write_bytes(b"no image")
    config_path.write_text('[device]\nlogo = "bad.png"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"device.logo: logo .*bad.png is not an image"):
        load_config(config_path)


def test_appointments_from_a_csv_export(tmp_path: Path) -> None:
    path = tmp_path / "agenda.csv"
    path.write_text(
        "code,first_name,date,time,topic_nl,where_nl,topic_en,where_en\n"
        "AB12-CD34,Ilse,2026-03-02,10:15,Paspoort aanvragen,Wachtruimte A,Apply for a passport,Waiting area A\n",
        encoding="utf-8",
    )
    appointments = LocalAppointments.from_file(path, now=lambda: NOW)
    result = appointments.look_up("ab12cd34")
    assert result.outcome is Outcome.CHECKED_IN and result.appointment is not None
    assert result.appointment.topic == {"nl": "Paspoort aanvragen", "en": "Apply for a passport"}
    missing_column = tmp_path / "broken.csv"
    missing_column.write_text("code,first_name\nAB12CD34,Ilse\n", encoding="utf-8")
    with pytest.raises(AppointmentFileError, match="lacks the key 'date'"):
        LocalAppointments.from_file(missing_column)
