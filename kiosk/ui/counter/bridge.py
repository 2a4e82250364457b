"""The link's news as Qt signals: the link calls its listener on its own thread, Qt delivers on the UI's."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from kiosk.counter.link import LinkStatus
from kiosk.counter.requests import Request


class LinkBridge(QObject):
    """Implements kiosk.counter.link.CounterListener."""

    status_changed = Signal(object)  # LinkStatus
    request_arrived_signal = Signal(object)  # Request
    wiped = Signal()

    def link_changed(self, status: LinkStatus) -> None:
        self.status_changed.emit(status)

    def request_arrived(self, request: Request) -> None:
        self.request_arrived_signal.emit(request)

    def wipe(self) -> None:
        self.wiped.emit()
