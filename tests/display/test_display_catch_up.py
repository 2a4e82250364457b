"""The display's poller over real HTTP, with the network cut and mended by a TCP proxy: while offline the
calls go on; back online, the newest board is shown at once, and only the calls younger than a minute
are announced, oldest first, none twice (backoffice/DESK.md, "Display board")."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from kiosk.display.board import Board, BoardCall
from kiosk.display.board_client import BoardClient
from kiosk.display.poller import BoardPoller, Link, LinkState
from tests.display.board_server import TOKEN, BoardServer
from tests.live_backoffice import CuttableProxy


class Heard:
    """A `BoardListener` that keeps what it was told, for the test thread to wait on."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self.boards: list[Board] = []
        self.announced: list[BoardCall] = []
        self.links: list[Link] = []

    def board_changed(self, board: Board) -> None:
        with self._condition:
            self.boards.append(board)
            self._condition.notify_all()

    def announce(self, calls: list[BoardCall]) -> None:
        with self._condition:
            self.announced.extend(calls)
            self._condition.notify_all()

    def link_changed(self, link: Link) -> None:
        with self._condition:
            self.links.append(link)
            self._condition.notify_all()

    def wait(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        with self._condition:
            assert self._condition.wait_for(condition, timeout), "the display never got there"

    def labels(self) -> list[str]:
        with self._condition:
            return [call.label for call in self.announced]


@pytest.fixture
def server() -> Iterator[BoardServer]:
    running = BoardServer()
    yield running
    running.close()


@pytest.fixture
def proxy(server: BoardServer) -> Iterator[CuttableProxy]:
    running = CuttableProxy(server.port)
    yield running
    running.close()


@pytest.fixture
def heard(proxy: CuttableProxy) -> Iterator[tuple[Heard, BoardPoller]]:
    listener = Heard()
    client = BoardClient(proxy.url, TOKEN, timeout=1.0)
    poller = BoardPoller(client, listener, interval=0.05, lost_after=2)
    poller.start()
    yield listener, poller
    poller.stop()
    client.close()


def test_back_from_offline_only_the_last_minute_is_announced_in_order_once(
    server: BoardServer, proxy: CuttableProxy, heard: tuple[Heard, BoardPoller]
) -> None:
    listener, poller = heard
    server.call("A001", "1", age=600)  # before the display started: shown, not announced
    listener.wait(lambda: bool(listener.boards) and listener.boards[-1].current is not None)
    assert listener.links[0] == Link(LinkState.ONLINE)
    assert listener.announced == []

    proxy.cut()
    listener.wait(lambda: listener.links[-1] == Link(LinkState.UNREACHABLE))
    # While the display is offline the desks go on calling: 24 calls long ago (more than one page)…
    for number in range(2, 26):
        server.call(f"A{number:03d}", "2", age=300 - number)
    # …and three within the last minute, one of them for an English speaker.
    server.call("B010", "3", age=45)
    server.call("K7M", "4", age=20, language="en")
    server.call("A026", "5", age=2)

    proxy.mend()
    listener.wait(lambda: listener.links[-1] == Link(LinkState.ONLINE))
    listener.wait(lambda: listener.labels() == ["B010", "K7M", "A026"])
    newest = listener.boards[-1]
    assert newest.current is not None and newest.current.label == "A026"
    assert [call.label for call in newest.recent] == ["A026", "K7M", "B010", "A025", "A024", "A023"]
    assert poller.feed.last_id == 28
    # The pages of the backlog were fetched back to back from the last id seen, not one a second.
    assert 1 in server.requests and 21 in server.requests

    # Polling on: nothing is announced again; a new call is announced once.
    seen = len(server.requests)
    listener.wait(lambda: len(server.requests) >= seen + 5)
    assert listener.labels() == ["B010", "K7M", "A026"]
    server.call("A027", "1")
    listener.wait(lambda: listener.labels()[-1:] == ["A027"])
    seen = len(server.requests)
    listener.wait(lambda: len(server.requests) >= seen + 5)
    assert listener.labels() == ["B010", "K7M", "A026", "A027"]


def test_a_refused_display_says_why_and_keeps_nothing_half_read(server: BoardServer) -> None:
    listener = Heard()
    client = BoardClient(server.url, "bd1.revoked.secret", timeout=1.0)
    poller = BoardPoller(client, listener, interval=0.05)
    poller.start()
    try:
        listener.wait(lambda: bool(listener.links))
    finally:
        poller.stop()
        client.close()
    assert listener.links == [Link(LinkState.REFUSED, "unknown device token")]
    assert listener.boards == []


def test_a_broken_answer_keeps_the_last_board(server: BoardServer, heard: tuple[Heard, BoardPoller]) -> None:
    listener, _ = heard
    server.call("A001", "1")
    listener.wait(lambda: listener.labels() == ["A001"])
    boards = len(listener.boards)
    server.broken_answer = b'{"calls": "not a list"}'
    listener.wait(lambda: listener.links[-1] == Link(LinkState.UNREACHABLE))
    assert len(listener.boards) == boards
    server.broken_answer = None
    listener.wait(lambda: listener.links[-1] == Link(LinkState.ONLINE))
    assert listener.labels() == ["A001"]
