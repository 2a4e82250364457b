"""The device configuration: TOML in, validated typed settings out.

Validation happens once, at start-up, so a technician sees one clear line naming the
key and the problem instead of a crash later on site. Without a file every driver is
simulated and the kiosk needs nothing outside the machine (the embedded default).
The settings are plain frozen dataclasses; a file is converted into them by msgspec,
which checks types with exact key paths. msgspec is imported only when there is a
file to read, so the embedded default starts without it (start-up time is benchmarked).
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from kiosk.errors import ConfigError

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


@dataclass(frozen=True, kw_only=True)
class DeviceSettings:
    municipality: str = "Gemeente Voorbeeld"
    location: str = "Stadswinkel Centrum"
    role: Role = Role.KIOSK
    orientation: Orientation = Orientation.PORTRAIT
    languages: list[str] = field(default_factory=lambda: ["nl", "en"])
    tasks: list[str] = field(default_factory=lambda: ["checkin", "identify", "ticket", "scan", "opening_hours"])
    logo: str = ""  # image printed at the top of tickets and receipts (PNG/JPEG); empty: none


@dataclass(frozen=True, kw_only=True)
class SessionSettings:
    idle_seconds: int = 60
    warning_seconds: int = 30
    goodbye_seconds: int = 8


# Allowed ranges, checked after the types. A citizen reading a letter or finding their
# glasses must not be cut off early; EN 301 549 §5.2 / WCAG 2.2.1 want at least 20 s
# to say "I need more time".
SESSION_RANGES = {"idle_seconds": (15, 600), "warning_seconds": (20, 120), "goodbye_seconds": (3, 60)}


@dataclass(frozen=True, kw_only=True)
class CounterSettings:
    """Where the staffed counter is, said to citizens who want a person."""

    location_text: dict[str, str] = field(
        default_factory=lambda: {
            "nl": "Loop naar de balie met het bord 'Informatie'. Die is bij de ingang, aan de linkerkant.",
            "en": "Walk to the desk with the sign 'Informatie'. It is by the entrance, on the left.",
        }
    )


@dataclass(frozen=True, kw_only=True)
class AppointmentSettings:
    # Empty: the invented demo appointments shipped in assets/demo.
    file: str = ""


@dataclass(frozen=True, kw_only=True)
class TopicSettings:
    """A walk-in topic a citizen can take a number for."""

    letter: str  # first character of the ticket number: "A" gives A001, A002, …
    name: dict[str, str]  # per language; "nl" is required
    wait_area: dict[str, str]  # where to wait, per language


def _default_topics() -> list[TopicSettings]:
    return [
        TopicSettings(
            letter="A",
            name={"nl": "Paspoort of ID-kaart", "en": "Passport or ID card"},
            wait_area={"nl": "Wachtruimte A, begane grond", "en": "Waiting area A, ground floor"},
        ),
        TopicSettings(
            letter="B",
            name={"nl": "Rijbewijs", "en": "Driving licence"},
            wait_area={"nl": "Wachtruimte A, begane grond", "en": "Waiting area A, ground floor"},
        ),
        TopicSettings(
            letter="C",
            name={"nl": "Verhuizing of adres", "en": "Moving house or address"},
            wait_area={"nl": "Wachtruimte B, eerste verdieping", "en": "Waiting area B, first floor"},
        ),
        TopicSettings(
            letter="D",
            name={"nl": "Andere vraag", "en": "Another question"},
            wait_area={"nl": "Wachtruimte B, eerste verdieping", "en": "Waiting area B, first floor"},
        ),
    ]


@dataclass(frozen=True, kw_only=True)
class QueueSettings:
    # Put before the number when several kiosks may hand out numbers offline, so two never
    # give out the same one: prefix "2" gives 2-A001.
    prefix: str = ""
    # The QR code on a ticket links here; {number} is replaced. Empty: no QR code.
    status_url: str = "https://balie.example.nl/wachtrij/{number}"
    topics: list[TopicSettings] = field(default_factory=_default_topics)


@dataclass(frozen=True, kw_only=True)
class BackofficeSettings:
    # The backoffice this device reports to, e.g. "https://balie.gemeente.nl". Empty: the kiosk
    # runs its own embedded backoffice (SQLite on this machine), so every flow works alone.
    url: str = ""
    # The device credential, written by `balie provision enroll` (which makes this file mode 0600).
    token: str = ""
    # Where events wait until the backoffice has them. Empty: kiosk-outbox.db in the data folder.
    outbox: str = ""


@dataclass(frozen=True, kw_only=True)
class IdentitySettings:
    # CSCA certificates passive authentication trusts: a folder of PEM/DER certificates and ICAO
    # master lists (.ml), or one such file. Empty: the simulated reader's test issuer when the
    # reader is simulated, otherwise nothing — every document then reads as "cannot be checked".
    trust_store: str = ""


@dataclass(frozen=True, kw_only=True)
class MaintenanceSettings:
    # The technician's PIN for the maintenance screen, as a hash set by `balie provision maintenance-pin`
    # (never the PIN itself). Empty: the demo PIN in the all-simulated demo, else no maintenance screen.
    pin_hash: str = ""
    # The maintenance screen (and its PIN entry) closes after this long without a touch.
    idle_seconds: int = 60


@dataclass(frozen=True, kw_only=True)
class DriverChoice:
    driver: str = "simulated"
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class HardwareSettings:
    camera: DriverChoice = field(default_factory=DriverChoice)
    cardreader: DriverChoice = field(default_factory=DriverChoice)
    printer: DriverChoice = field(default_factory=DriverChoice)
    speech: DriverChoice = field(default_factory=DriverChoice)
    # Used only in a video call, so built by the call's owner rather than in every DriverSet.
    microphone: DriverChoice = field(default_factory=DriverChoice)
    audio_output: DriverChoice = field(default_factory=DriverChoice)

    def choices(self) -> dict[str, tuple[str, Mapping[str, object]]]:
        return {device: (c.driver, c.options) for device, c in self.by_device().items()}

    def call_choices(self) -> dict[str, tuple[str, Mapping[str, object]]]:
        return {
            "microphone": (self.microphone.driver, self.microphone.options),
            "audio_output": (self.audio_output.driver, self.audio_output.options),
        }

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


@dataclass(frozen=True, kw_only=True)
class KioskConfig:
    device: DeviceSettings = field(default_factory=DeviceSettings)
    session: SessionSettings = field(default_factory=SessionSettings)
    counter: CounterSettings = field(default_factory=CounterSettings)
    opening_hours: dict[str, str] = field(default_factory=_default_hours)
    appointments: AppointmentSettings = field(default_factory=AppointmentSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    identity: IdentitySettings = field(default_factory=IdentitySettings)
    backoffice: BackofficeSettings = field(default_factory=BackofficeSettings)
    maintenance: MaintenanceSettings = field(default_factory=MaintenanceSettings)
    hardware: HardwareSettings = field(default_factory=HardwareSettings)


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
    except PermissionError:
        raise ConfigError(source, "no permission to read it (run this as root, or as the kiosk user)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, f"cannot be read ({exc.__class__.__name__})") from None
    import tomllib  # only when there is a file: start-up time is benchmarked

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        from kiosk.config_mistakes import toml_syntax

        line, message = toml_syntax(str(exc))
        raise ConfigError(source, message, line) from None
    try:
        config = _resolved(parse_config(raw, source), path, source)
    except ConfigError as error:
        raise _with_line(error, text) from None
    return config


def _with_line(error: ConfigError, text: str) -> ConfigError:
    """The same error, told with the line its key is written on."""
    from kiosk.config_mistakes import KEY_PATH, line_of

    key = error.message.partition(": ")[0]
    line = line_of(text, key) if KEY_PATH.match(key) else None
    return ConfigError(error.source, error.message, line) if line else error


def _resolved(config: KioskConfig, path: Path, source: str) -> KioskConfig:
    """Files named in the config are found relative to it, as a technician expects."""
    file = config.appointments.file
    if file and not Path(file).is_absolute():
        absolute = str((path.parent / file).resolve())
        config = replace(config, appointments=replace(config.appointments, file=absolute))
        _check_appointments(config, source)
    logo = config.device.logo
    if logo and not Path(logo).is_absolute():
        config = replace(config, device=replace(config.device, logo=str((path.parent / logo).resolve())))
        _check_logo(config, source)
    trust_store = config.identity.trust_store
    if trust_store and not Path(trust_store).is_absolute():
        absolute = str((path.parent / trust_store).resolve())
        config = replace(config, identity=replace(config.identity, trust_store=absolute))
        _check_trust_store(config, source)
    return config


def parse_config(raw: Mapping[str, Any], source: str = "config") -> KioskConfig:
    import msgspec

    _refuse_unknown_keys(raw, KioskConfig, source, "")
    try:
        config = msgspec.convert(raw, KioskConfig, strict=True)
    except msgspec.ValidationError as exc:
        raise ConfigError(source, _plain(str(exc), raw)) from None
    _check_meaning(config, source)
    return config


def _refuse_unknown_keys(raw: object, section: type, source: str, path: str) -> None:
    """A typo in a key must be reported, not ignored: walk the tables against the sections."""
    if not isinstance(raw, Mapping):
        return  # the type check names it
    hints = typing.get_type_hints(section)
    known = [f.name for f in fields(section)]
    for key, value in raw.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in known:
            from kiosk.config_mistakes import unknown_key

            raise ConfigError(source, f"{where}: {unknown_key(str(key), known)}")
        hint = hints[key]
        if isinstance(hint, type) and is_dataclass(hint):
            _refuse_unknown_keys(value, hint, source, where)
        elif typing.get_origin(hint) is list and isinstance(value, list):
            (item_type,) = typing.get_args(hint)
            if isinstance(item_type, type) and is_dataclass(item_type):
                for index, item in enumerate(value):
                    _refuse_unknown_keys(item, item_type, source, f"{where}[{index}]")


def _plain(message: str, raw: Mapping[str, Any]) -> str:
    """Turn msgspec's "problem - at `$.a.b`" into "a.b: problem" in plain words, the key first."""
    from kiosk.config_mistakes import plain_validation

    problem, _, at = message.partition(" - at `$")
    path = at.rstrip("`").lstrip(".")
    unknown = re.match(r"^Object contains unknown field `(?P<key>[^`]*)`$", problem)
    if unknown:
        return f"{path + '.' if path else ''}{unknown['key']}: unknown key"
    path, problem = plain_validation(problem, path, raw, KioskConfig)
    return f"{path}: {problem}" if path else problem


