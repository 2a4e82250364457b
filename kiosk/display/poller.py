"""The display's poller: the board every second on its own thread, catching up after an outage.

Everything it learns goes to a `BoardListener`, called on the poller's thread (the Qt side turns the
calls into signals). The screen is told about the connection only when it changes, and "unreachable"
only after a few failed polls in a row, so one slow answer does not flash a warning on the wall.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kiosk.backoffice_client import BackofficeRejected, BackofficeUnavailable
from kiosk.display.board import Board, BoardCall
from kiosk.display.call_feed import CallFeed, utc_now

log = logging.getLogger(__name__)

POLL_INTERVAL = 1.0  # DESK.md: the display polls every second
LOST_AFTER = 3  # failed polls in a row before the screen says the connection is lost
REFUSED_INTERVAL = 30.0  # a refused display (revoked, wrong role) asks again this seldom


class LinkState(StrEnum):
    CONNECTING = "connecting"  # no answer yet since the start
    ONLINE = "online"
    UNREACHABLE = "unreachable"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Link:
    state: LinkState
    detail: str = ""  # for REFUSED: the backoffice's one sentence


class BoardSource(Protocol):
    def board(self, after: int) -> Board: ...


class BoardListener(Protocol):
    def board_changed(self, board: Board) -> None:
        """The newest board; the screen shows it at once."""

    def announce(self, calls: list[BoardCall]) -> None:
        """New calls to announce, oldest first; each arrives here once."""

    def link_changed(self, link: Link) -> None: ...


class BoardPoller:
    def __init__(
        self,
        source: BoardSource,
        listener: BoardListener,
        *,
        feed: CallFeed | None = None,
        interval: float = POLL_INTERVAL,
        lost_after: int = LOST_AFTER,
        refused_interval: float = REFUSED_INTERVAL,
    ) -> None:
        self.source = source
        self.listener = listener
        self.feed = feed or CallFeed()
        self.interval = interval
        self.lost_after = lost_after
        self.refused_interval = refused_interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._link = Link(LinkState.CONNECTING)
        self._failures = 0

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="display-board", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()

    def poll_once(self) -> float:
        """One fetch (and its catch-up pages); returns the seconds to wait before the next."""
        try:
            board = self.source.board(self.feed.last_id)
            while True:
                self._report(board)
                if not self.feed.more_waiting(board) or self._stopping.is_set():
                    break
                board = self.source.board(self.feed.last_id)
        except BackofficeRejected as refusal:
            log.warning("the backoffice refuses this display: %s", refusal)
            self._set_link(Link(LinkState.REFUSED, refusal.detail))
            return self.refused_interval
        except BackofficeUnavailable as error:
            self._failed(str(error))
        except Exception:  # a bug here must not end the display's only thread
            log.exception("display board poll failed")
            self._failed("unexpected error")
        return self.interval

    def _report(self, board: Board) -> None:
        self._failures = 0
        self._set_link(Link(LinkState.ONLINE))
        due = self.feed.take(board)
        self.listener.board_changed(board.of_today(utc_now()))
        if due:
            self.listener.announce(due)

    def _failed(self, reason: str) -> None:
        self._failures += 1
        log.info("display board: %s (%d in a row)", reason, self._failures)
        if self._failures >= self.lost_after:
            self._set_link(Link(LinkState.UNREACHABLE))

    def _set_link(self, link: Link) -> None:
        if link != self._link:
            self._link = link
            self.listener.link_changed(link)

    def _run(self) -> None:
        while not self._stopping.is_set():
            pause = self.poll_once()
            self._stopping.wait(pause)
