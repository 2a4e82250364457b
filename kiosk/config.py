"""The device configuration: TOML in, validated typed settings out.

Validation happens once, at start-up, so a technician sees one clear line naming the
key and the problem instead of a crash later on site. Without a file every driver is
simulated and the kiosk needs nothing outside the machine (the embedded default).
msgspec is used because it validates with exact key paths and imports in a few
milliseconds (start-up time is benchmarked).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import msgspec

from drivers import registry
from kiosk.errors import ConfigError

LANGUAGE_CODE = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2}$")]
SUPPORTED_LANGUAGES = ("nl", "en")
HOURS_PATTERN = re.compile(r"^(closed|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Role(StrEnum):
    KIOSK = "kiosk"
    COUNTER = "counter"
    DISPLAY = "display"


class Orientation(StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


class _Section(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class DeviceSettings(_Section):
    municipality: str = "Gemeente Voorbeeld"
    location: str = "Stadswinkel Centrum"
    role: Role = Role.KIOSK
    orientation: Orientation = Orientation.PORTRAIT
    languages: list[LANGUAGE_CODE] = msgspec.field(default_factory=lambda: ["nl", "en"])
    tasks: list[str] = msgspec.field(default_factory=lambda: ["checkin", "opening_hours"])


class SessionSettings(_Section):
    # A citizen reading a letter or finding their glasses must not be cut off early.
    idle_seconds: Annotated[int, msgspec.Meta(ge=15, le=600)] = 60
    # EN 301 549 §5.2 / WCAG 2.2.1: at least 20 s to say "I need more time".
    warning_seconds: Annotated[int, msgspec.Meta(ge=20, le=120)] = 30
    goodbye_seconds: Annotated[int, msgspec.Meta(ge=3, le=60)] = 8


class CounterSettings(_Section):
    """Where the staffed counter is, said to citizens who want a person."""

    location_text: dict[LANGUAGE_CODE, str] = msgspec.field(
        default_factory=lambda: {
            "nl": "Loop naar de balie met het bord 'Informatie'. Die is bij de ingang, aan de linkerkant.",
            "en": "Walk to the desk with the sign 'Informatie'. It is by the entrance, on the left.",
        }
    )


class AppointmentSettings(_Section):
    # Empty: the invented demo appointments shipped in assets/demo.
    file: str = ""


class DriverChoice(_Section):
    driver: str = "simulated"
    options: dict[str, Any] = msgspec.field(default_factory=dict)


class HardwareSettings(_Section):
    camera: DriverChoice = msgspec.field(default_factory=DriverChoice)
    cardreader: DriverChoice = msgspec.field(default_factory=DriverChoice)
    printer: DriverChoice = msgspec.field(default_factory=DriverChoice)
    speech: DriverChoice = msgspec.field(default_factory=DriverChoice)

    def choices(self) -> dict[str, tuple[str, Mapping[str, object]]]:
        return {device: (c.driver, c.options) for device, c in self.by_device().items()}

    def by_device(self) -> dict[str, DriverChoice]:
        return {
            "camera": self.camera,
            "cardreader": self.cardreader,
            "printer": self.printer,
            "speech": self.speech,
        }


def _default_hours() -> dict[str, str]:
    hours = dict.fromkeys(WEEKDAYS[:5], "09:00-17:00")
    hours.update(thursday="09:00-20:00", saturday="closed", sunday="closed")
    return hours


class KioskConfig(_Section):
    device: DeviceSettings = msgspec.field(default_factory=DeviceSettings)
    session: SessionSettings = msgspec.field(default_factory=SessionSettings)
    counter: CounterSettings = msgspec.field(default_factory=CounterSettings)
    opening_hours: dict[str, str] = msgspec.field(default_factory=_default_hours)
    appointments: AppointmentSettings = msgspec.field(default_factory=AppointmentSettings)
    hardware: HardwareSettings = msgspec.field(default_factory=HardwareSettings)


def default_config() -> KioskConfig:
    """The embedded default: every device simulated, invented demo data."""
    return KioskConfig()


def load_config(path: Path | None) -> KioskConfig:
    """Read and validate a config file; raises ConfigError naming the key and problem."""
    if path is None:
        return default_config()
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "file not found") from None
    except IsADirectoryError:
        raise ConfigError(source, "is a directory, not a config file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, f"cannot be read ({exc.__class__.__name__})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, f"not valid TOML: {exc}") from None
    return parse_config(raw, source)


def parse_config(raw: Mapping[str, Any], source: str = "config") -> KioskConfig:
    try:
        config = msgspec.convert(raw, KioskConfig, strict=True)
    except msgspec.ValidationError as exc:
        raise ConfigError(source, _plain(str(exc))) from None
    _check_meaning(config, source)
    return config


def _plain(message: str) -> str:
    """Turn msgspec's "problem - at `$.a.b`" into "a.b: problem" so the key comes first."""
    problem, _, at = message.partition(" - at `$")
    path = at.rstrip("`").lstrip(".")
    unknown = re.match(r"^Object contains unknown field `(?P<key>[^`]*)`$", problem)
    if unknown:
        return f"{path + '.' if path else ''}{unknown['key']}: unknown key"
    return f"{path}: {problem}" if path else problem


def _check_meaning(config: KioskConfig, source: str) -> None:
    """Checks a type cannot express: known names, and values that fit together."""
    from kiosk.tasks import TASKS  # a small, Qt-free catalogue

    device = config.device
    for index, language in enumerate(device.languages):
        if language not in SUPPORTED_LANGUAGES:
            raise ConfigError(
                source,
                f"device.languages[{index}]: language '{language}' has no translation "
                f"(available: {', '.join(SUPPORTED_LANGUAGES)})",
            )
    if not device.languages:
        raise ConfigError(source, "device.languages: at least one language is needed")
    if device.languages[0] != "nl" and "nl" not in device.languages:
        raise ConfigError(source, "device.languages: Dutch ('nl') must be offered")
    for index, task in enumerate(device.tasks):
        if task not in TASKS:
            raise ConfigError(
                source,
                f"device.tasks[{index}]: unknown task '{task}' (available: {', '.join(TASKS)})",
            )
    if len(set(device.tasks)) != len(device.tasks):
        raise ConfigError(source, "device.tasks: a task is listed twice")
    if device.role is not Role.KIOSK:
        raise ConfigError(source, f"device.role: role '{device.role}' is not available yet (use 'kiosk')")
    for language in ("nl",):
        if language not in config.counter.location_text:
            raise ConfigError(source, f"counter.location_text.{language}: missing (the Dutch text is needed)")
    for day, hours in config.opening_hours.items():
        if day not in WEEKDAYS:
            raise ConfigError(source, f"opening_hours.{day}: unknown day (use {', '.join(WEEKDAYS)})")
        if not HOURS_PATTERN.match(hours):
            raise ConfigError(source, f"opening_hours.{day}: '{hours}' is not like '09:00-17:00' or 'closed'")
    for device_name, choice in config.hardware.by_device().items():
        try:
            registry.check(device_name, choice.driver, choice.options)
        except registry.DriverConfigError as exc:
            key = f"hardware.{device_name}"
            key += ".driver" if exc.key == "driver" else f".options.{exc.key}"
            raise ConfigError(source, f"{key}: {exc.message}") from None
