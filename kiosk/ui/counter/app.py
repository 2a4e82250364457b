"""Start the counter device (`balie kiosk` with `[device] role = "counter"`): drivers, the link to the desk,
the window. All parts are built here once and passed in; tests build the same through `build_counter`.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.config import KioskConfig
from kiosk.ui.app import FONT_FAMILY, WINDOW_SIZES, LaunchOptions
from kiosk.ui.theme import Theme, ThemeName

if TYPE_CHECKING:
    from drivers.registry import DriverSet
    from kiosk.counter.link import CounterLink
    from kiosk.ui.counter.bridge import LinkBridge
    from kiosk.ui.counter.pdf_render import PdfRenderer
    from kiosk.ui.counter.window import CounterWindow
    from kiosk.ui.identity_service import IdentityService
    from kiosk.ui.printing import PrintService


@dataclass
class Counter:
    """The running parts, so that they can be shut down in order."""

    window: CounterWindow
    link: CounterLink
    bridge: LinkBridge
    drivers: DriverSet
    identity: IdentityService
    printing: PrintService
    pdf: PdfRenderer

    def close(self) -> None:
        import shiboken6

        self.link.close()  # first: no request may arrive for a window that is going
        self.window.wipe()
        self.identity.close()
        self.printing.close()
        self.pdf.close()
        self.window.close()
        shiboken6.delete(self.window)
        self.drivers.close()


def build_counter(
    config: KioskConfig,
    *,
    drivers: DriverSet | None = None,
    theme: ThemeName = ThemeName.STANDARD,
    offline_wipe_seconds: float = 60.0,
    backoff: tuple[float, ...] | None = None,
) -> Counter:
    """The counter's parts, wired; the link is started (it dials the backoffice at once)."""
    from PySide6.QtGui import QFontDatabase

    from assets import ASSETS_DIR
    from drivers.printer.logo import logo_raster
    from drivers.registry import build_all
    from kiosk.counter.link import BACKOFF, CounterLink
    from kiosk.ui.app import trust_store_for
    from kiosk.ui.counter.bridge import LinkBridge
    from kiosk.ui.counter.pdf_render import PdfRenderer
    from kiosk.ui.counter.step import CounterServices
    from kiosk.ui.counter.window import CounterWindow
    from kiosk.ui.identity_service import IdentityService
    from kiosk.ui.printing import PrintService
    from kiosk.ui.text_raster import QtTextRasterizer

    if not QFontDatabase.hasFamily(FONT_FAMILY):
        for font in sorted((ASSETS_DIR / "fonts").glob("*.ttf")):
            QFontDatabase.addApplicationFont(str(font))
    drivers = drivers or build_all(config.hardware.choices())
    identity = IdentityService(drivers.cardreader, trust_store_for(drivers, config.identity.trust_store))
    printing = PrintService(drivers.printer, QtTextRasterizer())
    pdf = PdfRenderer(drivers.printer.profile)
    logo = logo_raster(Path(config.device.logo), drivers.printer.profile.dots_per_line) if config.device.logo else None
    speech = drivers.speech
    services = CounterServices(
        config=config,
        speak=speech.say,
        identity=identity,
        camera=drivers.camera,
        printing=printing,
        pdf=pdf,
        logo=logo,
    )
    width, height = WINDOW_SIZES[config.device.orientation]
    window = CounterWindow(services, Theme.named(theme).with_base(round(min(width, height) / 30)), speech.stop)
    window.resize(width, height)
    bridge = LinkBridge()
    link = CounterLink(
        config.backoffice.url,
        config.backoffice.token,
        bridge,
        offline_wipe_seconds=offline_wipe_seconds,
        backoff=backoff or BACKOFF,
    )
    bridge.status_changed.connect(window.set_status)
    bridge.request_arrived_signal.connect(window.show_request)
    bridge.wiped.connect(window.wipe)
    window.answer_ready.connect(link.answer)
    window.visit_wiped.connect(link.forget)
    link.start()
    return Counter(window, link, bridge, drivers, identity, printing, pdf)


def run_counter(config: KioskConfig, options: LaunchOptions) -> int:
    if options.screenshot is not None and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from kiosk.watchdog import SystemdNotifier

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Balie")
    notifier = SystemdNotifier.from_environment()
    keep_alive = QTimer()
    if notifier.ping_interval is not None:
        keep_alive.timeout.connect(notifier.ping)
        keep_alive.start(max(1, round(notifier.ping_interval * 1000)))
    counter = build_counter(config, theme=options.theme)
    if options.language and options.language in counter.window.languages:
        from kiosk.i18n import Translator

        counter.window.retranslate(Translator.for_language(options.language))
    if options.windowed or options.screenshot is not None:
        counter.window.show()
    else:
        counter.window.showFullScreen()
    notifier.ready()
    if options.screenshot is not None:
        target = options.screenshot

        def capture() -> None:
            app.exit(0 if counter.window.grab().save(str(target), "PNG") else 1)

        QTimer.singleShot(0, capture)
    try:
        return app.exec()
    finally:
        keep_alive.stop()
        notifier.stopping()
        notifier.close()
        counter.close()
