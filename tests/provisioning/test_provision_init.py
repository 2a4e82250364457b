"""`balie provision init`: flags or questions in, a config kiosk.config accepts out, or nothing written."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.config import default_config, load_config
from provisioning import init_config
from tests.provisioning.balie_cli import balie

TOKEN = "bd1.0b8f2d4e-3c1a-4f6b-9e2d-7a5c8b1e0f3d.c2VjcmV0LXNlY3JldC1zZWNyZXQ"


def test_without_flags_it_writes_exactly_the_embedded_default(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "balie" / "kiosk.toml"
    run = balie("provision", "init", "--config", str(config))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [
        f"wrote {config} (mode 0644)",
        f"next: balie provision selftest --config {config}",
    ]
    assert stat.S_IMODE(config.stat().st_mode) == 0o644
    assert load_config(config) == default_config()


def test_flags_become_a_config_in_the_technicians_terms(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    run = balie(
        "provision", "init", "--config", str(config),
        "--municipality", "Gemeente Zwolle", "--location", 'Stadhuis "Grote Kerkplein"\\Oost',
        "--orientation", "landscape", "--languages", "nl, en", "--tasks", "ticket,checkin,opening_hours",
        "--hours", "monday-friday=08:30-16:30", "--hours", "thu=08:30-20:00", "--hours", "sat=10:00-12:00",
        "--counter-text", "nl=Loop naar balie 3.", "--counter-text", "en=Walk to desk 3.",
        "--camera", "/dev/video0", "--camera-size", "1920x1080",
        "--reader", "ACS ACR1252*PICC*", "--printer", "/dev/ttyUSB0", "--printer-baud", "38400",
        "--printer-flow", "rtscts", "--paper", "58", "--speech", "espeak",
        "--microphone", "plughw:CARD=Device,DEV=0", "--audio-output", "none",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    settings = load_config(config)
    assert settings.device.municipality == "Gemeente Zwolle"
    assert settings.device.location == 'Stadhuis "Grote Kerkplein"\\Oost'
    assert settings.device.orientation == "landscape"
    assert settings.device.tasks == ["ticket", "checkin", "opening_hours"]
    assert settings.opening_hours == {
        "monday": "08:30-16:30", "tuesday": "08:30-16:30", "wednesday": "08:30-16:30",
        "thursday": "08:30-20:00", "friday": "08:30-16:30", "saturday": "10:00-12:00", "sunday": "closed",
    }  # fmt: skip
    assert settings.counter.location_text == {"nl": "Loop naar balie 3.", "en": "Walk to desk 3."}
    hardware = settings.hardware.choices() | settings.hardware.call_choices()
    assert hardware == {
        "camera": ("opencv", {"source": "/dev/video0", "width": 1920, "height": 1080}),
        "cardreader": ("pcsc", {"reader": "ACS ACR1252*PICC*"}),
        "printer": ("escpos", {"port": "/dev/ttyUSB0", "baudrate": 38400, "flow": "rtscts", "paper_mm": 58}),
        "speech": ("espeak", {}),
        "microphone": ("pyav", {"device": "plughw:CARD=Device,DEV=0"}),
        "audio_output": ("none", {}),
    }


def test_a_network_printer_and_the_first_reader(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    run = balie("provision", "init", "--config", str(config), "--printer", "socket://10.0.0.5:9100",
                "--printer-baud", "9600", "--reader", "pcsc", "--languages", "nl")  # fmt: skip
    assert run.returncode == 0, run.stderr
    settings = load_config(config)
    assert settings.hardware.printer.options == {"port": "socket://10.0.0.5:9100"}  # no baud rate on a network
    assert settings.hardware.cardreader.driver == "pcsc" and settings.hardware.cardreader.options == {}
    assert settings.counter.location_text.keys() == {"nl"}  # English is not offered, so not written


def test_an_existing_file_is_kept_without_force_and_its_credential_kept_with_it(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    original = f'[backoffice]\nurl = "https://balie.example.nl"\ntoken = "{TOKEN}"\noutbox = "/var/lib/balie/o.db"\n'
    config.write_text(original, encoding="utf-8")
    config.chmod(0o600)
    refused = balie("provision", "init", "--config", str(config), "--location", "Bibliotheek Oost")
    assert refused.returncode == 1
    assert refused.stderr.strip() == (
        f"balie provision: {config} exists; add --force to replace it (its backoffice credential is kept)"
    )
    assert config.read_text(encoding="utf-8") == original

    forced = balie("provision", "init", "--config", str(config), "--location", "Bibliotheek Oost", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "mode 0600" in forced.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    settings = load_config(config)
    assert settings.device.location == "Bibliotheek Oost"
    assert (settings.backoffice.url, settings.backoffice.token) == ("https://balie.example.nl", TOKEN)
    assert settings.backoffice.outbox == "/var/lib/balie/o.db"


@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (["--tasks", "checkin,tiket"],
         "tasks: unknown 'tiket' (available: checkin, ticket, scan, identify, opening_hours)"),
        (["--languages", "nl,de"], "languages: use nl, en (first is the default), not 'nl,de'"),
        (["--hours", "maandag=09:00-17:00"], "--hours 'maandag=09:00-17:00': unknown day (use monday, tuesday, "
         "wednesday, thursday, friday, saturday, sunday, or mon, tue, …)"),
        (["--hours", "mon=9-17"], "opening hours: '9-17' is not like 09:00-17:00 or closed"),
        (["--printer", "COM1"],
         "printer: use simulated, none, a port (/dev/ttyUSB0) or socket://HOST:9100, not 'COM1'"),
        (["--camera", "/dev/video0", "--camera-size", "big"], "camera size: 'big' is not like 1280x720"),
        (["--counter-text", "fr=Allez"], "--counter-text 'fr=Allez': use LANG=TEXT with LANG one of nl, en"),
        (["--location", "  "], "location: must not be empty"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_nothing_is_written(tmp_path: Path, flags: list[str], line: str) -> None:
    config = tmp_path / "kiosk.toml"
    run = balie("provision", "init", "--config", str(config), *flags)
    assert run.returncode == 2
    assert run.stderr.splitlines() == [f"balie provision: {line}"]
    assert not config.exists() and list(tmp_path.iterdir()) == []  # no temporary file left either


def test_a_folder_is_not_a_config_file(tmp_path: Path) -> None:
    run = balie("provision", "init", "--config", str(tmp_path))
    assert run.returncode == 2 and "is a folder" in run.stderr


def test_the_guided_prompt_asks_again_after_a_wrong_answer() -> None:
    replies = iter([
        "Gemeente Zwolle", "", "kisok", "kiosk", "", "nl", "ticket,opening_hours",
        "", "", "", "", "", "closed", "",  # monday … sunday: Enter keeps the default
        "Balie 1, links",  # counter (nl); English is not offered, so not asked
        "/dev/video2", "640x480", "OMNIKEY", "socket://192.168.1.20:9100", "", "espeak", "none", "default",
    ])  # fmt: skip
    prompts: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(replies)

    raw = init_config.ask_all(init_config.default_raw(), ask, said.append, {"camera": "/dev/video2 (C920)"})
    answers = init_config.answers_from_raw(raw)
    assert said == ["  ! role: use kiosk, counter, display, not 'kisok'", "  found: /dev/video2 (C920)"]
    assert prompts[2] == prompts[3] == "Role: kiosk, counter or display [kiosk]: "
    assert answers.municipality == "Gemeente Zwolle" and answers.location == "Stadswinkel Centrum"
    assert answers.languages == ["nl"] and answers.tasks == ["ticket", "opening_hours"]
    assert answers.opening_hours["saturday"] == "closed" and answers.opening_hours["monday"] == "09:00-17:00"
    assert answers.counter_text == {"nl": "Balie 1, links"}
    assert answers.hardware == {
        "camera": ("opencv", {"source": "/dev/video2", "width": 640, "height": 480}),
        "cardreader": ("pcsc", {"reader": "OMNIKEY"}),
        "printer": ("escpos", {"port": "socket://192.168.1.20:9100"}),  # no baud rate question on a network
        "speech": ("espeak", {}),
        "microphone": ("none", {}),
        "audio_output": ("pyav", {"device": "default"}),
    }
    assert not any("baud" in prompt for prompt in prompts)


def test_guided_from_the_command_line_and_ending_early(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.toml"
    answers = "\n" * 40  # Enter on every question: the suggestions, which the flags set
    run = balie("provision", "init", "--guided", "--config", str(config), "--location", "Stadhuis", stdin=answers)
    assert run.returncode == 0, run.stderr
    assert "Location name" in run.stdout and "[Stadhuis]" in run.stdout
    assert load_config(config).device.location == "Stadhuis"

    short = balie("provision", "init", "--guided", "--config", str(tmp_path / "other.toml"), stdin="Gemeente X\n")
    assert short.returncode == 1
    assert short.stderr.strip() == "balie provision: no more answers; nothing written"
    assert not (tmp_path / "other.toml").exists()


@pytest.mark.parametrize("role", ["counter", "display"])
def test_a_counter_or_display_is_written_with_a_reminder_to_enroll(tmp_path: Path, role: str) -> None:
    config = tmp_path / "kiosk.toml"
    run = balie("provision", "init", "--config", str(config), "--role", role)
    assert run.returncode == 0, run.stderr
    assert load_config(config).device.role == role
    assert run.stdout.splitlines() == [
        f"wrote {config} (mode 0644)",
        f"a {role} device needs the backoffice: enroll it before it starts "
        f"(balie provision enroll --backoffice URL --code CODE --config {config})",
        f"next: balie provision selftest --config {config}",
    ]


def test_a_kiosk_needs_no_reminder_to_enroll(tmp_path: Path) -> None:
    run = balie("provision", "init", "--config", str(tmp_path / "kiosk.toml"), "--role", "kiosk")
    assert run.returncode == 0, run.stderr
    assert "enroll it" not in run.stdout
