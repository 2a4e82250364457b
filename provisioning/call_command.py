"""`balie call`: place a video call as the configured (enrolled) device, with its camera and microphone.

For technicians (does the call path work from this device?) and for end-to-end tests. Prints one status
word per line on stdout — `waiting`, `connected`, `ended` — and details on stderr; exits 0 after a
normal end (the caseworker ended it, or `--seconds` passed after connecting and the device hung up).
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.call.services import CallUpdate
    from kiosk.config import KioskConfig

EXIT_OK = 0
EXIT_NOT_ENDED_NORMALLY = 1
EXIT_USAGE = 2


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    call = commands.add_parser("call", help="place a video call to a caseworker as this device")
    call.add_argument("--config", type=Path, required=True, help="the device config with [backoffice] url and token")
    call.add_argument("--topic", default="", help="the call's topic, shown to the caseworker")
    call.add_argument("--seconds", type=float, help="hang up this many seconds after connecting")
    call.add_argument("--language", default="nl", help="the citizen's language, e.g. nl or en")
    call.add_argument("--can", help="card access number of the document on the reader, if asked to read it")
    call.set_defaults(run=_call)


class _Printer:
    """Prints each status word once per change, so a script can wait for a line."""

    def __init__(self) -> None:
        self.last: str | None = None
        self.connected_at = threading.Event()
        self.ended = threading.Event()
        self.update: CallUpdate | None = None

    def call_update(self, update: CallUpdate) -> None:
        from kiosk.call.services import CallPhase

        self.update = update
        word = {CallPhase.WAITING: "waiting", CallPhase.CONNECTED: "connected", CallPhase.ENDED: "ended"}.get(
            update.phase
        )
        if update.phase is CallPhase.WAITING:
            wait = update.estimated_wait_seconds
            estimate = "unknown" if wait is None else f"about {max(1, round(wait / 60))} min"
            print(f"position {update.position}, wait {estimate}", file=sys.stderr, flush=True)
        elif update.phase is CallPhase.RECONNECTING:
            print("reconnecting", file=sys.stderr, flush=True)
        elif update.phase is CallPhase.ENDED and update.reason is not None:
            print(f"ended: {update.reason.value}", file=sys.stderr, flush=True)
        if word is not None and word != self.last:
            print(word, flush=True)
            self.last = word
        if update.phase is CallPhase.CONNECTED:
            self.connected_at.set()
        if update.phase is CallPhase.ENDED:
            self.ended.set()


def _call(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.errors import ConfigError

    try:
        config = load_config(args.config)
    except ConfigError as error:
        print(f"balie call: {error}", file=sys.stderr)
        return EXIT_USAGE
    if not (config.backoffice.url and config.backoffice.token):
        print(
            "balie call: this device is not enrolled: run `balie provision enroll` to add [backoffice] url and token",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        access_key = _access_key(config, args.can)
    except ValueError as error:
        print(f"balie call: {error}", file=sys.stderr)
        return EXIT_USAGE
    return _place(config, args, access_key)


def _access_key(config: KioskConfig, can: str | None) -> Any:
    from drivers.cardreader.icao.document import CanKey

    if can:
        if not (len(can) == 6 and can.isdigit()):
            raise ValueError("--can must be 6 digits")
        return CanKey(can)
    reader = config.hardware.cardreader
    if reader.driver != "simulated":
        return None
    # The simulated reader holds an invented specimen: its own printed MRZ opens it.
    from drivers.cardreader.emrtd.specimens import id_card_specimen, passport_specimen

    card = str(reader.options.get("card", "passport"))
    specimen = {"passport": passport_specimen, "id-card": id_card_specimen}.get(card)
    return specimen().access_key if specimen is not None else None


def _trust_store(config: KioskConfig) -> Any:
    from drivers.cardreader.icao.trust_store import TrustStore

    if config.identity.trust_store:
        return TrustStore.from_path(Path(config.identity.trust_store))
    if config.hardware.cardreader.driver == "simulated":
        from drivers.cardreader.emrtd.factory import default_issuer

        return TrustStore.of([default_issuer().csca_certificate])
    return TrustStore.empty()


def _place(config: KioskConfig, args: argparse.Namespace, access_key: Any) -> int:
    from drivers import registry
    from kiosk.call.driver_services import DriverCallServices
    from kiosk.call.engine import CallDevices, CallEngine
    from kiosk.call.services import EndReason

    if config.hardware.camera.driver == "opencv":
        from drivers.camera.preview import quiet_opencv_logging

        quiet_opencv_logging()  # a missing camera is told in one line below, not in OpenCV's warnings
    drivers = registry.build_all(config.hardware.choices())
    call_devices = {name: registry.build(name, *choice) for name, choice in config.hardware.call_choices().items()}
    problem = _device_problem(config, {"camera": drivers.camera, **call_devices})
    if problem:
        drivers.close()
        print(f"balie call: {problem}", file=sys.stderr)
        return EXIT_NOT_ENDED_NORMALLY
    drivers.camera.start()
    printer = _Printer()
    services = DriverCallServices(
        drivers, _trust_store(config), access_key, say=lambda text: print(text, file=sys.stderr, flush=True)
    )
    engine = CallEngine(
        config.backoffice.url,
        config.backoffice.token,
        CallDevices(drivers.camera, call_devices["microphone"], call_devices["audio_output"]),  # type: ignore[arg-type]
        services,
        printer,
    )
    try:
        engine.place_call(args.topic, args.language)
        if args.seconds is not None:
            _hang_up_after(engine, printer, args.seconds)
        printer.ended.wait()
        engine.wait_ended(timeout=10)
    except KeyboardInterrupt:
        engine.hang_up()
        printer.ended.wait(timeout=5)
    finally:
        engine.close()
        drivers.close()
    update = printer.update
    normal = update is not None and update.reason in (EndReason.CASEWORKER, EndReason.CITIZEN)
    return EXIT_OK if normal else EXIT_NOT_ENDED_NORMALLY


def _device_problem(config: KioskConfig, devices: dict[str, Any]) -> str:
    """The first configured call device that is not there, with its reason: said before calling,
    so a technician testing the call path hears "no permission on /dev/video0", not a call without
    a picture. A device set to "none" is left out on purpose and is not a problem."""
    from drivers.health import HealthState

    drivers = {name: choice.driver for name, choice in config.hardware.by_device().items()}
    drivers.update({name: driver for name, (driver, _) in config.hardware.call_choices().items()})
    for name, device in devices.items():
        if drivers.get(name) == "none":
            continue
        health = device.health()
        if health.state in (HealthState.MISSING, HealthState.FAILED):
            return f"{name}: {health.reason}"
    return ""


def _hang_up_after(engine: Any, printer: _Printer, seconds: float) -> None:
    def watch() -> None:
        while not printer.ended.is_set():
            if printer.connected_at.wait(timeout=0.2):
                if not printer.ended.wait(timeout=seconds):
                    engine.hang_up()
                return

    threading.Thread(target=watch, name="call-timer", daemon=True).start()
