"""The counter device driven from a desk (played on loopback) and by a citizen's taps: the welcome and
pairing code, the chip read through APDUs to the virtual card, the summary, the receipt in the printer
simulator, the feedback, "I don't understand" and "No", an outage, and the wipe at the end."""

from __future__ import annotations

import base64

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from drivers.cardreader.emrtd.factory import VirtualDocument
from kiosk.ui.counter.app import Counter, build_counter
from tests.counter.desk_server import CODE, DeskServer
from tests.ui.conftest import tap
from tests.ui.counter_device import arrived, counter_config, shoot, shows, visible
from tests.ui.counter_device import counter as counter
from tests.ui.counter_device import desk as desk
from tests.ui.counter_device import id_card as id_card

SUMMARY = {
    "type": "summary",
    "id": "s1",
    "title": "Uw verhuizing",
    "lines": [{"label": "Nieuw adres", "value": "Markt 1, 1234 AB Voorbeeld"}, {"label": "Per", "value": "1 december"}],
}


def text(counter: Counter, name: str) -> str:
    widget = visible(counter, name)
    assert isinstance(widget, QLabel)
    return widget.text()


def wait_paired(qtbot: QtBot, counter: Counter) -> None:
    qtbot.waitUntil(lambda: text(counter, "welcomeStatus") == "De medewerker helpt u.", timeout=10_000)


def test_pairing_code_is_shown_large_until_a_caseworker_enters_it(qtbot: QtBot, desk: DeskServer) -> None:
    desk.paired = False
    counter = build_counter(counter_config(desk), backoff=(0.05,))
    try:
        counter.window.show()
        qtbot.waitUntil(lambda: shows(counter, "pairingCode"), timeout=10_000)
        assert text(counter, "pairingCaption") == "Koppelcode"
        assert text(counter, "pairingCode") == CODE
        assert "baliepagina" in text(counter, "pairingHint")
        assert text(counter, "welcomeGreeting") == "Welkom"
        assert text(counter, "welcomeMunicipality") == counter.window.services.config.device.municipality
        shoot(counter, "pairing")
        assert not shows(counter, "counterHelp")  # nothing is asked of anyone yet
        desk.pair()
        wait_paired(qtbot, counter)
        assert not shows(counter, "pairingCode")
        shoot(counter, "welcome")
    finally:
        counter.close()


def test_identify_reads_the_virtual_chip_and_the_desk_gets_the_identity(
    qtbot: QtBot, counter: Counter, desk: DeskServer, id_card: VirtualDocument
) -> None:
    wait_paired(qtbot, counter)
    desk.send({"type": "identify", "id": "i1"})
    qtbot.waitUntil(lambda: shows(counter, "callIdCan"), timeout=5000)
    shoot(counter, "identify")
    tap(qtbot, visible(counter, "callIdCan"))
    for digit in id_card.specimen.can:
        tap(qtbot, visible(counter, f"digit_{digit}"))
    shoot(counter, "identify-can")
    tap(qtbot, visible(counter, "callCanSubmit"))
    identity = arrived(qtbot, desk, "identity", timeout=30)
    assert identity["id"] == "i1"
    assert identity["document"]["document_number"] == id_card.specimen.access_key.document_number
    assert identity["verdict"] == identity["authenticity"] == "verified"
    assert identity["photo"].startswith("data:image/jpeg;base64,")
    qtbot.waitUntil(lambda: shows(counter, "counterMessage"), timeout=5000)
    assert counter.window.step is None  # the read is handed on and not kept here


def test_identify_with_the_can_from_the_desk_starts_reading_at_once(
    qtbot: QtBot, counter: Counter, desk: DeskServer, id_card: VirtualDocument
) -> None:
    wait_paired(qtbot, counter)
    desk.send({"type": "identify", "id": "i2", "can": id_card.specimen.can})
    identity = arrived(qtbot, desk, "identity", timeout=30)
    assert identity["document"]["document_number"] == id_card.specimen.access_key.document_number
    assert identity["id"] == "i2"


