"""`balie backoffice …` as other tools call it: a subprocess, stdout as the contract, real HTTP for `serve`."""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from backoffice.app import create_app
from backoffice.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\n$")


def balie(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "backoffice", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_add_user_then_enroll_code_then_sign_in_and_enroll(tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("a long enough passphrase\n")

    added = balie(
        tmp_path, "add-user", "--username", "tom", "--role", "technician", "--password-file", str(password_file)
    )
    code = balie(tmp_path, "enroll-code", "--location", "Stadhuis Zwolle")

    assert added.returncode == 0, added.stderr
    assert code.returncode == 0, code.stderr
    assert CODE.match(code.stdout), f"stdout must be only the code, got {code.stdout!r}"
    assert (tmp_path / "data" / "balie.db").exists()
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o777 == 0o600
    settings = load_settings(environ={"BALIE_DATA": str(tmp_path / "data")})
    with TestClient(create_app(settings)) as client:
        enrolled = client.post("/api/v1/enroll", json={"code": code.stdout.strip(), "name": "kiosk-1"})
        assert enrolled.status_code == 200 and enrolled.json()["location"] == "Stadhuis Zwolle"
        form = client.get("/signin").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token
        signed_in = client.post(
            "/signin",
            data={"username": "tom", "password": "a long enough passphrase", "csrf_token": token.group(1)},
            follow_redirects=False,
        )
        assert signed_in.status_code == 303


def test_add_user_refuses_short_passwords_and_taken_names(tmp_path: Path) -> None:
    short, good = tmp_path / "short", tmp_path / "good"
    short.write_text("tooshort\n")
    good.write_text("a long enough passphrase\n")

    refused = balie(tmp_path, "add-user", "--username", "ann", "--role", "admin", "--password-file", str(short))
    assert refused.returncode == 1 and "at least 12 characters" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert (
        balie(tmp_path, "add-user", "--username", "ann", "--role", "admin", "--password-file", str(good)).returncode
        == 0
    )
    taken = balie(tmp_path, "add-user", "--username", "ANN", "--role", "admin", "--password-file", str(good))
    assert taken.returncode == 1 and "exists already" in taken.stderr
    bad_role = balie(tmp_path, "add-user", "--username", "x", "--role", "burgemeester", "--password-file", str(good))
    assert bad_role.returncode == 2


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_output(process: subprocess.Popen[bytes], marker: bytes, seconds: float) -> None:
    """Read the server's log until `marker` appears; the log line is the signal it listens, no sleeping.

    Raw `os.read` on the pipe: a buffered readline would swallow lines the selector then never reports.
    """
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while marker not in seen and time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
    if marker not in seen:
        pytest.fail(f"the server did not report {marker!r}; it said: {seen.decode(errors='replace')}")


@pytest.mark.slow
def test_serve_migrates_and_answers_over_real_http(tmp_path: Path) -> None:
    port = _free_port()
    database = tmp_path / "served.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "backoffice", "serve", "--port", str(port), "--database", str(database)],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path / "data")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_output(process, b"Uvicorn running on", 60)
        schema = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10)
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert {"/api/v1/enroll", "/api/v1/heartbeat", "/api/v1/events"} <= set(paths)
        assert not any(path.startswith("/fleet") for path in paths)
    finally:
        process.terminate()
        _, rest = process.communicate(timeout=20)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal so a supervisor sees why it stopped.
    assert process.returncode in (0, -signal.SIGTERM)
    assert b"Finished server process" in rest
    assert database.exists()


def test_serve_refuses_bad_ice_servers_before_it_starts(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "backoffice", "serve", "--port", str(_free_port())],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(tmp_path), "BALIE_ICE_SERVERS": "stun:stun.example.nl"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert run.stderr.strip() == "balie backoffice: BALIE_ICE_SERVERS is not valid JSON (Expecting value)"
