"""Start the kiosk: Qt application, drivers, session machine, window, controller.

All devices are built here, once, and passed in: no hidden singletons. Tests build
the same parts through `build_kiosk`, so they exercise the path a citizen uses.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig, Orientation, Role
from kiosk.ui.launch import FONT_FAMILY as FONT_FAMILY  # kept importable from here
from kiosk.ui.theme import ThemeName

if TYPE_CHECKING:  # keeps Qt out of this module's import (start-up time is benchmarked)
    from drivers.audio_output.protocol import AudioOutput
    from drivers.cardreader.icao.trust_store import TrustStore
    from drivers.microphone.protocol import Microphone
    from drivers.registry import DriverSet
    from kiosk.appointments import LocalAppointments
    from kiosk.backoffice_client import BackofficeClient
    from kiosk.event_sink import PendingSink
    from kiosk.heartbeat import HealthSource
    from kiosk.maintenance import NetworkStatus
    from kiosk.reporting import Reporting
    from kiosk.session import SessionMachine
    from kiosk.ui.call_flow import CallFlow
    from kiosk.ui.controller import HealthWatcher, KioskController
    from kiosk.ui.recovery import Recovery
    from kiosk.ui.remote_config_apply import RemoteConfigApply
    from kiosk.ui.theme import Theme
    from kiosk.ui.window import KioskWindow

WINDOW_SIZES = {Orientation.PORTRAIT: (1080, 1920), Orientation.LANDSCAPE: (1920, 1080)}


@dataclass(frozen=True)
class LaunchOptions:
    windowed: bool = False
    screenshot: Path | None = None
    theme: ThemeName = ThemeName.STANDARD
    language: str | None = None


@dataclass
class KioskShell:
    """What the first frame needs: the window with the attract screen, and the session.

    Everything else (drivers, appointments, controller, other screens) is made by
    `complete()` once that frame is on screen, so a citizen sees the kiosk at once.
    """

    config: KioskConfig
    window: KioskWindow
    machine: SessionMachine
    theme: Theme
    clock: Callable[[], float]

    def complete(
        self, *, drivers: DriverSet | None = None, health_interval: float = 15.0, reporting: bool = False
    ) -> Kiosk:
        """Everything after the first frame. `reporting` connects to the backoffice (or starts the
        embedded one) on a background thread; tests leave it off unless they are about it."""
        from PySide6.QtCore import QTimer

        from drivers.printer.logo import logo_raster
        from drivers.registry import build_all
        from kiosk.appointment_source import AppointmentSource
        from kiosk.appointments import LocalAppointments
        from kiosk.document_upload import DocumentUploader
        from kiosk.event_sink import PendingSink
        from kiosk.session_events import SessionEvents
        from kiosk.ticket_queue import LocalTicketQueue
        from kiosk.ticket_source import TicketSource
        from kiosk.ui.checkin_service import CheckinService
        from kiosk.ui.controller import HealthWatcher, KioskController
        from kiosk.ui.document_service import DocumentService
        from kiosk.ui.identity_service import IdentityService
        from kiosk.ui.printing import PrintService
        from kiosk.ui.remote_config_apply import RemoteConfigApply
        from kiosk.ui.text_raster import QtTextRasterizer
        from kiosk.ui.ticket_service import TicketService

        drivers = drivers or build_all(self.config.hardware.choices())
        appointments_file = Path(self.config.appointments.file) if self.config.appointments.file else None
        context = self.window.context
        appointments = LocalAppointments.from_file(appointments_file)
        context.appointments = appointments
        context.tickets = LocalTicketQueue(self.config.queue)
        context.camera = drivers.camera
        context.card_reader = drivers.cardreader
        context.trust_store = trust_store_for(drivers, self.config.identity.trust_store)
        context.identity = IdentityService(drivers.cardreader, context.trust_store)
        if self.config.device.logo:  # checked when the config was read
            context.logo = logo_raster(Path(self.config.device.logo), drivers.printer.profile.dots_per_line)
        watcher = HealthWatcher(drivers, interval=health_interval)
        context.printing = PrintService(drivers.printer, QtTextRasterizer(), on_result=watcher.poll_now)
        controller = KioskController(self.machine, self.window, drivers, clock=self.clock, start_theme=self.theme)
        watcher.changed.connect(controller.on_health)
        watcher.start()
        sink = PendingSink()
        context.events = SessionEvents(self.machine, sink)
        kiosk = Kiosk(self.window, controller, self.machine, drivers, watcher)
        self.machine.maintenance.drivers = drivers
        self.machine.maintenance.network_status = kiosk.network_status

        # Numbers and check-ins from the backoffice once reporting is up, the kiosk's own until then
        # (and offline); documents wait in memory for it.
        def backoffice() -> BackofficeClient | None:
            return kiosk.reporting.client if kiosk.reporting is not None else None

        context.ticket_service = TicketService(TicketSource(context.tickets, backoffice))
        context.checkin = CheckinService(AppointmentSource(appointments, backoffice))
        context.documents = DocumentService(DocumentUploader(backoffice))
        context.call = _call_flow(self.config, self.machine, drivers, kiosk)
        # The location's settings from the backoffice, applied when nobody is at the kiosk.
        kiosk.remote_config = RemoteConfigApply(self.machine, self.window)
        if reporting:
            from kiosk.reporting import data_dir

            kiosk.start_reporting(self.config, sink, lambda: dict(controller.health), appointments)
            kiosk.remote_config.start_fetching(self.config, backoffice, data_dir())
        QTimer.singleShot(0, self.window.prebuild)  # the other screens, in idle time
        return kiosk


def _call_flow(config: KioskConfig, machine: SessionMachine, drivers: DriverSet, kiosk: Kiosk) -> CallFlow:
    """A video call for "talk to a person", through the configured backoffice or the embedded one once
    it runs; with neither, the help screen. Nothing of the call (aiortc, sound devices) loads before a call."""
    from drivers import registry
    from kiosk.ui.call_flow import CallFlow
    from kiosk.ui.call_service import CallLine, CallService

    settings = config.backoffice

    def available() -> bool:
        return bool(settings.url) or (kiosk.reporting is not None and kiosk.reporting.embedded is not None)

    def line() -> CallLine | None:  # on the call service's own thread: it may read the credential's file
        if settings.url:
            return CallLine(settings.url, settings.token)
        reporting = kiosk.reporting
        if reporting is not None and reporting.embedded is not None:
            return CallLine(reporting.embedded.url, reporting.embedded.device_token())
        return None

    def call_devices() -> tuple[Microphone, AudioOutput]:
        choices = config.hardware.call_choices()
        microphone = registry.build("microphone", *choices["microphone"])
        audio_output = registry.build("audio_output", *choices["audio_output"])
        return microphone, audio_output  # type: ignore[return-value]

    service = CallService(drivers.camera, drivers.printer, call_devices, line)
    return CallFlow(machine, service, config, available)


def trust_store_for(drivers: DriverSet, configured: str) -> TrustStore:
    """The CSCA certificates passive authentication trusts: `identity.trust_store` from the config.

    Without one, the simulated reader's virtual documents are signed by the test issuer, so that
    issuer is trusted there; a real reader then gets an empty store (every document reads as
    "cannot be checked"), never the test issuer.
    """
    from drivers.cardreader.icao.trust_store import TrustStore
    from drivers.cardreader.simulator import SimulatedCardReader

    if configured:
        return TrustStore.from_path(Path(configured))
    if isinstance(drivers.cardreader, SimulatedCardReader):
        from drivers.cardreader.emrtd.factory import default_issuer

        return TrustStore.of([default_issuer().csca_certificate])
    return TrustStore.empty()


@dataclass
class Kiosk:
    """The running parts, so that they can be shut down in order."""

    window: KioskWindow
    controller: KioskController
    machine: SessionMachine
    drivers: DriverSet
    watcher: HealthWatcher
    reporting: Reporting | None = None
    remote_config: RemoteConfigApply | None = None
    _reporting_thread: threading.Thread | None = None

    def start_reporting(
        self, config: KioskConfig, sink: PendingSink, health: HealthSource, appointments: LocalAppointments
    ) -> None:
        """Backoffice connection off the UI thread: the embedded one takes a second to start."""
        from kiosk.reporting import start_reporting

        def connect() -> None:
            try:
                reporting = start_reporting(config.backoffice, health)
            except Exception as error:  # the kiosk serves citizens without a backoffice too
                logging.getLogger(__name__).error("no backoffice reporting: %s", error)
                return
            if reporting.embedded is not None:
                # Before check-ins go to it: the embedded backoffice knows the kiosk's own appointments.
                reporting.embedded.import_appointments(appointments.all())
            self.reporting = reporting
            sink.attach(reporting)

        self._reporting_thread = threading.Thread(target=connect, name="reporting-start", daemon=True)
        self._reporting_thread.start()

    def network_status(self) -> NetworkStatus:
        """For the maintenance screen: is the backoffice connection up, and are heartbeats arriving."""
        from kiosk.maintenance import NetworkStatus

        reporting = self.reporting
        if reporting is None:
            return NetworkStatus(connected=False)
        return NetworkStatus(True, reporting.embedded is not None, reporting.heartbeat.sent)

    def close(self) -> None:
        import shiboken6

        if self.machine.maintenance.log is not None:
            self.machine.maintenance.log.uninstall()

        if self._reporting_thread is not None:
            self._reporting_thread.join(timeout=30)
        if self.window.context.call is not None:  # hangs up; before the backoffice and the drivers go
            self.window.context.call.service.close()
        if self.remote_config is not None:  # its fetcher uses the backoffice client
            self.remote_config.close()
        # Before the backoffice client they use is closed:
        if self.window.context.checkin is not None:
            self.window.context.checkin.close()
        if self.window.context.documents is not None:
            self.window.context.documents.close()
        if self.reporting is not None:
            self.reporting.close()
        self.watcher.stop()
        if self.window.context.printing is not None:
            self.window.context.printing.close()
        if self.window.context.identity is not None:
            self.window.context.identity.close()
        if self.window.context.ticket_service is not None:
            self.window.context.ticket_service.close()
        self.controller.shutdown()
        self.window.close()
        shiboken6.delete(self.window)  # now, not at some later event loop turn
        self.drivers.close()


def open_shell(
    config: KioskConfig,
    *,
    theme: ThemeName = ThemeName.STANDARD,
    language: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> KioskShell:
    from kiosk.i18n import Translator
    from kiosk.session import Phase, SessionMachine
    from kiosk.ui.launch import load_bundled_font
    from kiosk.ui.screens.base import ScreenContext
    from kiosk.ui.theme import Theme
    from kiosk.ui.window import KioskWindow

    load_bundled_font()
    from kiosk.log_buffer import LogBuffer
    from kiosk.maintenance import MaintenanceAccess

    maintenance = MaintenanceAccess.from_config(config, clock)
    maintenance.log = LogBuffer()
    maintenance.log.install()  # the kiosk's own recent lines, for the maintenance screen
    machine = SessionMachine(config.session, config.device.languages, clock=clock, maintenance=maintenance)
    width, height = WINDOW_SIZES[config.device.orientation]
    base = Theme.named(theme).with_base(round(min(width, height) / 34))
    window = KioskWindow(ScreenContext(config=config, machine=machine, theme=base))
    window.resize(width, height)
    window.apply_theme(base)
    window.retranslate(Translator.for_language(language or machine.language))
    window.show_screen(window.screen_for(Phase.ATTRACT))
    return KioskShell(config, window, machine, base, clock)


def build_kiosk(
    config: KioskConfig,
    *,
    theme: ThemeName = ThemeName.STANDARD,
    clock: Callable[[], float] = time.monotonic,
    drivers: DriverSet | None = None,
    health_interval: float = 15.0,
) -> Kiosk:
    """The whole kiosk at once (tests, tools); `run_kiosk` does the same in two steps."""
    shell = open_shell(config, theme=theme, clock=clock)
    return shell.complete(drivers=drivers, health_interval=health_interval)


# The other roles of the same appliance (backoffice/DESK.md), imported only when configured.
ROLE_APPS = {
    Role.DISPLAY: "kiosk.ui.display.app:run_display",
    Role.COUNTER: "kiosk.ui.counter.app:run_counter",
}


def run_kiosk(config: KioskConfig, options: LaunchOptions) -> int:
    if config.device.role in ROLE_APPS:
        if not (config.backoffice.url and config.backoffice.token):
            print(
                f"balie kiosk: a {config.device.role} device needs [backoffice] url and token "
                "(run 'balie provision enroll' for this device first)",
                file=sys.stderr,
            )
            return 2
        module_name, function_name = ROLE_APPS[config.device.role].split(":")
        run_role: Callable[[KioskConfig, LaunchOptions], int] = getattr(
            importlib.import_module(module_name), function_name
        )
        return run_role(config, options)
    from kiosk.ui.launch import start_application

    launch = start_application(screenshot=options.screenshot)
    app = launch.app
    shell = open_shell(config, theme=options.theme, language=options.language)
    started: list[Kiosk] = []
    recoveries: list[Recovery] = []

    def after_first_frame() -> None:
        import logging

        from kiosk.ui.recovery import Recovery

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        recoveries.append(Recovery(shell.machine.reset))
        recoveries[-1].install()
        started.append(shell.complete(reporting=True))
        launch.notifier.ready()

    shell.window.first_frame_painted.connect(after_first_frame)
    # "Restart the kiosk" on the maintenance screen: a non-zero exit, and systemd's Restart=always starts it again.
    shell.machine.maintenance.on_restart = app.exit
    launch.present(shell.window, windowed=options.windowed, screenshot=options.screenshot)
    try:
        return app.exec()
    finally:
        launch.finish()
        for recovery in recoveries:
            recovery.uninstall()
        for kiosk in started:
            kiosk.close()
