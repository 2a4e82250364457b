"""The counter link against a backoffice playing DESK.md on loopback: hello, pairing, requests, answers,
a dropped line that comes back (answers kept and sent) or stays away (the citizen wiped)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.counter.answers import DeclinedAnswer, FeedbackAnswer, HelpMessage, SummaryAnswer
from kiosk.counter.link import CounterLink, LinkPhase, LinkStatus, counter_url
from kiosk.counter.requests import PrintRequest, Request, SummaryLine, SummaryRequest, WelcomeRequest
from tests.counter.desk_server import CODE, TOKEN, DeskServer


class Recorder:
    """A CounterListener that writes down what the link told it."""

    def __init__(self) -> None:
        self.statuses: list[LinkStatus] = []
        self.requests: list[Request] = []
        self.wipes = 0
        self._lock = threading.Lock()

    def link_changed(self, status: LinkStatus) -> None:
        with self._lock:
            self.statuses.append(status)

    def request_arrived(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def wipe(self) -> None:
        with self._lock:
            self.wipes += 1

    @property
    def phase(self) -> LinkPhase | None:
        with self._lock:
            return self.statuses[-1].phase if self.statuses else None


def wait(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


@pytest.fixture
def desk() -> Iterator[DeskServer]:
    with DeskServer() as server:
        yield server


@pytest.fixture
def listener() -> Recorder:
    return Recorder()


@pytest.fixture
def link(desk: DeskServer, listener: Recorder) -> Iterator[CounterLink]:
    made = CounterLink(desk.url, TOKEN, listener, offline_wipe_seconds=1.5, backoff=(0.05, 0.1))
    made.start()
    yield made
    made.close()


def test_url_follows_the_backoffice_scheme() -> None:
    assert counter_url("https://balie.example.nl/") == "wss://balie.example.nl/api/v1/counter/ws"
    assert counter_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/api/v1/counter/ws"


def test_pairing_code_then_paired_then_a_request_and_its_answer(
    desk: DeskServer, listener: Recorder, link: CounterLink
) -> None:
    wait(lambda: listener.phase is LinkPhase.PAIRING)
    assert listener.statuses[-1].code == CODE
    assert desk.hellos == 1
    desk.pair("3")
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    assert listener.statuses[-1].desk == "3"

    desk.send(
        {"type": "summary", "id": "r1", "title": "Uw verhuizing", "lines": [{"label": "Straat", "value": "Markt 1"}]}
    )
    wait(lambda: bool(listener.requests))
    request = listener.requests[0]
    assert isinstance(request, SummaryRequest)
    assert request.lines == (SummaryLine("Straat", "Markt 1"),)
    assert "Markt" not in repr(request)  # a log line can never carry the citizen's data

    link.answer(SummaryAnswer("r1", correct=True))
    assert desk.wait_for("summary_answer") == {"type": "summary_answer", "id": "r1", "correct": True}
    link.answer(HelpMessage(None))
    assert desk.wait_for("help") == {"type": "help"}


def test_a_malformed_request_is_answered_failed_with_one_sentence(desk: DeskServer, link: CounterLink) -> None:
    desk.paired = True
    wait(lambda: desk.connected)
    desk.pair()
    desk.send({"type": "print", "id": 7, "pdf_base64": "not base64!"})
    assert desk.wait_for("failed") == {"type": "failed", "id": "7", "detail": "the PDF did not arrive intact"}
    desk.send({"type": "summary", "id": "8"})
    assert desk.wait_for("failed", 2)["detail"] == "a summary needs lines to show"
    desk.send({"type": "identify", "id": "9", "can": "12a456"})
    assert desk.wait_for("failed", 3)["detail"] == "the card access number must be 6 digits"


def test_receipt_and_pdf_print_requests_are_typed(desk: DeskServer, listener: Recorder, link: CounterLink) -> None:
    wait(lambda: desk.connected)
    desk.pair()
    desk.send(
        {
            "type": "print",
            "id": "p1",
            "receipt": {"title": "Afspraak", "lines": ["Dinsdag 10:00", {"label": "Balie", "value": "3"}]},
        }
    )
    desk.send({"type": "print", "id": "p2", "pdf_base64": "JVBERi0xLjQK"})
    wait(lambda: len(listener.requests) == 2)
    receipt, pdf = listener.requests
    assert isinstance(receipt, PrintRequest) and receipt.lines == ("Dinsdag 10:00", "Balie: 3")
    assert isinstance(pdf, PrintRequest) and pdf.pdf == b"%PDF-1.4\n"


def test_an_answer_given_while_the_line_is_down_goes_when_it_is_back(
    desk: DeskServer, listener: Recorder, link: CounterLink
) -> None:
    desk.paired = True
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    desk.cut()
    wait(lambda: listener.phase is LinkPhase.OFFLINE)
    link.answer(FeedbackAnswer("f1", how_did_it_go=4, how_are_you="good"))
    link.answer(DeclinedAnswer("s2"))
    time.sleep(0.3)  # the device keeps dialling; nothing can arrive while the line is cut
    assert desk.received == []
    desk.restore()
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    feedback = desk.wait_for("feedback")
    assert feedback == {"type": "feedback", "id": "f1", "how_did_it_go": 4, "how_are_you": "good"}
    desk.wait_for("declined")
    assert [m["type"] for m in desk.received] == ["feedback", "declined"]  # in the order given
    assert listener.wipes == 0
    assert desk.hellos == 2


def test_a_line_down_for_too_long_wipes_and_drops_the_waiting_answers(
    desk: DeskServer, listener: Recorder, link: CounterLink
) -> None:
    desk.paired = True
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    desk.cut()
    link.answer(SummaryAnswer("r1", correct=False))
    wait(lambda: listener.wipes == 1, timeout=5)
    desk.restore()
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    time.sleep(0.2)
    assert desk.received == []  # the citizen's answer went with the wipe


def test_unpairing_wipes_and_shows_the_code_again(desk: DeskServer, listener: Recorder, link: CounterLink) -> None:
    wait(lambda: desk.connected)
    desk.pair()
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    desk.unpair()
    wait(lambda: listener.wipes == 1)
    assert listener.statuses[-1] == LinkStatus(LinkPhase.PAIRING, code=CODE)


def test_welcome_arrives_as_a_request(desk: DeskServer, listener: Recorder, link: CounterLink) -> None:
    desk.paired = True
    wait(lambda: listener.phase is LinkPhase.PAIRED)
    desk.send({"type": "welcome", "id": "w1"})
    wait(lambda: bool(listener.requests))
    assert isinstance(listener.requests[0], WelcomeRequest)


def test_an_unreachable_backoffice_is_dialled_again(listener: Recorder) -> None:
    with DeskServer() as desk:
        desk.refusing = True
        made = CounterLink(desk.url, TOKEN, listener, backoff=(0.05,))
        made.start()
        try:
            wait(lambda: listener.phase is LinkPhase.OFFLINE)
            desk.restore()
            wait(lambda: listener.phase is LinkPhase.PAIRING)
        finally:
            made.close()


def test_a_revoked_token_is_refused(desk: DeskServer, listener: Recorder) -> None:
    made = CounterLink(desk.url, "bd1.revoked", listener, backoff=(0.05,))
    made.start()
    try:
        wait(lambda: listener.phase is LinkPhase.REFUSED)
        assert desk.hellos == 0
    finally:
        made.close()


def test_a_token_refused_after_the_handshake_is_told(desk: DeskServer, listener: Recorder) -> None:
    desk.hello_token = "bd1.someone-else"
    made = CounterLink(desk.url, TOKEN, listener, backoff=(0.05,))
    made.start()
    try:
        wait(lambda: listener.phase is LinkPhase.REFUSED)
        assert desk.hellos == 0
    finally:
        made.close()
