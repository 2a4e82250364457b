"""The ticket screen tells the backoffice's expected wait, and only when the backoffice knows one: a
kiosk against a real `balie backoffice serve`, a caseworker signing in to a desk over its HTTP API."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from kiosk.config import BackofficeSettings, default_config
from kiosk.ui.app import Kiosk, open_shell
from tests.conftest import FakeClock
from tests.live_backoffice import LiveBackoffice, balie
from tests.live_counter import LOCATION, enroll
from tests.ui.conftest import find, tap

PASSWORD = "an invented password for tests"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    """A location with one desk for topic A and a caseworker who has not signed in to it yet."""
    live = LiveBackoffice(tmp_path)
    live.start()
    try:
        live.enrollment_code(LOCATION)
        secret = tmp_path / "password"
        secret.write_text(PASSWORD + "\n")
        balie("backoffice", "add-user", "--username", "carla", "--role", "caseworker", "--password-file",
              str(secret), "--database", str(live.database))  # fmt: skip
        balie("backoffice", "desk", "--location", LOCATION, "--name", "3", "--topics", "A",
              "--database", str(live.database))  # fmt: skip
        yield live
    finally:
        live.stop()


@pytest.fixture
def kiosk(
    qtbot: QtBot, clock: FakeClock, backoffice: LiveBackoffice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Kiosk]:
    monkeypatch.setenv("BALIE_DATA", str(tmp_path / "kiosk-data"))
    config = default_config()
    config = dataclasses.replace(
        config,
        device=dataclasses.replace(config.device, location=LOCATION),
        backoffice=BackofficeSettings(url=backoffice.url, token=enroll(backoffice, "kiosk-hal")),
    )
    built = open_shell(config, clock=clock).complete(health_interval=3600, reporting=True)
    built.window.show()
    qtbot.waitExposed(built.window)
    qtbot.waitUntil(lambda: built.reporting is not None, timeout=30_000)
    yield built
    built.close()


def sign_in_at_desk(backoffice: LiveBackoffice) -> None:
    """Carla signs in and takes desk 3, as the desk page's script does (same-origin JSON)."""
    with httpx.Client(base_url=backoffice.url) as browser:
        found = CSRF.search(browser.get("/signin").text)
        assert found, "no CSRF field on the sign-in page"
        signed = browser.post("/signin", data={"username": "carla", "password": PASSWORD, "csrf_token": found[1]})
        assert signed.status_code in (200, 302, 303), signed.text
        desks = browser.get("/console/desk/api/state").json()["desks"]
        taken = browser.post(
            "/console/desk/api/sign-in", json={"desk_id": desks[0]["id"]}, headers={"Origin": backoffice.url}
        )
        assert taken.status_code == 200, taken.text


def take_number(qtbot: QtBot, kiosk: Kiosk) -> QLabel:
    tap(qtbot, find(kiosk, "tile_ticket"))
    tap(qtbot, find(kiosk, "topic_A"))
    qtbot.waitUntil(lambda: find(kiosk, "ticketNumber").text().startswith("A"), timeout=10_000)
    wait = kiosk.window.current_screen.findChild(QLabel, "ticketWait")
    assert wait is not None
    return wait


def test_the_wait_is_shown_once_a_desk_serves_the_topic(qtbot: QtBot, kiosk: Kiosk, backoffice: LiveBackoffice) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    nobody_there = take_number(qtbot, kiosk)
    assert find(kiosk, "ticketNumber").text() == "A001"
    assert not nobody_there.isVisible() and nobody_there.text() == ""  # no desk open for A: no promise

    sign_in_at_desk(backoffice)
    tap(qtbot, find(kiosk, "ticketMore"))  # "something else": another number in the same session
    served = take_number(qtbot, kiosk)

    assert find(kiosk, "ticketNumber").text() == "A002"
    # A001 and A002 wait, five minutes each before the first visit of the day, one desk.
    assert served.isVisible() and served.text() == "Verwachte wachttijd: ongeveer 10 minuten"


def test_the_wait_in_english(qtbot: QtBot, kiosk: Kiosk, backoffice: LiveBackoffice) -> None:
    sign_in_at_desk(backoffice)
    tap(qtbot, find(kiosk, "language_en"))  # straight to the menu, in English
    wait = take_number(qtbot, kiosk)

    assert wait.isVisible() and wait.text() == "Expected wait: about 5 minutes"
    assert find(kiosk, "ticketWait") is wait
