"""The staffed counter end to end, every piece as it runs in a town hall, against one real backoffice.

A citizen takes a number on the kiosk (in English); a caseworker in headless Chromium signs in to desk 3
on the desk page and pairs the counter device facing the citizen by the code it shows; "call next" makes
the waiting-room display (offscreen) show the number at desk 3 and announce it after its chime, in Dutch
and in English; the counter device reads the virtual ID card at the desk page's request, shows a summary
the citizen confirms by tapping, captures a signature drawn on its pad and prints a receipt on the
printer simulator; "done" ends the visit, which lands in the contact history with its waiting and service
times, and the counter device forgets the citizen.

Qt and Chromium share this thread: every wait is `qtbot.waitUntil` around a quick look at the page, so the
kiosk's, display's and counter device's event loops keep turning while the browser works.
"""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import playwright.sync_api as playwright
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.cardreader.emrtd.factory import VirtualDocument, build_virtual_document
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.registry import build_all
from drivers.speech.recorder import Utterance
from kiosk.config import BackofficeSettings, KioskConfig, Role, default_config
from kiosk.ui.app import Kiosk, open_shell
from kiosk.ui.counter.app import Counter, build_counter
from kiosk.ui.display.app import Display, build_display
from tests.conftest import FakeClock
from tests.display.heard_sound import CHIME_SAMPLES, SpeechAfterSound
from tests.live_backoffice import LiveBackoffice, balie
from tests.live_counter import LOCATION, enroll
from tests.ui.conftest import find, tap
from tests.ui.counter_device import shows, visible

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
SHOT = Path("/tmp/staffed-counter-desk.png")
# The citizen's signature: a zigzag, drawn with the mouse on the counter device's pad.
SIGNATURE = [QPoint(120, 200), QPoint(180, 120), QPoint(240, 220), QPoint(300, 110), QPoint(420, 230)]


def rows(database: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database) as db:
        return [tuple(row) for row in db.execute(sql, params)]


@pytest.fixture
def backoffice(tmp_path: Path) -> Iterator[LiveBackoffice]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: provisioning/setup-debian.sh --test installs it (apt-get install chromium)")
    live = LiveBackoffice(tmp_path)
    live.start()
    try:
        live.enrollment_code(LOCATION)  # the location exists from its first enrollment code on
        secret = tmp_path / "password"
        secret.write_text(PASSWORD + "\n")
        balie("backoffice", "add-user", "--username", "carla", "--role", "caseworker", "--password-file",
              str(secret), "--database", str(live.database))  # fmt: skip
        balie("backoffice", "desk", "--location", LOCATION, "--name", "3", "--topics", "AB",
              "--database", str(live.database))  # fmt: skip
        yield live
    finally:
        live.stop()


def device_config(backoffice: LiveBackoffice, role: Role, name: str) -> KioskConfig:
    config = default_config()
    return dataclasses.replace(
        config,
        device=dataclasses.replace(config.device, role=role, location=LOCATION),
        backoffice=BackofficeSettings(url=backoffice.url, token=enroll(backoffice, name)),
    )


@pytest.fixture
def kiosk(
    qtbot: QtBot, clock: FakeClock, backoffice: LiveBackoffice, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Kiosk]:
    monkeypatch.setenv("BALIE_DATA", str(tmp_path / "kiosk-data"))
    shell = open_shell(device_config(backoffice, Role.KIOSK, "kiosk-hal"), clock=clock)
    built = shell.complete(health_interval=3600, reporting=True)  # numbers from the backoffice, as `balie kiosk`
    built.window.show()
    qtbot.waitExposed(built.window)
    qtbot.waitUntil(lambda: built.reporting is not None, timeout=30_000)
    yield built
    built.close()


@pytest.fixture
def id_card() -> VirtualDocument:
    return build_virtual_document("id-card", access="pace")


@pytest.fixture
def counter(qtbot: QtBot, backoffice: LiveBackoffice, id_card: VirtualDocument) -> Iterator[Counter]:
    config = device_config(backoffice, Role.COUNTER, "balie-3-scherm")
    reader = SimulatedCardReader()
    reader.insert(id_card.chip)
    drivers = dataclasses.replace(build_all(config.hardware.choices()), cardreader=reader)
    built = build_counter(config, drivers=drivers, backoff=(0.2, 0.5))
    built.window.show()
    qtbot.waitExposed(built.window)
    yield built
    built.close()


