"""From the poller's thread to the UI thread: the board and the link arrive as Qt signals; calls to
announce go straight to the announcer, which has its own thread and needs no event loop."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.display.announcer import Announcer
from kiosk.display.board import Board, BoardCall
from kiosk.display.poller import Link


class BoardBridge(QObject):
    """A `kiosk.display.poller.BoardListener`. Made on the UI thread, so its signals are queued there."""

    board_arrived = Signal(object)  # Board
    link_arrived = Signal(object)  # Link

    def __init__(self, announcer: Announcer) -> None:
        super().__init__()
        self.announcer = announcer

    def board_changed(self, board: Board) -> None:
        self.board_arrived.emit(board)

    def announce(self, calls: list[BoardCall]) -> None:
        for call in calls:
            self.announcer.announce(call)

    def link_changed(self, link: Link) -> None:
        self.link_arrived.emit(link)
