"""Citizens check in at kiosks that ask a real backoffice (`balie backoffice serve` behind a cuttable
network): once per code across kiosks, the kiosk's own list when the backoffice is gone, and a screen
that stays alive and takes no second code while it waits."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from kiosk.config import parse_config
from kiosk.ui.app import Kiosk, open_shell
from kiosk.ui.screens.checkin import CheckinScreen
from tests.conftest import FakeClock
from tests.live_backoffice import CuttableProxy, LiveBackoffice
from tests.live_counter import enroll, import_appointments, in_minutes, rows
from tests.ui.conftest import find, tap

# Invented people: R8WX-3KTB and F4KD-9MWZ only at the backoffice; M4TR-2WBE (Joris) is in the demo list too.
TWO_KIOSKS, SLOW, DEMO, IN_ENGLISH = "R8WX3KTB", "F4KD9MWZ", "M4TR2WBE", "P3VN6HXC"
LOCATION = "Bibliotheek Oost"


@pytest.fixture(scope="module")
def backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    service = LiveBackoffice(tmp_path_factory.mktemp("backoffice"))
    service.start()
    service.enrollment_code(LOCATION)  # creates the location the agenda is for
    import_appointments(
        service,
        tmp_path_factory.mktemp("agenda"),
        [
            {"code": TWO_KIOSKS, "start": in_minutes(5), "topic": "Rijbewijs ophalen", "first_name": "Noor"},
            {"code": SLOW, "start": in_minutes(5), "topic": "Paspoort ophalen", "first_name": "Amira"},
            {"code": IN_ENGLISH, "start": in_minutes(5), "topic": "Paspoort ophalen", "first_name": "Sam"},
        ],
        LOCATION,
    )
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture
def proxy(backoffice: LiveBackoffice) -> Iterator[CuttableProxy]:
    network = CuttableProxy(backoffice.port)
    yield network
    network.close()


KioskFactory = Callable[[str], Kiosk]


@pytest.fixture
def make_kiosk(
    qtbot: QtBot,
    clock: FakeClock,
    backoffice: LiveBackoffice,
    proxy: CuttableProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[KioskFactory]:
    """A kiosk enrolled at the backoffice as a technician would set it up, reached through `proxy`."""
    monkeypatch.setenv("BALIE_DATA", str(tmp_path))
    built: list[Kiosk] = []

    def make(name: str) -> Kiosk:
        config = parse_config(
            {
                "hardware": {"camera": {"driver": "none"}},  # typing: the QR path is tested in test_qr_checkin
                "queue": {"prefix": name[-1].upper()},
                "backoffice": {
                    "url": proxy.url,
                    "token": enroll(backoffice, name, LOCATION),
                    "outbox": str(tmp_path / f"{name}-outbox.db"),
                },
            }
        )
        kiosk = open_shell(config, clock=clock).complete(health_interval=3600, reporting=True)
        built.append(kiosk)
        kiosk.window.show()
        qtbot.waitExposed(kiosk.window)
        qtbot.waitUntil(lambda: kiosk.reporting is not None and bool(kiosk.controller.health), timeout=30_000)
        return kiosk

    yield make
    for kiosk in built:
        kiosk.close()


def type_code(qtbot: QtBot, kiosk: Kiosk, code: str) -> CheckinScreen:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_checkin"))
    screen = kiosk.window.current_screen
    assert isinstance(screen, CheckinScreen) and screen.pages.currentWidget() is screen.entry_page
    for char in code:
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "checkinSubmit"))
    return screen


def test_a_code_checked_in_at_one_kiosk_is_refused_at_the_next(qtbot: QtBot, make_kiosk: KioskFactory) -> None:
    hall, library = make_kiosk("kiosk-a"), make_kiosk("kiosk-b")
    type_code(qtbot, hall, TWO_KIOSKS)
    # Noor is not in the kiosk's own (demo) list: this greeting can only come from the backoffice.
    qtbot.waitUntil(lambda: find(hall, "checkinGreeting").text() == "Welkom, Noor. U bent aangemeld.", timeout=10_000)
    assert find(hall, "checkinWhere").text() == "Neem plaats in de wachtruimte. U wordt geroepen."
    simulator = hall.drivers.printer.simulator  # type: ignore[attr-defined]
    assert simulator.wait_for_receipts(1, timeout=5)
    texts = [line.text for line in simulator.receipts[0].lines]
    assert "U bent aangemeld" in texts and "Rijbewijs ophalen" in texts
    assert not any("Noor" in text or text.startswith("Wacht in") for text in texts)

    screen = type_code(qtbot, library, TWO_KIOSKS)  # the same letter, forwarded, at the next kiosk
    qtbot.waitUntil(lambda: find(library, "checkinSubmit").isEnabled(), timeout=10_000)
    assert "U bent al aangemeld met deze code" in find(library, "checkinProblem").text()
    assert screen.greeting.text() == ""


def test_backoffice_gone_the_kiosks_own_list_checks_in(
    qtbot: QtBot, make_kiosk: KioskFactory, proxy: CuttableProxy
) -> None:
    kiosk = make_kiosk("kiosk-c")
    proxy.cut()  # the network goes down
    type_code(qtbot, kiosk, DEMO)
    qtbot.waitUntil(lambda: find(kiosk, "checkinGreeting").text() == "Welkom, Joris. U bent aangemeld.", timeout=10_000)
    assert "Wachtruimte A, begane grond" in find(kiosk, "checkinWhere").text()


def test_waiting_for_the_backoffice_the_screen_lives_and_takes_no_second_code(
    qtbot: QtBot, make_kiosk: KioskFactory
) -> None:
    kiosk = make_kiosk("kiosk-d")
    client = kiosk.reporting.client if kiosk.reporting is not None else None
    assert client is not None
    answer_held = threading.Event()
    asked: list[str] = []
    original = client.check_in_appointment

    def slow(code: str, request_id: str, language: str = "") -> dict[str, object]:
        asked.append(request_id)
        answer_held.wait(timeout=30)  # a backoffice that takes its time
        return original(code, request_id, language)

    client.check_in_appointment = slow  # type: ignore[method-assign]
    try:
        started = time.monotonic()
        screen = type_code(qtbot, kiosk, SLOW)
        assert time.monotonic() - started < 5, "the tap returned while the backoffice still holds the answer"
        busy = find(kiosk, "checkinBusy")
        assert busy.text() == "We zoeken uw afspraak op…" and find(kiosk, "checkinBusyBar").isVisible()
        for name in ("checkinSubmit", "taskBack", "key_A"):
            assert not find(kiosk, name).isEnabled(), f"{name} is not for tapping while the code is checked"
        assert find(kiosk, "talkToPerson").isEnabled(), "a person can always be asked for"
        qtbot.keyClick(find(kiosk, "codeField"), Qt.Key.Key_Return)  # Enter in the code field: still one check-in
        # The UI thread is free: its timers fire and it paints while the answer is out.
        ticked: list[bool] = []
        QTimer.singleShot(50, lambda: ticked.append(True))
        qtbot.waitUntil(lambda: bool(ticked), timeout=2000)
        assert not kiosk.window.grab().isNull() and busy.isVisible() and len(asked) == 1
    finally:
        answer_held.set()
    qtbot.waitUntil(lambda: find(kiosk, "checkinGreeting").text() == "Welkom, Amira. U bent aangemeld.", timeout=10_000)
    assert len(asked) == 1, "one check-in, however often it was asked"
    assert screen.pages.currentWidget() is screen.result_page
    assert not busy.isVisible() and find(kiosk, "checkinDone").isEnabled()


def test_the_embedded_default_checks_in_at_its_own_backoffice_also_after_a_restart(
    qtbot: QtBot, clock: FakeClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No backoffice in the config: the embedded one holds the kiosk's appointments, so a code used once
    stays used when the kiosk restarts (the kiosk's own list forgets that with the process)."""
    monkeypatch.setenv("BALIE_DATA", str(tmp_path))
    config = parse_config({"hardware": {"camera": {"driver": "none"}}})
    for attempt in range(2):
        kiosk = open_shell(config, clock=clock).complete(health_interval=3600, reporting=True)
        try:
            kiosk.window.show()
            qtbot.waitUntil(lambda k=kiosk: k.reporting is not None and bool(k.controller.health), timeout=60_000)
            screen = type_code(qtbot, kiosk, DEMO)
            qtbot.waitUntil(lambda s=screen: not s.busy.isVisible(), timeout=10_000)
            if attempt == 0:
                assert find(kiosk, "checkinGreeting").text() == "Welkom, Joris. U bent aangemeld."
                assert "Wachtruimte A, begane grond" in find(kiosk, "checkinWhere").text(), "from the kiosk's list"
            else:
                assert "U bent al aangemeld met deze code" in find(kiosk, "checkinProblem").text()
        finally:
            kiosk.close()
    stored = rows(tmp_path / "backoffice.db", "SELECT status FROM appointments WHERE code = ?", DEMO)
    assert stored == [("checked_in",)]


def test_the_citizens_language_goes_with_the_check_in(
    qtbot: QtBot, make_kiosk: KioskFactory, backoffice: LiveBackoffice
) -> None:
    kiosk = make_kiosk("kiosk-e")
    tap(qtbot, find(kiosk, "language_en"))  # straight to the menu, in English
    tap(qtbot, find(kiosk, "tile_checkin"))
    for char in IN_ENGLISH:
        tap(qtbot, find(kiosk, f"key_{char}"))
    tap(qtbot, find(kiosk, "checkinSubmit"))

    qtbot.waitUntil(lambda: find(kiosk, "checkinGreeting").text().startswith("Welcome, Sam"), timeout=10_000)
    # The display calls this citizen in English too (backoffice/DESK.md).
    sql = "SELECT status, language FROM appointments WHERE code = ?"
    assert rows(backoffice.database, sql, IN_ENGLISH) == [("checked_in", "en")]
