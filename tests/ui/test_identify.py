"""A citizen identifies with a (virtual) passport or ID card on the simulated chip reader."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from drivers.cardreader.emrtd.factory import VirtualDocument, build_virtual_document
from drivers.cardreader.icao.document import AuthenticityStatus, MrzKey
from drivers.cardreader.icao.trust_store import TrustStore
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.registry import build_all
from kiosk import identity as idn
from kiosk.config import KioskConfig, parse_config
from kiosk.session import Phase
from kiosk.ui.app import Kiosk, build_kiosk
from kiosk.ui.identity_service import IdentityService
from kiosk.ui.screens.identify import IdentifyScreen
from tests.conftest import FakeClock
from tests.ui.conftest import find, tap

SHOTS = Path("/tmp")


@pytest.fixture
def document_options() -> dict[str, Any]:
    return {"kind": "passport"}


@pytest.fixture
def document(document_options: dict[str, Any]) -> VirtualDocument:
    return build_virtual_document(**document_options)


@pytest.fixture
def kiosk(qtbot: QtBot, clock: FakeClock, config: KioskConfig, document: VirtualDocument) -> Iterator[Kiosk]:
    """The kiosk as `balie kiosk` builds it, with the document already lying on the reader."""
    reader = SimulatedCardReader()
    reader.insert(document.chip)
    drivers = dataclasses.replace(build_all(config.hardware.choices()), cardreader=reader)
    built = build_kiosk(config, clock=clock, drivers=drivers, health_interval=3600)
    built.window.show()
    qtbot.waitExposed(built.window)
    built.window.activateWindow()
    qtbot.waitUntil(lambda: bool(built.controller.health), timeout=5000)
    yield built
    built.close()


def screen_of(kiosk: Kiosk) -> IdentifyScreen:
    screen = kiosk.window.current_screen
    assert isinstance(screen, IdentifyScreen)
    return screen


def open_identify(qtbot: QtBot, kiosk: Kiosk) -> IdentifyScreen:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_identify"))
    screen = screen_of(kiosk)
    assert find(kiosk, "identifyTitle").text() == "Leg uw paspoort of identiteitskaart op de lezer"
    return screen


def printed_date(yymmdd: str, *, birth: bool) -> str:
    """DDMMYYYY as on the document's data page, from the MRZ's YYMMDD."""
    year = int(yymmdd[:2])
    century = 1900 if birth and year > dt.date.today().year % 100 else 2000
    return f"{yymmdd[4:]}{yymmdd[2:4]}{century + year}"


def type_details(qtbot: QtBot, kiosk: Kiosk, key: MrzKey, *, birth: str | None = None) -> None:
    """Number on the letter keyboard, then each date on the digit keypad, as a citizen taps them."""
    tap(qtbot, find(kiosk, "chooseMrz"))
    for char in key.document_number:
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "birthDateField"))
    for digit in birth or printed_date(key.date_of_birth, birth=True):
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    # A complete date of birth moves on to the expiry date by itself.
    for digit in printed_date(key.date_of_expiry, birth=False):
        tap(qtbot, find(kiosk, f"digit_{digit}"))


def wait_for_page(qtbot: QtBot, screen: IdentifyScreen, page_name: str) -> None:
    page = getattr(screen, page_name)
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is page, timeout=15_000)


def shoot(kiosk: Kiosk, name: str) -> None:
    kiosk.window.grab().save(str(SHOTS / f"identify-{name}.png"), "PNG")


def test_identify_with_passport_number_and_dates(qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument) -> None:
    screen = open_identify(qtbot, kiosk)
    shoot(kiosk, "place")
    type_details(qtbot, kiosk, document.specimen.access_key)
    assert find(kiosk, "birthDateField").property("text") == "14-03-1985"
    shoot(kiosk, "entry")
    tap(qtbot, find(kiosk, "mrzSubmit"))
    wait_for_page(qtbot, screen, "confirm_page")
    shoot(kiosk, "confirm")
    assert find(kiosk, "confirmTitle").text() == "Bent u Anna Maria?"
    photo = find(kiosk, "chipPhoto")
    assert isinstance(photo, QLabel) and not photo.pixmap().isNull()
    assert photo.pixmap().height() >= 480, "the chip photo is shown large (decoded from JPEG 2000)"
    assert find(kiosk, "authenticityNote").text() == "✓ Echt document"
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.identity is None, "not before 'yes'"

    tap(qtbot, find(kiosk, "identifyYes"))
    identity = kiosk.machine.citizen.identity
    assert isinstance(identity, idn.VerifiedIdentity)
    assert (identity.given_names, identity.surname) == ("ANNA MARIA", "DE TESTER")
    assert identity.document_number == document.specimen.access_key.document_number
    assert identity.date_of_birth == dt.date(1985, 3, 14)
    assert identity.authenticity is AuthenticityStatus.VERIFIED
    assert identity.photo is not None and len(identity.photo) > 1000
    assert "ANNA" not in repr(identity) and "SPECI" not in repr(identity)
    assert find(kiosk, "takeDocument").text() == "Neem uw document van de lezer."
    shoot(kiosk, "done")

    # The identity outlives the task (a video call needs it) but not the session.
    tap(qtbot, find(kiosk, "identifiedMenu"))
    assert kiosk.machine.phase is Phase.MENU and kiosk.machine.citizen.identity is identity
    tap(qtbot, find(kiosk, "stopButton"))
    tap(qtbot, find(kiosk, "goodbyeNext"))
    assert kiosk.machine.citizen is None


@pytest.mark.parametrize("document_options", [{"kind": "id-card", "access": "pace"}])
def test_id_card_with_its_card_access_number(qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument) -> None:
    screen = open_identify(qtbot, kiosk)
    tap(qtbot, find(kiosk, "chooseCan"))
    tap(qtbot, find(kiosk, "canSubmit"))
    assert find(kiosk, "canProblem").text() == "Typ alle 6 cijfers van het nummer op de voorkant van uw kaart."
    for digit in document.specimen.can:
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    assert not find(kiosk, "canField").isHidden() and screen.can_problem.isHidden()
    shoot(kiosk, "can")
    tap(qtbot, find(kiosk, "canSubmit"))
    wait_for_page(qtbot, screen, "confirm_page")
    assert find(kiosk, "confirmTitle").text() == "Bent u Jan?"
    tap(qtbot, find(kiosk, "identifyYes"))
    assert kiosk.machine.citizen is not None
    assert isinstance(kiosk.machine.citizen.identity, idn.VerifiedIdentity)
    assert kiosk.machine.citizen.identity.access_control == "PACE"


def test_wrong_dates_are_explained_and_what_was_typed_stays(
    qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument
) -> None:
    screen = open_identify(qtbot, kiosk)
    type_details(qtbot, kiosk, document.specimen.access_key, birth="15031985")
    tap(qtbot, find(kiosk, "mrzSubmit"))
    wait_for_page(qtbot, screen, "mrz_page")
    qtbot.waitUntil(lambda: not screen.entry_problem.isHidden(), timeout=15_000)
    assert (
        find(kiosk, "entryProblem")
        .text()
        .startswith("De gegevens passen niet bij dit document. Kijk ze na en probeer het opnieuw.")
    )
    shoot(kiosk, "access-denied")
    number = find(kiosk, "documentNumberField")
    assert isinstance(number, QLineEdit) and number.text() == document.specimen.access_key.document_number
    assert find(kiosk, "birthDateField").property("text") == "15-03-1985"
    # Correct the day only: erase the year, month and day back to it, retype.
    tap(qtbot, find(kiosk, "birthDateField"))
    for _ in range(8):
        tap(qtbot, find(kiosk, "digit_backspace"))
    for digit in "14031985":
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    tap(qtbot, find(kiosk, "mrzSubmit"))
    wait_for_page(qtbot, screen, "confirm_page")


def test_each_field_says_what_is_missing(qtbot: QtBot, kiosk: Kiosk) -> None:
    screen = open_identify(qtbot, kiosk)
    tap(qtbot, find(kiosk, "chooseMrz"))
    for char in "AB1":
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "birthDateField"))
    for digit in "3102":
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    tap(qtbot, find(kiosk, "mrzSubmit"))
    assert screen.pages.currentWidget() is screen.mrz_page
    assert find(kiosk, "numberProblem").text().startswith("Dit nummer is te kort.")
    assert find(kiosk, "birthProblem").text() == "Typ dag, maand en jaar: 8 cijfers, bijvoorbeeld 14-03-1985."
    assert find(kiosk, "expiryProblem").text() == "Typ de datum 'geldig tot'."
    assert screen.code_keyboard.isVisible(), "the first field with a problem is where typing goes"
    tap(qtbot, find(kiosk, "birthDateField"))
    for digit in "2000":
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    tap(qtbot, find(kiosk, "mrzSubmit"))
    assert find(kiosk, "birthProblem").text() == "Deze datum bestaat niet. Kijk de dag en de maand na."
    shoot(kiosk, "entry-problems")
    assert find(kiosk, "documentNumberField").property("text") == "AB1", "nothing typed is lost"
    assert find(kiosk, "birthDateField").property("text") == "31-02-2000"


@pytest.mark.parametrize("document_options", [{"kind": "passport", "misbehaviours": ["pulled_mid_read"]}])
def test_document_pulled_away_while_reading(qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument) -> None:
    screen = open_identify(qtbot, kiosk)
    type_details(qtbot, kiosk, document.specimen.access_key)
    tap(qtbot, find(kiosk, "mrzSubmit"))
    wait_for_page(qtbot, screen, "problem_page")
    assert find(kiosk, "problemMessage").text() == "Het document werd weggehaald. Leg het terug en probeer opnieuw."
    assert find(kiosk, "identifyRetry").isVisible()
    shoot(kiosk, "removed")
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.identity is None


@pytest.mark.parametrize("document_options", [{"kind": "passport", "tamper_data_group": 2}])
def test_tampered_document_is_not_confirmed(qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument) -> None:
    screen = open_identify(qtbot, kiosk)
    type_details(qtbot, kiosk, document.specimen.access_key)
    tap(qtbot, find(kiosk, "mrzSubmit"))
    wait_for_page(qtbot, screen, "confirm_page")
    shoot(kiosk, "failed")
    assert find(kiosk, "authenticityProblem").text() == (
        "Dit document kon niet worden gecontroleerd — een medewerker helpt u."
    )
    assert not screen.yes_button.isVisible()
    tap(qtbot, find(kiosk, "confirmTalk"))
    assert kiosk.machine.phase is Phase.HELP
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.identity is None


def test_not_me_offers_to_try_again_or_talk_to_a_person(qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument) -> None:
    screen = open_identify(qtbot, kiosk)
    type_details(qtbot, kiosk, document.specimen.access_key)
    tap(qtbot, find(kiosk, "mrzSubmit"))
    wait_for_page(qtbot, screen, "confirm_page")
    tap(qtbot, find(kiosk, "identifyNo"))
    assert find(kiosk, "problemTalk").isVisible()
    assert screen.photo.pixmap().isNull(), "the photo goes when the citizen says it is not them"
    tap(qtbot, find(kiosk, "identifyRetry"))
    assert screen.pages.currentWidget() is screen.place_page
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.identity is None


def test_the_reading_page_speaks_and_shows_progress(qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument) -> None:
    kiosk.machine.start()
    kiosk.machine.set_preferences(speech=True)
    tap(qtbot, find(kiosk, "tile_identify"))
    speech = kiosk.drivers.speech
    assert speech.utterances[-1].text.startswith("Leg uw paspoort of identiteitskaart op de lezer.")  # type: ignore[attr-defined]
    screen = screen_of(kiosk)
    type_details(qtbot, kiosk, document.specimen.access_key)
    tap(qtbot, find(kiosk, "mrzSubmit"))
    assert screen.pages.currentWidget() is screen.reading_page
    assert find(kiosk, "holdStill").text() == "Houd het document stil op de lezer."
    assert screen.step_label.text() == "Toegang tot de chip…"
    wait_for_page(qtbot, screen, "confirm_page")
    assert screen.progress.value() == 100
    assert any("Bent u Anna Maria?" in u.text for u in speech.utterances)  # type: ignore[attr-defined]


class TestWithoutReader:
    @pytest.fixture
    def kiosk(self, qtbot: QtBot, clock: FakeClock) -> Iterator[Kiosk]:
        config = parse_config({"hardware": {"cardreader": {"driver": "none"}}})
        built = build_kiosk(config, clock=clock, health_interval=3600)
        built.window.show()
        qtbot.waitUntil(lambda: bool(built.controller.health), timeout=5000)
        yield built
        built.close()

    def test_identify_is_unavailable(self, qtbot: QtBot, kiosk: Kiosk) -> None:
        tap(qtbot, find(kiosk, "startButton"))
        assert not find(kiosk, "tile_identify").isEnabled()
        assert "de kaartlezer werkt niet" in find(kiosk, "tileNote_identify").text()


# -- the service and the plain logic, without screens -----------------------------------------


def test_service_reports_no_document_and_stops_cleanly(qtbot: QtBot) -> None:
    service = IdentityService(SimulatedCardReader(), TrustStore.empty(), card_wait_seconds=0.4)
    try:
        job = service.prepare()
        with qtbot.waitSignal(job.finished, timeout=5000) as finished:
            service.start(job, MrzKey("SPECI2026", "850314", "310313"))
        assert finished.args is not None and finished.args[0].kind is idn.ReadResult.NO_DOCUMENT
        waiting = service.prepare()
        service.start(waiting, MrzKey("SPECI2026", "850314", "310313"))  # still waiting when closed
    finally:
        service.close()
    assert waiting.cancelled


@pytest.mark.parametrize("document_options", [{"kind": "passport", "access": "bac"}])
def test_service_reads_on_its_own_thread(qtbot: QtBot, document: VirtualDocument) -> None:
    reader = SimulatedCardReader()
    reader.insert(document.chip)
    service = IdentityService(reader, TrustStore.empty())
    try:
        job = service.prepare()
        steps: list[object] = []
        job.progress.connect(lambda step, fraction: steps.append(step))
        with qtbot.waitSignal(job.finished, timeout=15_000) as finished:
            service.start(job, document.specimen.access_key)
    finally:
        service.close()
    assert finished.args is not None
    outcome = finished.args[0]
    assert outcome.kind is idn.ReadResult.READ and outcome.identity.access_control == "BAC"
    assert outcome.identity.authenticity is AuthenticityStatus.NOT_VERIFIABLE, "an empty trust store vouches for none"
    assert outcome.portrait is not None and (outcome.portrait.width, outcome.portrait.height) == (360, 480)
    assert steps, "progress arrives while reading"
    assert "ANNA" not in repr(outcome)


def test_typed_dates_become_the_mrz_key() -> None:
    assert idn.mrz_key("speci2026", "14031985", "13032031") == MrzKey("SPECI2026", "850314", "310313")
    today = dt.date(2025, 6, 1)
    assert idn.date_problem("01012030", birth=True, today=today) == "The date of birth cannot be in the future."
    assert idn.date_problem("01011980", birth=False, today=today, born=dt.date(1985, 1, 1)) is not None
    assert idn.date_problem("01011990", birth=False, today=today, born=dt.date(1985, 1, 1)) is None
    assert idn.can_problem("12345") is not None and idn.can_problem("123456") is None


@pytest.mark.parametrize("large_text", [False, True])
def test_entry_with_every_problem_still_fits(qtbot: QtBot, kiosk: Kiosk, large_text: bool) -> None:
    kiosk.machine.start()
    kiosk.machine.set_preferences(large_text=large_text)
    tap(qtbot, find(kiosk, "tile_identify"))
    tap(qtbot, find(kiosk, "chooseMrz"))
    tap(qtbot, find(kiosk, "mrzSubmit"))
    screen = screen_of(kiosk)
    QCoreApplication.processEvents()
    shoot(kiosk, f"entry-problems-{'large' if large_text else 'standard'}")
    assert kiosk.window.height() == 1920, "the page does not push the window past the screen"
    for key in screen.code_keyboard.keys.values():
        assert key.height() >= 48, f"{key.objectName()} is squeezed to {key.height()} px"
    bottom = screen.mrz_submit.mapTo(kiosk.window, screen.mrz_submit.rect().bottomLeft()).y()
    assert bottom <= kiosk.window.help_button.mapTo(kiosk.window, kiosk.window.help_button.rect().topLeft()).y()


class SlowChip:
    """The virtual chip behind a slow contactless link, so the reading page can be seen mid-read."""

    def __init__(self, chip: Any, delay: float) -> None:
        self.chip, self.delay = chip, delay

    @property
    def atr(self) -> bytes:
        return bytes(self.chip.atr)

    def process_apdu(self, apdu: bytes) -> bytes:
        import time

        time.sleep(self.delay)
        return bytes(self.chip.process_apdu(apdu))


def test_progress_moves_step_by_step_while_the_chip_is_read(
    qtbot: QtBot, kiosk: Kiosk, document: VirtualDocument
) -> None:
    reader = kiosk.drivers.cardreader
    assert isinstance(reader, SimulatedCardReader)
    reader.insert(SlowChip(document.chip, 0.05))
    open_identify(qtbot, kiosk)
    screen = screen_of(kiosk)
    type_details(qtbot, kiosk, document.specimen.access_key)
    tap(qtbot, find(kiosk, "mrzSubmit"))
    seen: list[tuple[int, str]] = []

    def photo_step_shown() -> bool:
        seen.append((screen.progress.value(), screen.step_label.text()))
        return screen.step_label.text() == "Uw foto lezen…"

    qtbot.waitUntil(photo_step_shown, timeout=15_000)
    assert 0 < screen.progress.value() < 100
    shoot(kiosk, "reading")
    wait_for_page(qtbot, screen, "confirm_page")
    values = [value for value, _ in seen]
    assert values == sorted(values), "the progress bar never goes back"
    assert seen[0][1] == "Toegang tot de chip…"
