"""The test harness: a backoffice on a temporary SQLite file, migrated to head, with a clock moved by hand."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backoffice.enrollment import new_enrollment_code
from backoffice.roles import Role
from backoffice.settings import Settings
from backoffice.users import add_user

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class UtcClock:
    """Moves only when a test says so: heartbeats go stale and codes expire without sleeping."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Backoffice:
    app: FastAPI
    client: TestClient
    settings: Settings
    clock: UtcClock

    def db(self) -> Session:
        session: Session = self.app.state.sessions()
        return session

    def add_user(self, username: str, role: Role, password: str = PASSWORD) -> None:
        with self.db() as db:
            add_user(db, self.settings, username, role, password)

    def enrollment_code(self, location: str = "Stadhuis Zwolle") -> str:
        with self.db() as db:
            return new_enrollment_code(db, self.settings, location)

    def enroll(self, name: str = "kiosk-1", location: str = "Stadhuis Zwolle") -> dict[str, str]:
        answer = self.client.post(
            "/api/v1/enroll", json={"code": self.enrollment_code(location), "name": name, "version": "0.1.0"}
        )
        assert answer.status_code == 200, answer.text
        body: dict[str, str] = answer.json()
        return body

    def csrf_of(self, path: str) -> str:
        page = self.client.get(path)
        found = CSRF.search(page.text)
        assert found, f"no CSRF field on {path}"
        return found.group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> int:
        token = self.csrf_of("/signin")
        answer = self.client.post(
            "/signin",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        return answer.status_code


def backoffice_command(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`balie backoffice ARGS` as a technician runs it, with its data in `data_dir`."""
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "backoffice", *args],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "BALIE_DATA": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
