"""`balie provision enroll` against a real backoffice process: the credential lands in the config, 0600."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.backoffice_client import BackofficeClient
from kiosk.config import load_config
from tests.live_backoffice import ROOT, LiveBackoffice, free_port

EXISTING = """# Stadswinkel Centrum, kiosk at the entrance
[device]
location = "Stadswinkel Centrum"   # shown on tickets

[backoffice]
outbox = "/var/lib/balie/outbox.db"

[session]
idle_seconds = 90
"""


def provision(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "provision", "enroll", *args],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path_factory.mktemp("backoffice"))
    service.start()
    try:
        yield service
    finally:
        service.stop()


def test_enroll_writes_the_credential_and_keeps_the_rest(tmp_path: Path, backoffice: LiveBackoffice) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(EXISTING, encoding="utf-8")
    config.chmod(0o644)
    run = provision("--backoffice", backoffice.url, "--code", backoffice.enrollment_code(), "--config", str(config))
    assert run.returncode == 0, run.stderr
    assert "enrolled at Bibliotheek Oost" in run.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    text = config.read_text(encoding="utf-8")
    assert "# Stadswinkel Centrum, kiosk at the entrance" in text and "idle_seconds = 90" in text
    settings = load_config(config)
    assert settings.backoffice.url == backoffice.url
    assert settings.backoffice.outbox == "/var/lib/balie/outbox.db"
    assert settings.session.idle_seconds == 90
    client = BackofficeClient(settings.backoffice.url, settings.backoffice.token)
    try:
        assert client.heartbeat("0.1.0", 1.0, {"printer": {"state": "ok"}}) > 0  # the credential works
    finally:
        client.close()
    # Enrolling again (a replaced PC, a new code) replaces the credential, not the file.
    again = provision("--backoffice", backoffice.url, "--code", backoffice.enrollment_code(), "--config", str(config))
    assert again.returncode == 0, again.stderr
    assert load_config(config).backoffice.token != settings.backoffice.token
    assert config.read_text(encoding="utf-8").count("[backoffice]") == 1


def test_a_new_config_file_is_created(tmp_path: Path, backoffice: LiveBackoffice) -> None:
    config = tmp_path / "etc" / "kiosk.toml"
    run = provision(
        "--backoffice", backoffice.url + "/", "--code", backoffice.enrollment_code(), "--config", str(config)
    )
    assert run.returncode == 0, run.stderr
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert load_config(config).backoffice.url == backoffice.url


def test_a_spent_code_or_no_backoffice_leaves_the_config_alone(tmp_path: Path, backoffice: LiveBackoffice) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(EXISTING, encoding="utf-8")
    code = backoffice.enrollment_code()
    assert (
        provision("--backoffice", backoffice.url, "--code", code, "--config", str(tmp_path / "a.toml")).returncode == 0
    )
    spent = provision("--backoffice", backoffice.url, "--code", code, "--config", str(config))
    assert spent.returncode == 1
    assert (
        spent.stderr.strip()
        == "balie provision: the backoffice refused the code: this enrollment code has been used already"
    )
    assert config.read_text(encoding="utf-8") == EXISTING
    nobody = provision(
        "--backoffice", f"http://127.0.0.1:{free_port()}", "--code", "ABCD-EFGH-JKMN", "--config", str(config)
    )
    assert nobody.returncode == 1 and "could not reach the backoffice" in nobody.stderr
    assert "Traceback" not in nobody.stderr
    assert config.read_text(encoding="utf-8") == EXISTING
