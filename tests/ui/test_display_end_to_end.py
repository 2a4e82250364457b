"""The waiting-room display against a real backoffice (`balie backoffice serve` on loopback): a kiosk
takes a number over the device API, a caseworker calls it through the desk page's API, and the display
(offscreen) shows it at the desk and announces it after the chime. Then the display loses its network:
the caseworker goes on calling, and once the display is back it shows the newest call and announces it."""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.speech.recorder import Utterance
from kiosk.backoffice_client import BackofficeClient
from kiosk.config import BackofficeSettings, Role, default_config
from kiosk.ui.display.app import Display, build_display
from tests.display.heard_sound import CHIME_SAMPLES, SpeechAfterSound
from tests.live_backoffice import CuttableProxy, LiveBackoffice, balie
from tests.live_counter import LOCATION, enroll, rows

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class Caseworker:
    """A colleague at the desk page, acting through its API as the page's script does (same origin)."""

    def __init__(self, backoffice: LiveBackoffice, username: str, folder: Path) -> None:
        secret = folder / f"{username}-password"
        secret.write_text(PASSWORD + "\n")
        balie("backoffice", "add-user", "--username", username, "--role", "admin", "--password-file", str(secret),
              "--database", str(backoffice.database))  # fmt: skip
        self.http = httpx.Client(base_url=backoffice.url, headers={"Origin": backoffice.url}, timeout=10)
        found = CSRF.search(self.http.get("/signin").text)
        assert found, "no CSRF field on the sign-in page"
        answer = self.http.post(
            "/signin", data={"username": username, "password": PASSWORD, "csrf_token": found.group(1)}
        )
        assert answer.status_code == 303, answer.text

    def act(self, action: str, body: dict[str, object] | None = None) -> dict[str, object]:
        answer = self.http.post(f"/console/desk/api/{action}", json=body or {})
        assert answer.status_code == 200, answer.text
        state: dict[str, object] = answer.json()
        return state

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    live = LiveBackoffice(tmp_path)
    live.start()
    yield live
    live.stop()


def take_ticket(backoffice: LiveBackoffice, token: str, topic: str, language: str) -> str:
    client = BackofficeClient(backoffice.url, token)
    try:
        return str(client.take_ticket(topic, str(uuid.uuid4()), language)["number"])
    finally:
        client.close()


def status_of(backoffice: LiveBackoffice, number: str) -> str:
    [(status,)] = rows(backoffice.database, "SELECT status FROM tickets WHERE number = ?", number)
    return str(status)


def components(backoffice: LiveBackoffice, device: str) -> dict[str, str]:
    found = rows(
        backoffice.database,
        "SELECT c.name, c.state FROM device_components c JOIN devices d ON d.id = c.device_id WHERE d.name = ?",
        device,
    )
    return {str(name): str(state) for name, state in found}


@pytest.fixture
def caseworker(backoffice: LiveBackoffice, tmp_path: Path) -> Iterator[Caseworker]:
    colleague = Caseworker(backoffice, "carla", tmp_path)
    yield colleague
    colleague.close()


def test_a_kiosks_ticket_called_at_a_desk_is_shown_and_announced_and_caught_up_after_an_outage(
    qtbot: QtBot, backoffice: LiveBackoffice, caseworker: Caseworker
) -> None:
    kiosk_token = enroll(backoffice, "kiosk-hal")
    display_token = enroll(backoffice, "display-hal")
    [(location_id,)] = rows(backoffice.database, "SELECT id FROM locations WHERE name = ?", LOCATION)
    caseworker.act("desks", {"location_id": location_id, "name": "3", "topics": "A"})
    [(desk_id,)] = rows(backoffice.database, "SELECT id FROM desks WHERE name = '3'")
    caseworker.act("sign-in", {"desk_id": desk_id})
    first = take_ticket(backoffice, kiosk_token, "A", "en")

    proxy = CuttableProxy(backoffice.port)
    output = RecordingAudioOutput()
    speech = SpeechAfterSound(output)
    config = default_config()
    config = dataclasses.replace(
        config,
        device=dataclasses.replace(config.device, role=Role.DISPLAY, location=LOCATION),
        backoffice=BackofficeSettings(url=proxy.url, token=display_token),
    )
    display: Display = build_display(config, speech=speech, audio_output=output, interval=0.1, lost_after=2)
    wall = display.window
    try:
        wall.show()
        qtbot.waitExposed(wall)
        display.start()
        qtbot.waitUntil(lambda: "A" in wall.wait_tiles, timeout=10_000)  # the board is there: A is waiting
        assert wall.wait_tiles["A"].detail.text().startswith("1 wachtend")

        caseworker.act("call-next")
        qtbot.waitUntil(lambda: wall.current_label.text() == first, timeout=10_000)
        assert wall.current_desk.text() == "Balie 3"
        assert display.announcer.wait_announced(1, timeout=15)
        spoken_number = f"A {int(first[1:])}"
        assert speech.utterances == [
            Utterance(f"Nummer {spoken_number}, balie 3", "nl"),
            Utterance(f"Number {spoken_number}, desk 3", "en"),
        ]
        assert speech.sound_before[0] == CHIME_SAMPLES  # the whole chime first
        assert status_of(backoffice, first) == "called"
        # Its heartbeat tells the fleet page how its voice and speaker are.
        qtbot.waitUntil(lambda: components(backoffice, "display-hal") == {"speech": "ok", "audio_output": "ok"})

        # The display's network goes down; the desk goes on.
        proxy.cut()
        qtbot.waitUntil(lambda: wall.link_notice.isVisible(), timeout=10_000)
        second = take_ticket(backoffice, kiosk_token, "A", "nl")
        caseworker.act("done", {"outcome": "passport application taken"})
        caseworker.act("call-next")
        assert status_of(backoffice, second) == "called"
        assert wall.current_label.text() == first  # the last board stays while offline

        proxy.mend()
        qtbot.waitUntil(lambda: wall.current_label.text() == second, timeout=10_000)
        assert not wall.link_notice.isVisible()
        assert wall.recent_labels[0].text() == first
        assert display.announcer.wait_announced(2, timeout=15)
        assert speech.utterances[2:] == [Utterance(f"Nummer A {int(second[1:])}, balie 3", "nl")]
        assert status_of(backoffice, first) == "done"
    finally:
        display.close()
        proxy.close()
