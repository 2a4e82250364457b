"""When no conversation takes place, or it breaks off: the citizen is told why, plainly, and what else to do.

Against a real backoffice (tests/live_backoffice.py); the network is cut with its CuttableProxy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.call import CallScreen
from kiosk.ui.screens.ticket import TicketScreen
from tests.live_backoffice import CuttableProxy, LiveBackoffice
from tests.ui.call_kiosk import (  # noqa: F401  (fixtures, registered under their short names)
    backoffice_fixture,
    call_config_fixture,
    caseworker_fixture,
    config_fixture,
    device_token_fixture,
    document_fixture,
    flow,
    kiosk_fixture,
    shoot,
    shown,
)
from tests.ui.caseworker_peer import Caseworker
from tests.ui.conftest import find, tap

WAIT = 20_000


def test_nobody_on_duty_offers_a_number_and_the_counter(qtbot: QtBot, kiosk: Kiosk) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
    assert find(kiosk, "afterCallTitle").text() == "Er kan nu niemand opnemen"
    assert find(kiosk, "afterCallText").text() == "Er is nu geen medewerker die kan videobellen."
    assert "balie met het bord 'Informatie'" in find(kiosk, "afterCallCounter").text()
    assert not shown(kiosk, "callAgain"), "calling again would end the same way"
    assert find(kiosk, "afterCallTicket").accessibleName() == "Een nummer trekken"
    shoot(kiosk, "11-nobody")
    tap(qtbot, find(kiosk, "afterCallTicket"))
    assert kiosk.machine.phase is Phase.TASK
    assert isinstance(kiosk.window.current_screen, TicketScreen)


def test_outside_opening_hours_no_call_is_placed(qtbot: QtBot, kiosk: Kiosk) -> None:
    flow(kiosk).now = lambda: dt.datetime(2025, 3, 8, 11, 0)  # a Saturday: closed by the default hours
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    assert kiosk.machine.phase is Phase.AFTER_CALL
    assert flow(kiosk).service.attempt == 0, "nobody was called"
    assert find(kiosk, "afterCallTitle").text() == "We zijn nu gesloten"
    assert find(kiosk, "afterCallHoursTitle").text() == "Openingstijden"
    screen = kiosk.window.current_screen
    texts = [widget.text() for _day, day, hours in screen.hour_rows for widget in (day, hours)]  # type: ignore[attr-defined]
    assert texts[:2] == ["Maandag", "09:00 tot 17:00 uur"] and texts[-2:] == ["Zondag", "gesloten"]
    assert not shown(kiosk, "afterCallHours"), "the hours are on this screen already"
    shoot(kiosk, "12-closed")
    tap(qtbot, find(kiosk, "afterCallStop"))
    assert kiosk.machine.phase is Phase.GOODBYE


@pytest.fixture
def proxy(backoffice: LiveBackoffice) -> Iterator[CuttableProxy]:
    cuttable = CuttableProxy(backoffice.port)
    try:
        yield cuttable
    finally:
        cuttable.close()


@pytest.fixture
def through_proxy(call_config: dict[str, Any], proxy: CuttableProxy) -> None:
    call_config["backoffice"]["url"] = proxy.url


def test_a_lost_connection_offers_to_call_again_first_in_line(
    through_proxy: None, qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker, proxy: CuttableProxy
) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    first = caseworker.answer_ringing_call()
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.IN_CALL, timeout=WAIT)
    screen = kiosk.window.current_screen
    assert isinstance(screen, CallScreen)
    qtbot.waitUntil(lambda: screen.remote_view.frames_shown > 0, timeout=WAIT)

    proxy.cut()
    reconnecting = "De verbinding is weg. We proberen opnieuw te verbinden…"
    qtbot.waitUntil(lambda: find(kiosk, "callTitle").text() == reconnecting, timeout=WAIT)
    assert kiosk.machine.phase is Phase.IN_CALL, "still the same call while it is repaired"
    shoot(kiosk, "13-reconnecting")
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
    assert find(kiosk, "afterCallTitle").text() == "De verbinding is verbroken"
    again_button = find(kiosk, "callAgain")
    assert again_button.accessibleName() == "Opnieuw bellen"
    assert again_button.accessibleDescription() == "U bent als eerste aan de beurt"
    assert not shown(kiosk, "feedbackTitle"), "no questions about a call that broke off"
    shoot(kiosk, "14-call-again")

    proxy.mend()
    ended = caseworker.wait_for("call.ended", lambda m: m["call_id"] == first, timeout=30)
    assert ended["reason"] == "kiosk_gone"
    mark = caseworker.mark()
    tap(qtbot, find(kiosk, "callAgain"))
    assert kiosk.machine.phase is Phase.CALLING
    again = caseworker.wait_for("call.ringing", since=mark)
    assert again["call_id"] != first
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.call is not None
    assert kiosk.machine.citizen.call.again_of == first
    caseworker.send({"type": "call.answer", "call_id": again["call_id"]})
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.IN_CALL, timeout=WAIT)
    caseworker.send({"type": "call.end"})
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
    assert find(kiosk, "feedbackTitle").isVisible()
