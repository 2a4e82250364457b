"""The one place a driver is chosen for each device, by name, from configuration.

Entries are "module:factory" strings resolved with importlib only when needed: importing
this module loads no driver (kiosk start-up time is benchmarked), and check() reads just
the small factory modules, so a config can be validated on a machine without the hardware
libraries.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from drivers.health import Health, HealthState
from drivers.options import DriverConfigError, did_you_mean

if TYPE_CHECKING:  # types only: each device package is imported when its driver is built
    from drivers.camera.protocol import Camera
    from drivers.cardreader.protocol import CardReader
    from drivers.options import DriverFactory
    from drivers.printer.protocol import Printer
    from drivers.speech.protocol import Speech

__all__ = [
    "CALL_DEVICES",
    "DEVICES",
    "DriverConfigError",
    "DriverSet",
    "build",
    "build_all",
    "check",
    "driver_names",
]

log = logging.getLogger(__name__)

DEVICES = ("camera", "cardreader", "printer", "speech")
# Used only during a video call; built with build() by the call's owner, not in every DriverSet yet.
CALL_DEVICES = ("microphone", "audio_output")
DEFAULT_DRIVER = "simulated"

REGISTRY: dict[str, dict[str, str]] = {
    "camera": {
        "opencv": "drivers.camera.factories:opencv",
        "simulated": "drivers.camera.factories:simulated",
        "none": "drivers.camera.factories:none",
    },
    "cardreader": {
        "pcsc": "drivers.cardreader.factories:pcsc",
        "simulated": "drivers.cardreader.factories:simulated",
        "none": "drivers.cardreader.factories:none",
    },
    "printer": {
        "escpos": "drivers.printer.factories:escpos",
        "simulated": "drivers.printer.factories:simulated",
        "none": "drivers.printer.factories:none",
    },
    "speech": {
        "espeak": "drivers.speech.factories:espeak",
        "simulated": "drivers.speech.factories:simulated",
        "none": "drivers.speech.factories:none",
    },
    "microphone": {
        "pyav": "drivers.microphone.factories:pyav",
        "simulated": "drivers.microphone.factories:simulated",
        "none": "drivers.microphone.factories:none",
    },
    "audio_output": {
        "pyav": "drivers.audio_output.factories:pyav",
        "simulated": "drivers.audio_output.factories:simulated",
        "none": "drivers.audio_output.factories:none",
    },
}


def driver_names(device: str) -> tuple[str, ...]:
    return tuple(_drivers(device))


def check(device: str, driver: str, options: Mapping[str, object]) -> dict[str, object]:
    """Validate a driver name and its options without opening any hardware.

    Returns the options with defaults filled in. Raises DriverConfigError with key
    "driver" for an unknown driver, else the option name.
    """
    return _factory(device, driver).validate(options)


def build(device: str, driver: str, options: Mapping[str, object]) -> object:
    """Make the driver; raises DriverConfigError like check() for bad names or options."""
    return _factory(device, driver)(options)


@dataclass(frozen=True, slots=True)
class DriverSet:
    """One driver per device, as the kiosk uses them."""

    camera: Camera
    cardreader: CardReader
    printer: Printer
    speech: Speech

    def health(self) -> dict[str, Health]:
        """Every device's health; a driver that fails to answer counts as FAILED, not a crash."""
        result: dict[str, Health] = {}
        for device in DEVICES:
            try:
                result[device] = getattr(self, device).health()
            except Exception:
                log.exception("%s driver failed to report its health", device)
                result[device] = Health(HealthState.FAILED, "Driver error")
        return result

    def close(self) -> None:
        """Stop the camera, release the printer's line and the card reader, end the voice, at kiosk shutdown."""
        try:
            self.camera.stop()
            self.printer.close()
            close_reader = getattr(self.cardreader, "close", None)
            if close_reader is not None:
                close_reader()
        finally:
            self.speech.close()


def build_all(choices: Mapping[str, tuple[str, Mapping[str, object]]]) -> DriverSet:
    """Build a driver for every device; a device not in `choices` gets the simulated one."""
    unknown = sorted(set(choices) - set(DEVICES))
    if unknown:
        raise ValueError(f"unknown device '{unknown[0]}' (devices: {', '.join(DEVICES)})")
    for device in DEVICES:  # all problems before anything is built
        check(device, *choices.get(device, (DEFAULT_DRIVER, {})))
    built: dict[str, Any] = {}
    for device in DEVICES:
        driver, options = choices.get(device, (DEFAULT_DRIVER, {}))
        built[device] = build(device, driver, options)
    return DriverSet(
        camera=cast("Camera", built["camera"]),
        cardreader=cast("CardReader", built["cardreader"]),
        printer=cast("Printer", built["printer"]),
        speech=cast("Speech", built["speech"]),
    )


def _drivers(device: str) -> dict[str, str]:
    try:
        return REGISTRY[device]
    except KeyError:
        raise ValueError(f"unknown device '{device}' (devices: {', '.join(REGISTRY)})") from None


def _factory(device: str, driver: str) -> DriverFactory[object]:
    drivers = _drivers(device)
    if driver not in drivers:
        near = did_you_mean(driver, drivers)
        raise DriverConfigError("driver", f"unknown {device} driver '{driver}' ({near}available: {', '.join(drivers)})")
    module_name, _, attribute = drivers[driver].partition(":")
    factory = getattr(importlib.import_module(module_name), attribute)
    return cast("DriverFactory[object]", factory)