def _check_appointments(config: KioskConfig, source: str) -> None:
    """Read the appointments file now, so a bad one is reported at start, not at the first check-in."""
    if not config.appointments.file or not Path(config.appointments.file).is_absolute():
        return
    from kiosk.appointments import AppointmentFileError, LocalAppointments

    try:
        LocalAppointments.from_file(Path(config.appointments.file))
    except AppointmentFileError as exc:
        raise ConfigError(source, f"appointments.file: {exc}") from None


def _check_meaning(config: KioskConfig, source: str) -> None:
    """Checks a type cannot express: known names, and values that fit together."""
    from drivers import registry  # only with a file to check: start-up time is benchmarked
    from drivers.options import did_you_mean
    from kiosk.tasks import TASKS

    device = config.device
    for key, (low, high) in SESSION_RANGES.items():
        value = getattr(config.session, key)
        if not low <= value <= high:
            raise ConfigError(source, f"session.{key}: must be from {low} to {high} seconds (got {value})")
    for index, language in enumerate(device.languages):
        if language not in SUPPORTED_LANGUAGES:
            raise ConfigError(
                source,
                f"device.languages[{index}]: language '{language}' has no translation "
                f"({did_you_mean(language, SUPPORTED_LANGUAGES)}available: {', '.join(SUPPORTED_LANGUAGES)})",
            )
    if not device.languages:
        raise ConfigError(source, "device.languages: at least one language is needed")
    if device.languages[0] != "nl" and "nl" not in device.languages:
        raise ConfigError(source, "device.languages: Dutch ('nl') must be offered")
    for index, task in enumerate(device.tasks):
        if task not in TASKS:
            raise ConfigError(
                source,
                f"device.tasks[{index}]: unknown task '{task}' "
                f"({did_you_mean(task, TASKS)}available: {', '.join(TASKS)})",
            )
    if len(set(device.tasks)) != len(device.tasks):
        raise ConfigError(source, "device.tasks: a task is listed twice")
    for language in ("nl",):
        if language not in config.counter.location_text:
            raise ConfigError(source, f"counter.location_text.{language}: missing (the Dutch text is needed)")
    for day, hours in config.opening_hours.items():
        if day not in WEEKDAYS:
            near = did_you_mean(day, WEEKDAYS)
            raise ConfigError(source, f"opening_hours.{day}: unknown day ({near}use {', '.join(WEEKDAYS)})")
        if not HOURS_PATTERN.match(hours):
            raise ConfigError(source, f"opening_hours.{day}: '{hours}' is not like '09:00-17:00' or 'closed'")
    call_devices = {"microphone": config.hardware.microphone, "audio_output": config.hardware.audio_output}
    for device_name, choice in {**config.hardware.by_device(), **call_devices}.items():
        try:
            registry.check(device_name, choice.driver, choice.options)
        except registry.DriverConfigError as exc:
            key = f"hardware.{device_name}"
            key += ".driver" if exc.key == "driver" else f".options.{exc.key}"
            raise ConfigError(source, f"{key}: {exc.message}") from None
    _check_appointments(config, source)
    _check_queue(config.queue, source)
    _check_logo(config, source)
    _check_trust_store(config, source)
    _check_backoffice(config, source)
    _check_maintenance(config, source)