@pytest.fixture
def speech() -> SpeechAfterSound:
    return SpeechAfterSound(RecordingAudioOutput())


@pytest.fixture
def display(qtbot: QtBot, backoffice: LiveBackoffice, speech: SpeechAfterSound) -> Iterator[Display]:
    config = device_config(backoffice, Role.DISPLAY, "wachtkamer-scherm")
    built = build_display(config, speech=speech, audio_output=speech.output, interval=0.2, lost_after=5)
    built.window.show()
    qtbot.waitExposed(built.window)
    built.start()
    yield built
    built.close()


@pytest.fixture
def browser() -> Iterator[playwright.Browser]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            launched.close()


def until(qtbot: QtBot, condition: Callable[[], bool], timeout: float = 20) -> None:
    qtbot.waitUntil(condition, timeout=round(timeout * 1000))


def seen(locator: playwright.Locator) -> Callable[[], bool]:
    """A quick look at the page (no Playwright wait, so Qt's loop keeps turning between looks)."""
    return lambda: locator.count() > 0 and locator.first.is_visible()


def counter_label(counter: Counter, name: str) -> str:
    widget = visible(counter, name)
    assert isinstance(widget, QLabel)
    return widget.text()


def test_a_ticket_called_at_desk_3_served_with_the_counter_device_lands_in_the_history(
    qtbot: QtBot,
    backoffice: LiveBackoffice,
    kiosk: Kiosk,
    display: Display,
    speech: SpeechAfterSound,
    counter: Counter,
    id_card: VirtualDocument,
    browser: playwright.Browser,
) -> None:
    # A citizen takes a number on the kiosk, in English.
    tap(qtbot, find(kiosk, "language_en"))  # straight to the menu, in English
    tap(qtbot, find(kiosk, "tile_ticket"))
    tap(qtbot, find(kiosk, "topic_A"))
    until(qtbot, lambda: find(kiosk, "ticketNumber").text().startswith("A"))
    number = find(kiosk, "ticketNumber").text()
    assert rows(backoffice.database, "SELECT status, language FROM tickets WHERE number = ?", number) == [
        ("waiting", "en")
    ]
    until(qtbot, lambda: "A" in display.window.wait_tiles)  # the wall screen knows one is waiting

    # The caseworker signs in to desk 3 and pairs the counter device by the code it shows.
    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(f"{backoffice.url}/signin?next=/console/desk")
    page.get_by_label("Gebruikersnaam").fill("carla")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/console/desk*")
    page.get_by_label("Kies een balie").select_option(label=f"Balie 3 – {LOCATION}")
    page.get_by_role("button", name="Aanmelden bij balie").click()
    panel = page.get_by_role("region", name="Balieapparaat")
    until(qtbot, seen(panel.get_by_label("Koppelcode")))
    until(qtbot, lambda: shows(counter, "pairingCode"))
    panel.get_by_label("Koppelcode").fill(counter_label(counter, "pairingCode"))
    panel.get_by_role("button", name="Koppelen").click()
    until(qtbot, seen(panel.get_by_text("Balieapparaat balie-3-scherm is verbonden.")))
    until(qtbot, lambda: not shows(counter, "pairingCode"))

    # Call next: the display shows the number at desk 3 and announces it, after the chime.
    page.get_by_role("button", name="Volgende").click()
    until(qtbot, lambda: display.window.current_label.text() == number)
    assert display.window.current_desk.text() == "Balie 3"
    assert display.announcer.wait_announced(1, timeout=20)
    said = f"A {int(number[1:])}"
    assert speech.utterances == [Utterance(f"Nummer {said}, balie 3", "nl"), Utterance(f"Number {said}, desk 3", "en")]
    assert speech.sound_before[0] == CHIME_SAMPLES
    assert rows(backoffice.database, "SELECT status FROM tickets WHERE number = ?", number) == [("called",)]

    # The ID card, read on the counter device: the citizen types the CAN printed on the card.
    panel.get_by_role("button", name="Identiteitsbewijs vragen").click()
    until(qtbot, lambda: shows(counter, "callIdCan"))
    tap(qtbot, visible(counter, "callIdCan"))
    for digit in id_card.specimen.can:
        tap(qtbot, visible(counter, f"digit_{digit}"))
    tap(qtbot, visible(counter, "callCanSubmit"))
    surname = "VAN PROEF"  # the invented ID card's holder, as its MRZ spells it
    assert id_card.specimen.lines[-1].startswith(surname.replace(" ", "<") + "<<")
    identity = panel.get_by_role("region", name="Identiteit")
    until(qtbot, seen(identity.get_by_text(surname)), timeout=45)
    assert identity.get_by_text("Echt: handtekening en certificaat kloppen").is_visible()

    # A summary to check, confirmed by a tap.
    panel.locator("summary", has_text="Samenvatting om te controleren").click()
    panel.get_by_label("Omschrijving 1", exact=True).fill("Aanvraag")
    panel.get_by_label("Waarde 1", exact=True).fill("Identiteitskaart, 1 stuk")
    panel.get_by_role("button", name="Samenvatting laten controleren").click()
    until(qtbot, lambda: shows(counter, "summaryCorrect"))
    assert any("Identiteitskaart, 1 stuk" in w.text() for w in counter.window.findChildren(QLabel) if w.isVisible())
    tap(qtbot, visible(counter, "summaryCorrect"))
    until(qtbot, seen(panel.get_by_text("De inwoner zegt: de samenvatting klopt.")))

    # A signature, drawn on the pad, checked by the citizen, shown in the panel.
    panel.locator("summary", has_text="Handtekening vragen").click()
    panel.get_by_label("Waarvoor is de handtekening?").fill("Aanvraag identiteitskaart")
    panel.get_by_role("button", name="Handtekening vragen").click()
    until(qtbot, lambda: shows(counter, "signaturePad"))
    pad = visible(counter, "signaturePad")
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=SIGNATURE[0])
    for point in SIGNATURE[1:]:
        qtbot.mouseMove(pad, point)
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=SIGNATURE[-1])
    tap(qtbot, visible(counter, "signatureDone"))
    tap(qtbot, visible(counter, "signatureSend"))
    signature = panel.get_by_role("img", name="Handtekening van de inwoner")
    until(qtbot, seen(signature))
    until(qtbot, lambda: signature.evaluate("image => image.complete && image.naturalWidth > 0"))
    svg = page.evaluate("src => fetch(src).then(answer => answer.text())", signature.get_attribute("src"))
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "<svg" in svg and ("<path" in svg or "<polyline" in svg)

    # A receipt on the desk printer.
    simulator = counter.drivers.printer.simulator  # type: ignore[attr-defined]
    receipts_before = len(simulator.receipts)
    panel.locator("summary", has_text="Bon").click()
    panel.get_by_label("Titel van de bon").fill("Ontvangstbewijs aanvraag")
    panel.get_by_label("Regels van de bon (één per regel)").fill("Identiteitskaart\nKlaar over 5 werkdagen")
    panel.get_by_role("button", name="Bon afdrukken").click()
    until(qtbot, seen(panel.get_by_text("Afgedrukt.")))
    assert simulator.wait_for_receipts(receipts_before + 1, timeout=5)
    printed = [line.text for line in simulator.receipts[-1].lines]
    assert "Klaar over 5 werkdagen" in printed
    page.screenshot(path=str(SHOT), full_page=True)

    # Done: the visit is recorded with its times under the citizen's key; the device forgets the citizen.
    page.get_by_label("Uitkomst").fill("Identiteitskaart aangevraagd")
    page.get_by_role("button", name="Afronden").click()
    until(qtbot, seen(page.get_by_role("status").filter(has_text="Bezoek afgerond en vastgelegd.")))
    assert rows(backoffice.database, "SELECT status FROM tickets WHERE number = ?", number) == [("done",)]
    contacts = rows(
        backoffice.database, "SELECT channel, outcome, waited_seconds, service_seconds, citizen_key FROM contacts"
    )
    assert contacts, "the visit is not in the contact history"
    for channel, outcome, waited, served, key in contacts:  # one row per key the citizen is known by
        assert (channel, outcome) == ("counter", "Identiteitskaart aangevraagd")
        assert waited is not None and served is not None and 0 <= waited < 600 and 0 < served < 600
        assert len(key) == 64 and surname not in key  # a keyed hash, never the name or number
    until(qtbot, lambda: shows(counter, "welcomeGreeting"))
    assert not any(
        surname in w.text() or "Identiteitskaart, 1 stuk" in w.text() for w in counter.window.findChildren(QLabel)
    )
