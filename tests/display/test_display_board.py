"""The board client over real HTTP to a loopback server speaking DESK.md's contract: a good board is read
into typed calls; a refusal and a broken answer each become one clear sentence, and nothing is half-read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.backoffice_client import BackofficeRejected, BackofficeUnavailable
from kiosk.display.board import BoardMalformed, parse_board
from kiosk.display.board_client import BoardClient
from tests.display.board_server import TOKEN, BoardServer


@pytest.fixture
def server() -> Iterator[BoardServer]:
    running = BoardServer()
    yield running
    running.close()


def test_the_board_is_read_into_calls_recent_and_waits(server: BoardServer) -> None:
    first = server.call("A042", "3", age=30, language="en")
    server.call("K7M", "4", kind="recall")
    server.waits = [
        {"topic": "A", "waiting": 4, "expected_minutes": 12},
        {"topic": "B", "waiting": 0, "expected_minutes": None},
    ]
    client = BoardClient(server.url, TOKEN)
    try:
        board = client.board(after=0)
        later = client.board(after=first)
    finally:
        client.close()
    assert [(c.id, c.label, c.desk, c.kind, c.language) for c in board.calls] == [
        (1, "A042", "3", "call", "en"),
        (2, "K7M", "4", "recall", None),
    ]
    assert [c.label for c in board.recent] == ["K7M", "A042"]
    assert board.current is not None and board.current.label == "K7M"
    assert [(w.topic, w.waiting, w.expected_minutes) for w in board.waits] == [("A", 4, 12), ("B", 0, None)]
    assert board.server_time is not None
    assert 25 <= (board.server_time - board.calls[0].called_at).total_seconds() <= 35
    assert [c.id for c in later.calls] == [2]
    assert server.requests == [0, 1]


def test_a_wrong_token_is_a_refusal_with_the_backoffices_sentence(server: BoardServer) -> None:
    client = BoardClient(server.url, "bd1.someone-else.secret")
    try:
        with pytest.raises(BackofficeRejected) as refused:
            client.board(after=0)
    finally:
        client.close()
    assert refused.value.status == 401
    assert refused.value.detail == "unknown device token"


def test_a_broken_answer_is_unavailable_not_a_crash(server: BoardServer) -> None:
    server.broken_answer = b'{"calls": [{"id": 1, "label": "A042", "desk": "3"}], "recent": []}'
    client = BoardClient(server.url, TOKEN)
    try:
        with pytest.raises(BackofficeUnavailable, match=r"calls\[0\]\.called_at has no time"):
            client.board(after=0)
        server.broken_answer = b"<html>proxy error</html>"
        with pytest.raises(BackofficeUnavailable, match="not JSON"):
            client.board(after=0)
    finally:
        client.close()


def test_nothing_listening_is_unavailable() -> None:
    server = BoardServer()
    url = server.url
    server.close()
    client = BoardClient(url, TOKEN, timeout=1.0)
    try:
        with pytest.raises(BackofficeUnavailable, match="no answer"):
            client.board(after=0)
    finally:
        client.close()


@pytest.mark.parametrize(
    ("answer", "sentence"),
    [
        ([], "the board is not a JSON object"),
        ({"calls": {}}, "calls is not a list"),
        ({"recent": [{"id": "7", "label": "A1", "desk": "3", "called_at": "2026-11-24T10:00:00Z"}]},
         r"recent\[0\]\.id is not a whole number"),
        ({"calls": [{"id": 7, "label": "A1", "desk": "3", "kind": "shout", "called_at": "2026-11-24T10:00:00Z"}]},
         "kind is neither call nor recall"),
        ({"calls": [{"id": 7, "label": "A1", "desk": "3", "called_at": "2026-11-24T10:00:00"}]},
         "without its offset"),
        ({"waits": [{"topic": "A", "waiting": -1}]}, r"waits\[0\]\.waiting is not a count"),
        ({"server_time": "yesterday"}, "server_time has a time that is not ISO 8601"),
    ],
)  # fmt: skip
def test_each_broken_part_is_named(answer: object, sentence: str) -> None:
    with pytest.raises(BoardMalformed, match=sentence):
        parse_board(answer)


def test_an_empty_board_is_a_board() -> None:
    board = parse_board({"calls": [], "recent": [], "waits": [], "server_time": "2026-11-24T10:00:00+01:00"})
    assert board.current is None
    assert board.server_time == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def test_yesterdays_calls_are_not_shown_as_todays() -> None:
    def at(moment: datetime, call_id: int) -> dict[str, object]:
        return {"id": call_id, "label": f"A{call_id:03d}", "desk": "1", "called_at": moment.isoformat()}

    now = datetime.now(UTC).astimezone()  # the display's local day
    start_of_day = now.replace(hour=0, minute=0, second=1, microsecond=0)
    yesterday = start_of_day - timedelta(seconds=2)
    board = parse_board({"recent": [at(start_of_day, 2), at(yesterday, 1)], "server_time": now.isoformat()})
    assert [call.id for call in board.of_today(now).recent] == [2]
    assert parse_board({"recent": [at(yesterday, 1)]}).of_today(now).current is None
