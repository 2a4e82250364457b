"""A citizen calls a caseworker with one tap, and the caseworker's requests happen on the kiosk's screen.

Against a real `balie backoffice serve`; the caseworker is a WebSocket client with an aiortc peer
(tests/ui/caseworker_peer.py), so pictures and sound flow over real WebRTC both ways.
"""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image, ImageDraw
from pytestqt.qtbot import QtBot

from drivers.camera.scenes import Placement, document_page
from drivers.cardreader.emrtd.factory import VirtualDocument
from kiosk.session import Phase
from kiosk.ui.app import Kiosk
from kiosk.ui.screens.call import CallScreen
from kiosk.ui.screens.call_waiting import WaitingScreen
from tests.conftest import FakeClock
from tests.live_backoffice import LiveBackoffice
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
    video_contact,
)
from tests.ui.caseworker_peer import Caseworker
from tests.ui.conftest import find, tap

WAIT = 20_000  # ms: a call's first picture on a loaded machine


def a_pdf() -> bytes:
    page = Image.new("L", (600, 400), 255)
    ImageDraw.Draw(page).rectangle((50, 50, 550, 150), fill=0)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=72.0)
    return buffer.getvalue()


def call_screen(kiosk: Kiosk) -> CallScreen:
    screen = kiosk.window.current_screen
    assert isinstance(screen, CallScreen)
    return screen


def connect(qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker) -> tuple[str, CallScreen]:
    """One tap, the caseworker answers, the caseworker's picture is on the screen."""
    mark = caseworker.mark()
    tap(qtbot, find(kiosk, "talkToPerson"))
    assert kiosk.machine.phase is Phase.CALLING
    call_id = caseworker.answer_ringing_call(since=mark)
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.IN_CALL, timeout=WAIT)
    screen = call_screen(kiosk)
    qtbot.waitUntil(lambda: screen.remote_view.frames_shown > 0, timeout=WAIT)
    return call_id, screen