def _check_maintenance(config: KioskConfig, source: str) -> None:
    from kiosk.maintenance import valid_pin_hash

    maintenance = config.maintenance
    if maintenance.pin_hash and not valid_pin_hash(maintenance.pin_hash):
        raise ConfigError(
            source, "maintenance.pin_hash: not a PIN hash; set the PIN with `balie provision maintenance-pin`"
        )
    if not 15 <= maintenance.idle_seconds <= 600:
        raise ConfigError(
            source, f"maintenance.idle_seconds: must be from 15 to 600 seconds (got {maintenance.idle_seconds})"
        )


def _check_backoffice(config: KioskConfig, source: str) -> None:
    backoffice = config.backoffice
    if backoffice.url and not re.match(r"^https?://[^\s/]+", backoffice.url):
        raise ConfigError(
            source, f"backoffice.url: '{backoffice.url}' must start with https:// (or http:// on a test bench)"
        )
    if backoffice.url and not backoffice.token:
        raise ConfigError(source, "backoffice.token: missing; enroll this device with `balie provision enroll`")
    if backoffice.token and not re.match(r"^bd1\.[0-9a-f-]{36}\.[A-Za-z0-9_-]+$", backoffice.token):
        raise ConfigError(
            source, "backoffice.token: not a device credential; enroll again with `balie provision enroll`"
        )


