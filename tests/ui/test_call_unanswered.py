"""Nobody answers in time: the wait ends with an apology and what else the citizen can do.

A backoffice of its own, whose calls go unanswered after 2 seconds (BALIE_CALL_UNANSWERED_SECONDS).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from tests.live_backoffice import LiveBackoffice
from tests.ui.call_kiosk import (  # noqa: F401  (fixtures, registered under their short names)
    call_config_fixture,
    caseworker_fixture,
    config_fixture,
    device_token_fixture,
    document_fixture,
    kiosk_fixture,
    shoot,
    shown,
)
from tests.ui.caseworker_peer import Caseworker, add_caseworker
from tests.ui.conftest import find, tap


@pytest.fixture(scope="module", name="backoffice")
def slow_backoffice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    folder = tmp_path_factory.mktemp("unanswered")
    service = LiveBackoffice(folder)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("BALIE_CALL_UNANSWERED_SECONDS", "2")
        service.start()
    add_caseworker(service, "carla", folder)
    try:
        yield service
    finally:
        service.stop()


def test_an_unanswered_call_apologises_and_offers_alternatives(
    qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker
) -> None:
    caseworker.send({"type": "status.set", "status": "busy"})  # signed in, but not taking calls
    caseworker.wait_for("status", lambda m: m["status"] == "busy")
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    qtbot.waitUntil(lambda: find(kiosk, "callWaitingTitle").text() == "U bent de eerste in de rij", timeout=10_000)
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=10_000)
    assert find(kiosk, "afterCallTitle").text() == "Niemand kon opnemen"
    assert find(kiosk, "afterCallText").text() == "Alle medewerkers zijn bezig. Sorry dat u moest wachten."
    assert shown(kiosk, "afterCallTicket") and shown(kiosk, "afterCallHours")
    shoot(kiosk, "15-unanswered")
    tap(qtbot, find(kiosk, "afterCallHours"))
    assert kiosk.machine.phase is Phase.TASK