def test_one_tap_call_with_the_caseworkers_requests_and_feedback(
    qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker, backoffice: LiveBackoffice, document: VirtualDocument
) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "tile_identify"))  # what the citizen was doing is the call's topic
    tap(qtbot, find(kiosk, "talkToPerson"))
    assert kiosk.machine.phase is Phase.CALLING
    assert not kiosk.window.help_bar.isVisible(), "on the line, 'talk to a person' is what happens"
    qtbot.waitUntil(lambda: find(kiosk, "callWaitingTitle").text() == "U bent de eerste in de rij", timeout=WAIT)
    assert find(kiosk, "callEstimate").text() == "Een medewerker neemt zo op."
    waiting = kiosk.window.current_screen
    assert isinstance(waiting, WaitingScreen)
    qtbot.waitUntil(lambda: waiting.self_view.frames_shown > 0, timeout=WAIT)
    assert find(kiosk, "callSelfCaption").text() == "Zo ziet de medewerker u."
    shoot(kiosk, "1-waiting")

    ringing = caseworker.wait_for("call.ringing")
    assert ringing["topic"] == "Identificeren"
    call_id = caseworker.answer_ringing_call()
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.IN_CALL, timeout=WAIT)
    screen = call_screen(kiosk)
    qtbot.waitUntil(lambda: screen.remote_view.frames_shown > 2, timeout=WAIT)
    assert find(kiosk, "callTitle").text() == "U praat met een medewerker."
    # The caseworker's picture arrives scaled to the view (off the UI thread), so painting it is a copy.
    view = screen.remote_view
    width, height = view.picture_size
    assert width <= view.width() and height <= view.height()
    assert width >= view.width() - 2 or height >= view.height() - 2
    assert not shown(kiosk, "callDevicesNote"), "camera and microphone work: nothing to explain"
    shoot(kiosk, "2-call")

    # The volume is the speaker's; "I cannot hear you" reaches the caseworker.
    speaker = flow(kiosk).service._devices[1]  # type: ignore[index]
    tap(qtbot, find(kiosk, "callLouder"))
    assert speaker.volume == pytest.approx(0.9)
    assert find(kiosk, "callVolume").text() == "Geluid 9 van 10"
    tap(qtbot, find(kiosk, "callCantHear"))
    caseworker.wait_for("citizen.cant_hear")
    assert find(kiosk, "callNotice").text() == "De medewerker weet nu dat u niets hoort."
    tap(qtbot, find(kiosk, "callNoticeOk"))

    # Read the ID card: agree, type the card access number, the chip's data goes to the caseworker.
    caseworker.send({"type": "identity.request"})
    qtbot.waitUntil(lambda: shown(kiosk, "callIdTitle"), timeout=WAIT)
    assert find(kiosk, "callIdTitle").text() == "De medewerker wil uw paspoort of identiteitskaart lezen"
    shoot(kiosk, "3-identity-ask")
    tap(qtbot, find(kiosk, "callIdCan"))
    for digit in document.specimen.can:
        tap(qtbot, find(kiosk, f"digit_{digit}"))
    shoot(kiosk, "4-identity-can")
    tap(qtbot, find(kiosk, "callCanSubmit"))
    result = caseworker.wait_for("identity.result")
    assert (result["document"]["surname"], result["verdict"]) == ("VAN PROEF", "verified")
    assert str(result["photo"]).startswith("data:image/jpeg;base64,")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.video_page, timeout=WAIT)
    assert find(kiosk, "callNotice").text().startswith("Dank u wel. Uw gegevens zijn naar de medewerker gestuurd.")
    assert screen.identity_panel.can_field.text() == "", "nothing read or typed stays on the screen"

    # A message: large on the screen, and spoken.
    said = "Neem uw pasfoto mee naar de balie op de eerste verdieping."
    caseworker.send({"type": "message.show", "text": said})
    caseworker.wait_for("message.shown")
    qtbot.waitUntil(lambda: find(kiosk, "callNotice").text() == said, timeout=WAIT)
    speech = kiosk.drivers.speech
    assert any(u.text == said and u.language == "nl" for u in speech.utterances)  # type: ignore[attr-defined]
    shoot(kiosk, "5-message")

    # A document to print comes out of the kiosk's printer.
    caseworker.print_pdf(a_pdf())
    caseworker.wait_for("print.done", timeout=40)
    printer = kiosk.drivers.printer.simulator  # type: ignore[attr-defined]
    assert printer.wait_for_receipts(1, timeout=10)
    qtbot.waitUntil(lambda: find(kiosk, "callNotice").text() == "Pak uw document uit de printer.", timeout=WAIT)

    # A page held up to the camera reaches the caseworker as a PDF.
    caseworker.send({"type": "scan.request"})
    qtbot.waitUntil(lambda: shown(kiosk, "callScanTitle"), timeout=WAIT)
    camera = kiosk.drivers.camera
    camera.hold_up(document_page(seed=3), Placement(scale=0.75, tilt_x_deg=8, rotate_deg=3))  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: shown(kiosk, "callScanUse"), timeout=WAIT)
    camera.hold_up(None)  # type: ignore[attr-defined]
    tap(qtbot, find(kiosk, "callScanUse"))
    tap(qtbot, find(kiosk, "callScanSend"))
    page = caseworker.wait_for("scan.page")
    assert page["content_type"] == "application/pdf" and str(page["data"]).startswith("data:application/pdf")
    caseworker.wait_for("scan.done")
    qtbot.waitUntil(lambda: screen.pages.currentWidget() is screen.video_page, timeout=WAIT)
    assert screen.remote_view.frames_shown > 10, "the call went on meanwhile"

    # The caseworker ends the call; the citizen says how it went and how they are.
    caseworker.send({"type": "call.end"})
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
    assert find(kiosk, "feedbackTitle").text() == "Hoe ging het gesprek?"
    assert find(kiosk, "feedback_4").accessibleName() == "Heel goed"
    assert kiosk.window.help_bar.isVisible()
    shoot(kiosk, "6-how-did-it-go")
    caseworker.send({"type": "call.outcome", "call_id": call_id, "outcome": "Uitgelegd", "note": "Komt terug"})
    caseworker.wait_for("outcome.saved")
    tap(qtbot, find(kiosk, "feedback_2"))
    assert find(kiosk, "wrongTitle").text() == "Wat ging er mis?"
    shoot(kiosk, "7-what-went-wrong")
    tap(qtbot, find(kiosk, "wrong_sound_or_picture"))
    assert find(kiosk, "wellbeingTitle").text() == "Hoe gaat het met u?"
    shoot(kiosk, "8-how-are-you")
    tap(qtbot, find(kiosk, "wellbeing_okay"))
    assert kiosk.machine.phase is Phase.GOODBYE

    def stored() -> bool:
        row = video_contact(backoffice)
        return row is not None and row[2] not in (None, "null")

    qtbot.waitUntil(stored, timeout=WAIT)
    row = video_contact(backoffice)
    assert row is not None and row[:2] == ("Identificeren", "Uitgelegd")
    assert json.loads(row[2]) == {"how_did_it_go": 2, "what_went_wrong": "sound_or_picture", "how_are_you": "okay"}

    # The session ends: nothing of the caseworker's picture or the citizen's card stays.
    tap(qtbot, find(kiosk, "goodbyeNext"))
    assert kiosk.machine.citizen is None
    remote = flow(kiosk).service.remote
    assert remote is None or remote.latest_image() is None
    assert flow(kiosk).service.camera.users == 0, "the camera stops with the call"
    assert speaker.volume == pytest.approx(0.8), "the next citizen starts at the configured volume"