def _check_trust_store(config: KioskConfig, source: str) -> None:
    trust_store = config.identity.trust_store
    if trust_store and Path(trust_store).is_absolute() and not Path(trust_store).exists():
        raise ConfigError(source, f"identity.trust_store: {trust_store} does not exist")


def _check_logo(config: KioskConfig, source: str) -> None:
    logo = config.device.logo
    if not logo or not Path(logo).is_absolute():
        return
    from drivers.printer.document import DocumentError
    from drivers.printer.logo import logo_raster

    try:
        logo_raster(Path(logo), 576)
    except DocumentError as exc:
        raise ConfigError(source, f"device.logo: {exc}") from None


def _check_queue(queue: QueueSettings, source: str) -> None:
    if not re.fullmatch(r"[A-Z0-9]{0,3}", queue.prefix):
        raise ConfigError(source, f"queue.prefix: '{queue.prefix}' must be up to 3 capital letters or digits")
    if queue.status_url and "{number}" not in queue.status_url:
        raise ConfigError(source, "queue.status_url: must contain {number}, where the ticket number goes")
    letters = [topic.letter for topic in queue.topics]
    for index, topic in enumerate(queue.topics):
        where = f"queue.topics[{index}]"
        if not re.fullmatch(r"[A-Z]", topic.letter):
            raise ConfigError(source, f"{where}.letter: '{topic.letter}' must be one capital letter")
        if letters.count(topic.letter) > 1:
            raise ConfigError(source, f"{where}.letter: '{topic.letter}' is used by two topics")
        for key in ("name", "wait_area"):
            if "nl" not in getattr(topic, key):
                raise ConfigError(source, f"{where}.{key}.nl: missing (the Dutch text is needed)")
