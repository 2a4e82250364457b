"""Which calls on the board are new, and which of them are still worth announcing.

The display asks for calls after the last id it has seen, so a call is taken once however often the
board is fetched. Back from being offline (or just started), it may be handed calls from long ago: they
update the screen at once but are announced only when younger than a minute (DESK.md), because a
number called five minutes ago sends nobody to the desk any more, and a backlog of chimes would drown
the calls happening now. A call's age is measured on the backoffice's clock (`server_time`), so a
display whose own clock is off still decides right.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kiosk.display.board import Board, BoardCall

ANNOUNCE_WITHIN = timedelta(seconds=60)
PAGE_SIZE = 20  # DESK.md: at most 20 calls per answer; a full page means more are waiting
_REMEMBERED = 200  # ids announced lately, a second guard against announcing a call twice


def utc_now() -> datetime:
    return datetime.now(UTC)


class CallFeed:
    """Not thread-safe: the poller's thread alone uses it."""

    def __init__(self, *, announce_within: timedelta = ANNOUNCE_WITHIN, now: Callable[[], datetime] = utc_now) -> None:
        self.announce_within = announce_within
        self.last_id = 0
        self._now = now
        self._announced: deque[int] = deque(maxlen=_REMEMBERED)

    def take(self, board: Board) -> list[BoardCall]:
        """The board's new calls to announce, oldest first; every new call is counted as seen."""
        newest_known = board.recent[0].id if board.recent else None
        if newest_known is not None and newest_known < self.last_id:
            # The feed went backwards (a backoffice database restored or replaced): start again from
            # its beginning, else no call would ever be newer than what this display saw before.
            self.last_id = 0
        fresh = sorted((call for call in board.calls if call.id > self.last_id), key=lambda call: call.id)
        if not fresh:
            return []
        self.last_id = fresh[-1].id
        reference = board.server_time or self._now()
        due = [
            call
            for call in fresh
            if reference - call.called_at < self.announce_within and call.id not in self._announced
        ]
        self._announced.extend(call.id for call in due)
        return due

    @staticmethod
    def more_waiting(board: Board) -> bool:
        """A full page: ask again at once instead of a second later (catching up after being offline)."""
        return len(board.calls) >= PAGE_SIZE