def test_the_citizen_ends_the_call_and_skips_the_questions(
    qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker, backoffice: LiveBackoffice
) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    _call_id, _screen = connect(qtbot, kiosk, caseworker)
    tap(qtbot, find(kiosk, "callEnd"))
    ended = caseworker.wait_for("call.ended")
    assert ended["reason"] == "citizen"
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
    tap(qtbot, find(kiosk, "feedbackSkip"))
    tap(qtbot, find(kiosk, "wellbeingSkip"))
    assert kiosk.machine.phase is Phase.GOODBYE


def test_cancel_while_waiting_goes_back_and_leaves_the_queue(
    qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker
) -> None:
    caseworker.send({"type": "status.set", "status": "away"})  # on duty, but nobody to answer
    caseworker.wait_for("status", lambda m: m["status"] == "away")
    tap(qtbot, find(kiosk, "startButton"))
    kiosk.machine.set_preferences(speech=True)  # the citizen asked to have the screens read aloud
    tap(qtbot, find(kiosk, "tile_opening_hours"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    qtbot.waitUntil(lambda: find(kiosk, "callWaitingTitle").text() == "U bent de eerste in de rij", timeout=WAIT)
    assert find(kiosk, "callEstimate").text() == "We weten niet hoe lang het duurt."
    speech = kiosk.drivers.speech
    said = [u.text for u in speech.utterances]  # type: ignore[attr-defined]
    assert said[-1] == "U bent de eerste in de rij. We weten niet hoe lang het duurt.", said
    caseworker.wait_for("queue", lambda m: len(m["calls"]) == 1)
    shoot(kiosk, "9-waiting-unknown")
    queued = caseworker.mark()
    tap(qtbot, find(kiosk, "callCancel"))
    assert kiosk.machine.phase is Phase.TASK, "back where the citizen was"
    assert kiosk.machine.citizen is not None and kiosk.machine.citizen.task_id == "opening_hours"
    assert kiosk.window.help_bar.isVisible()
    caseworker.wait_for("queue", lambda m: m["calls"] == [], since=queued)
    assert flow(kiosk).service.camera.users == 0


@pytest.fixture(params=["camera", "camera and microphone"])
def missing(request: pytest.FixtureRequest, call_config: dict[str, object]) -> str:
    devices = {"camera": {"driver": "none"}}
    if request.param == "camera and microphone":
        devices["microphone"] = {"driver": "none"}
    call_config["hardware"] = devices
    return str(request.param)


def test_no_camera_or_microphone_still_calls_and_says_so(
    missing: str, qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker
) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    qtbot.waitUntil(lambda: find(kiosk, "callWaitingTitle").text() == "U bent de eerste in de rij", timeout=WAIT)
    assert find(kiosk, "callSelfCaption").text() == "Er is geen camera. De medewerker kan u alleen horen."
    assert not shown(kiosk, "callSelfView")
    caseworker.answer_ringing_call()
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.IN_CALL, timeout=WAIT)
    screen = call_screen(kiosk)
    qtbot.waitUntil(lambda: screen.remote_view.frames_shown > 0, timeout=WAIT)
    if missing == "camera":
        note = "Er is geen camera. De medewerker kan u niet zien, maar wel horen."
    else:
        note = "Er is geen camera en geen microfoon. De medewerker kan u niet zien en niet horen."
    assert find(kiosk, "callDevicesNote").text() == note
    shoot(kiosk, f"10-no-{missing.replace(' ', '-')}")
    caseworker.send({"type": "call.end"})
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)


