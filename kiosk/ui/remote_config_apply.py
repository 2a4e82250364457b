"""The location's settings from the backoffice, put into the running kiosk when nobody is using it.

`kiosk.remote_config.RemoteConfig` fetches and checks on its own thread and offers each new good
config here; the offer crosses to the UI thread as a Qt signal. It is applied at once when the
kiosk is idle (attract, no citizen), else when the session ends: the screens are made anew from
the new config (tasks offered, topics, counter text, opening hours), so nothing changes under a
citizen's finger.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from kiosk.config import KioskConfig
from kiosk.remote_config import STORE_NAME, PendingConfig, RemoteConfig, RemoteConfigStore, session_is_idle
from kiosk.session import Change, Phase, SessionMachine
from kiosk.ui.window import KioskWindow

if TYPE_CHECKING:
    from kiosk.backoffice_client import BackofficeClient

log = logging.getLogger(__name__)


class RemoteConfigApply(QObject):
    arrived = Signal()  # from the fetcher's thread; queued to the UI thread
    applied = Signal(object)  # the KioskConfig now in use

    def __init__(self, machine: SessionMachine, window: KioskWindow) -> None:
        super().__init__()
        self.machine = machine
        self.window = window
        self.pending = PendingConfig()
        self.fetcher: RemoteConfig | None = None
        self.arrived.connect(self.apply_if_idle)
        machine.subscribe(self._on_change)

    def offer(self, config: KioskConfig) -> None:
        """Any thread: a checked config to apply at the next idle moment."""
        self.pending.offer(config)
        self.arrived.emit()

    def start_fetching(
        self,
        local: KioskConfig,
        client: Callable[[], BackofficeClient | None],
        folder: Path,
        *,
        interval: float = 300.0,
    ) -> RemoteConfig:
        store = RemoteConfigStore(folder / STORE_NAME)
        self.fetcher = RemoteConfig(local, client, store, self.offer, interval=interval)
        self.fetcher.start()
        return self.fetcher

    def close(self) -> None:
        if self.fetcher is not None:
            self.fetcher.stop()
            self.fetcher = None

    def _on_change(self, change: Change) -> None:
        if change.phase is Phase.ATTRACT:
            self.apply_if_idle()

    def apply_if_idle(self) -> None:
        config = self.pending.take_when_idle(session_is_idle(self.machine))
        if config is None or config == self.window.context.config:
            return
        context = self.window.context
        context.config = config
        if context.tickets is not None:
            context.tickets.use_settings(config.queue)
        if context.call is not None:
            context.call.config = config  # "talk to a person" follows the new opening hours
        self.window.forget_screens()  # made anew from the new config, as after every session
        self.window.show_screen(self.window.screen_for(Phase.ATTRACT))
        log.info("remote config applied (tasks: %s)", ", ".join(config.device.tasks))
        self.applied.emit(config)