def test_summary_is_shown_large_spoken_and_confirmed_by_a_tap(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send(SUMMARY)
    qtbot.waitUntil(lambda: shows(counter, "summaryCorrect"), timeout=5000)
    assert text(counter, "summaryTitle") == "Uw verhuizing"
    labels = [w.text() for w in counter.window.findChildren(QLabel) if w.isVisible()]
    assert "Markt 1, 1234 AB Voorbeeld" in labels and "1 december" in labels
    assert visible(counter, "summaryCorrect").text() == "Klopt"  # type: ignore[attr-defined]
    assert visible(counter, "summaryWrong").text() == "Klopt niet"  # type: ignore[attr-defined]
    spoken = counter.drivers.speech.utterances  # type: ignore[attr-defined]
    assert spoken and "Markt 1, 1234 AB Voorbeeld" in spoken[-1].text and spoken[-1].language == "nl"
    shoot(counter, "summary")
    tap(qtbot, visible(counter, "summaryCorrect"))
    assert arrived(qtbot, desk, "summary_answer") == {"type": "summary_answer", "id": "s1", "correct": True}
    assert text(counter, "counterMessage") == "Dank u. De medewerker heeft uw antwoord."
    shoot(counter, "thanks")


def test_summary_in_english_and_not_correct(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send(SUMMARY)
    qtbot.waitUntil(lambda: shows(counter, "summaryWrong"), timeout=5000)
    tap(qtbot, visible(counter, "counterLanguage"))
    assert visible(counter, "summaryWrong").text() == "Not correct"  # type: ignore[attr-defined]
    assert visible(counter, "counterHelp").text() == "I don't understand"  # type: ignore[attr-defined]
    tap(qtbot, visible(counter, "summaryWrong"))
    assert arrived(qtbot, desk, "summary_answer")["correct"] is False


def test_print_a_receipt_on_the_desk_printer(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    simulator = counter.drivers.printer.simulator  # type: ignore[attr-defined]
    receipt = {"title": "Afspraak", "lines": ["Dinsdag 2 december 10:00", "Neem uw paspoort mee"]}
    desk.send({"type": "print", "id": "p1", "receipt": receipt})
    printed = arrived(qtbot, desk, "printed", timeout=15)
    assert printed == {"type": "printed", "id": "p1", "ok": True, "detail": ""}
    assert simulator.wait_for_receipts(1, timeout=5)
    texts = [line.text for line in simulator.receipts[-1].lines]
    assert "Afspraak" in texts and "Dinsdag 2 december 10:00" in texts and "Neem uw paspoort mee" in texts
    assert counter.window.services.config.device.municipality in texts
    assert simulator.receipts[-1].cuts
    qtbot.waitUntil(lambda: text(counter, "counterMessage") == "Pak uw papier uit de printer.", timeout=5000)


def test_print_a_pdf_on_the_desk_printer(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    from tests.test_pdf_printing import a4_pdf

    wait_paired(qtbot, counter)
    simulator = counter.drivers.printer.simulator  # type: ignore[attr-defined]
    desk.send({"type": "print", "id": "p2", "pdf_base64": base64.b64encode(a4_pdf()).decode()})
    assert arrived(qtbot, desk, "printed", timeout=30)["ok"] is True
    assert simulator.wait_for_receipts(1, timeout=5)
    assert simulator.receipts[-1].images >= 1


def test_a_broken_pdf_is_told_to_the_desk(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send({"type": "print", "id": "p3", "pdf_base64": base64.b64encode(b"%PDF-1.4 broken").decode()})
    printed = arrived(qtbot, desk, "printed", timeout=15)
    assert printed["ok"] is False and printed["detail"].startswith("the PDF cannot be printed")
    qtbot.waitUntil(lambda: shows(counter, "counterMessage"), timeout=5000)
    assert text(counter, "counterMessage") == "De printer werkt nu niet. De medewerker weet het."


def test_feedback_by_tapping_two_faces(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send({"type": "feedback", "id": "f1"})
    qtbot.waitUntil(lambda: shows(counter, "feedback_4"), timeout=5000)
    shoot(counter, "feedback")
    tap(qtbot, visible(counter, "feedback_4"))
    tap(qtbot, visible(counter, "wellbeing_okay"))
    assert arrived(qtbot, desk, "feedback") == {
        "type": "feedback",
        "id": "f1",
        "how_did_it_go": 4,
        "how_are_you": "okay",
    }


def test_i_dont_understand_alerts_the_desk_and_no_declines(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send({"type": "signature", "id": "g1", "purpose": "Aanvraag identiteitskaart"})
    qtbot.waitUntil(lambda: shows(counter, "counterHelp"), timeout=5000)
    tap(qtbot, visible(counter, "counterHelp"))
    assert arrived(qtbot, desk, "help") == {"type": "help", "id": "g1"}
    assert text(counter, "counterHelpNotice") == "De medewerker weet het. Hij of zij legt het uit."
    assert shows(counter, "signaturePad")  # still asked: the caseworker explains, the citizen goes on
    tap(qtbot, visible(counter, "counterDecline"))
    assert arrived(qtbot, desk, "declined") == {"type": "declined", "id": "g1"}
    assert text(counter, "counterMessage") == "De medewerker weet dat u dit liever niet doet."
    assert not shows(counter, "counterHelp")


def test_welcome_wipes_everything_about_the_citizen(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send(SUMMARY)
    qtbot.waitUntil(lambda: shows(counter, "summaryCorrect"), timeout=5000)
    tap(qtbot, visible(counter, "counterLanguage"))  # the citizen chose English
    desk.send({"type": "welcome", "id": "w1"})
    qtbot.waitUntil(lambda: shows(counter, "welcomeGreeting"), timeout=5000)
    assert counter.window.step is None
    assert counter.window.findChildren(QLabel, "summaryTitle") == []  # the widgets are gone, not hidden
    assert not any("Markt 1" in w.text() for w in counter.window.findChildren(QLabel))
    assert counter.drivers.speech.utterances == []  # type: ignore[attr-defined]
    assert text(counter, "welcomeGreeting") == "Welkom"  # the next citizen starts in Dutch


def test_an_outage_keeps_the_answer_and_sends_it_when_the_desk_is_back(
    qtbot: QtBot, counter: Counter, desk: DeskServer
) -> None:
    wait_paired(qtbot, counter)
    desk.send(SUMMARY)
    qtbot.waitUntil(lambda: shows(counter, "summaryCorrect"), timeout=5000)
    desk.cut()
    qtbot.waitUntil(lambda: shows(counter, "counterOffline"), timeout=5000)
    assert text(counter, "counterOffline") == "Een moment, de verbinding met de balie wordt hersteld"
    shoot(counter, "offline")
    tap(qtbot, visible(counter, "summaryCorrect"))
    desk.restore()
    assert arrived(qtbot, desk, "summary_answer")["correct"] is True
    qtbot.waitUntil(lambda: not shows(counter, "counterOffline"), timeout=5000)


def test_an_outage_longer_than_the_grace_wipes_the_citizen(qtbot: QtBot, counter: Counter, desk: DeskServer) -> None:
    wait_paired(qtbot, counter)
    desk.send(SUMMARY)
    qtbot.waitUntil(lambda: shows(counter, "summaryCorrect"), timeout=5000)
    desk.cut()
    qtbot.waitUntil(lambda: shows(counter, "welcomeGreeting"), timeout=10_000)  # grace: 2 s in this test
    assert counter.window.step is None
    assert not any("Markt 1" in w.text() for w in counter.window.findChildren(QLabel))