@pytest.fixture
def no_microphone(call_config: dict[str, object]) -> None:
    call_config["hardware"] = {"microphone": {"driver": "none"}}


def test_without_a_microphone_the_citizen_types_and_reads_the_caseworker(
    no_microphone: None, qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker
) -> None:
    tap(qtbot, find(kiosk, "startButton"))
    _call_id, screen = connect(qtbot, kiosk, caseworker)
    assert (
        find(kiosk, "callDevicesNote").text() == "Er is geen microfoon. De medewerker kan u wel zien, maar niet horen."
    )
    assert find(kiosk, "callChatHeading").text() == "Er is geen microfoon. Typ hier uw antwoord."
    mark = caseworker.mark()
    caseworker.send({"type": "chat.message", "text": "Waarmee kan ik u helpen?"})
    qtbot.waitUntil(lambda: "Medewerker: Waarmee kan ik u helpen?" in find(kiosk, "callChatLines").text(), timeout=WAIT)
    assert not find(kiosk, "callChatSend").isEnabled()  # nothing typed yet
    for key in ("h", "u", "u", "r", " ", "t", "o", "e", "s", "l", "a", "g", "?"):
        tap(qtbot, screen.chat.keyboard.keys[key])
    tap(qtbot, find(kiosk, "chatKeyBackspace"))
    tap(qtbot, screen.chat.keyboard.keys["?"])
    assert screen.chat.typed_text == "Huur toeslag?"  # a sentence starts with a capital by itself
    shoot(kiosk, "11-no-microphone-chat")
    tap(qtbot, find(kiosk, "callChatSend"))
    said = caseworker.wait_for("chat.message", since=mark)
    assert said["text"] == "Huur toeslag?"
    assert "U: Huur toeslag?" in find(kiosk, "callChatLines").text() and screen.chat.typed_text == ""
    caseworker.send({"type": "call.end"})
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
    assert "Huur toeslag" not in screen.chat.conversation.text(), "nothing typed outlives the call"


def test_idle_ends_a_queue_nobody_watches_but_never_a_conversation(
    qtbot: QtBot, kiosk: Kiosk, caseworker: Caseworker, clock: FakeClock
) -> None:
    settings = kiosk.window.context.config.session
    caseworker.send({"type": "status.set", "status": "away"})
    caseworker.wait_for("status", lambda m: m["status"] == "away")
    tap(qtbot, find(kiosk, "startButton"))
    tap(qtbot, find(kiosk, "talkToPerson"))
    qtbot.waitUntil(lambda: find(kiosk, "callWaitingTitle").text() == "U bent de eerste in de rij", timeout=WAIT)
    queued = caseworker.mark()
    clock.advance(settings.idle_seconds + 1)
    kiosk.controller.tick()
    assert kiosk.window.overlay.isVisible(), "the usual warning first"
    clock.advance(settings.warning_seconds + 1)
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.ATTRACT and kiosk.machine.citizen is None
    caseworker.wait_for("queue", lambda m: m["calls"] == [], since=queued)

    caseworker.available()
    tap(qtbot, find(kiosk, "startButton"))
    _call_id, screen = connect(qtbot, kiosk, caseworker)
    clock.advance(30 * 60)  # half an hour of talking, touching nothing
    kiosk.controller.tick()
    assert kiosk.machine.phase is Phase.IN_CALL
    assert not kiosk.window.overlay.isVisible()
    assert kiosk.controller.deadline_timer.isActive() is False, "no idle clock runs in a conversation"
    frames = screen.remote_view.frames_shown
    qtbot.waitUntil(lambda: screen.remote_view.frames_shown > frames, timeout=WAIT)
    caseworker.send({"type": "call.end"})
    qtbot.waitUntil(lambda: kiosk.machine.phase is Phase.AFTER_CALL, timeout=WAIT)
