"""`balie kiosk` with `role = "display"`: the wall screen of a waiting room (backoffice/DESK.md).

Everything is built here and passed in: the board client with the device's token, the voice and the
speaker from `[hardware]` (speech, audio_output), the poller and the announcer, each on its own thread,
and the screen on the UI thread. Heartbeats report the voice's and the speaker's health, so a silent
display shows on the fleet page like a kiosk with a jammed printer. Tests build the same parts with
`build_display`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig

if TYPE_CHECKING:
    from drivers.audio_output.protocol import AudioOutput
    from drivers.speech.protocol import Speech
    from kiosk.backoffice_client import BackofficeClient
    from kiosk.display.announcer import Announcer
    from kiosk.display.board_client import BoardClient
    from kiosk.display.poller import BoardPoller
    from kiosk.heartbeat import HeartbeatSender
    from kiosk.ui.app import LaunchOptions
    from kiosk.ui.display.bridge import BoardBridge
    from kiosk.ui.display.wall import WallScreen

WINDOW_SIZE = (1920, 1080)  # windowed and screenshots; full screen takes the screen's own size


@dataclass
class Display:
    """The running parts, so that they can be started and shut down in order."""

    window: WallScreen
    client: BoardClient
    poller: BoardPoller
    announcer: Announcer
    bridge: BoardBridge
    speech: Speech
    heartbeat: HeartbeatSender
    heartbeat_client: BackofficeClient

    def start(self) -> None:
        self.announcer.start()
        self.poller.start()
        self.heartbeat.start()

    def close(self) -> None:
        import shiboken6

        self.poller.stop()  # first: nothing new reaches the announcer or the screen
        self.heartbeat.stop()
        self.announcer.close()
        self.client.close()
        self.heartbeat_client.close()
        self.speech.close()
        self.window.close()
        shiboken6.delete(self.window)


def build_display(
    config: KioskConfig,
    *,
    speech: Speech | None = None,
    audio_output: AudioOutput | None = None,
    interval: float | None = None,
    lost_after: int | None = None,
    highlight_seconds: float | None = None,
) -> Display:
    """The display for `config` (its `[backoffice]` url and token), not yet polling: call `start()`."""
    from drivers import registry
    from kiosk import __version__
    from kiosk.backoffice_client import BackofficeClient
    from kiosk.display.announcer import Announcer
    from kiosk.display.board_client import BoardClient
    from kiosk.display.poller import LOST_AFTER, POLL_INTERVAL, BoardPoller
    from kiosk.heartbeat import HeartbeatSender
    from kiosk.ui.display.bridge import BoardBridge
    from kiosk.ui.display.wall import HIGHLIGHT_SECONDS, WallScreen
    from kiosk.ui.launch import load_bundled_font

    load_bundled_font()
    hardware = config.hardware
    if speech is None:
        speech = registry.build("speech", hardware.speech.driver, hardware.speech.options)  # type: ignore[assignment]
    if audio_output is None:
        audio_output = registry.build(  # type: ignore[assignment]
            "audio_output", hardware.audio_output.driver, hardware.audio_output.options
        )
    assert speech is not None and audio_output is not None
    names = {topic.letter: topic.name.get("nl", "") for topic in config.queue.topics}
    window = WallScreen(
        config.device.location,
        names,
        highlight_seconds=HIGHLIGHT_SECONDS if highlight_seconds is None else highlight_seconds,
    )
    window.resize(*WINDOW_SIZE)
    announcer = Announcer(speech, audio_output)
    bridge = BoardBridge(announcer)
    bridge.board_arrived.connect(window.show_board)
    bridge.link_arrived.connect(window.show_link)
    client = BoardClient(config.backoffice.url, config.backoffice.token)
    poller = BoardPoller(
        client,
        bridge,
        interval=POLL_INTERVAL if interval is None else interval,
        lost_after=LOST_AFTER if lost_after is None else lost_after,
    )
    heartbeat_client = BackofficeClient(config.backoffice.url, config.backoffice.token)
    voice, speaker = speech, audio_output
    heartbeat = HeartbeatSender(
        heartbeat_client, lambda: {"speech": voice.health(), "audio_output": speaker.health()}, __version__
    )
    return Display(window, client, poller, announcer, bridge, speech, heartbeat, heartbeat_client)


def run_display(config: KioskConfig, options: LaunchOptions) -> int:
    from PySide6.QtCore import QTimer

    from kiosk.ui.launch import start_application

    launch = start_application(screenshot=options.screenshot)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    display = build_display(config)
    launch.present(display.window, windowed=options.windowed, screenshot=options.screenshot)
    display.start()
    QTimer.singleShot(0, launch.notifier.ready)  # the event loop runs and the screen is shown
    try:
        return launch.app.exec()
    finally:
        launch.finish()
        display.close()
