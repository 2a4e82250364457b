"""`balie provision init`: a new device's config, from flags or by answering questions.

The technician on site knows the location, the screen and which plugs are in use, not the
TOML keys; so init asks in those terms (a camera is "/dev/video0", a printer is its port) and
turns the answers into the config's driver choices. Flags and the guided prompt feed the same
raw answers into the same parsers, so both give the same file. Nothing is written unless
kiosk.config.load_config accepts the result, and an existing file is replaced only with
--force, keeping its backoffice credential (enrollment codes are one-time).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.config import SUPPORTED_LANGUAGES, WEEKDAYS, CounterSettings, DeviceSettings, KioskConfig
from kiosk.errors import ConfigError
from provisioning.hardware_toml import hardware_section, toml_key, toml_value

Raw = dict[str, str]
Choice = tuple[str, dict[str, object]]

ROLES = ("kiosk", "counter", "display")
# Roles whose runtime needs an enrolled backoffice ([backoffice] url and token): they show its queue.
ENROLLED_ROLES = ("counter", "display")
ORIENTATIONS = ("portrait", "landscape")
FLOWS = ("none", "rtscts", "xonxoff", "dsrdtr")
BAUD_RATES = ("9600", "19200", "38400", "57600", "115200")
PAPER_WIDTHS = ("80", "58")
SIMULATED, NONE = "simulated", "none"
DAY_NAMES = {day[:3]: day for day in WEEKDAYS} | {day: day for day in WEEKDAYS}
HOURS = re.compile(r"^(closed|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$")
SIZE = re.compile(r"^(\d{2,4})x(\d{2,4})$")


class InitError(ValueError):
    """An answer or flag that cannot become a config; the message says what is allowed."""


class InitAborted(Exception):
    """The technician ended the questions (end of input) before the config was complete."""


# -- parsing the technician's answers ------------------------------------------------------------


def parse_list(text: str) -> list[str]:
    return [item for item in re.split(r"[,\s]+", text.strip().lower()) if item]


def parse_languages(text: str) -> list[str]:
    languages = parse_list(text)
    unknown = [language for language in languages if language not in SUPPORTED_LANGUAGES]
    if not languages or unknown:
        raise InitError(f"languages: use {', '.join(SUPPORTED_LANGUAGES)} (first is the default), not '{text}'")
    return languages


def parse_tasks(text: str) -> list[str]:
    from kiosk.tasks import TASKS

    tasks = parse_list(text)
    unknown = [task for task in tasks if task not in TASKS]
    if not tasks or unknown:
        raise InitError(f"tasks: unknown '{', '.join(unknown) or text}' (available: {', '.join(TASKS)})")
    return tasks


def parse_hours_value(text: str) -> str:
    value = text.strip().lower().replace(" ", "")
    if not HOURS.match(value):
        raise InitError(f"opening hours: '{text}' is not like 09:00-17:00 or closed")
    return value


def apply_hours(specs: Iterable[str], hours: Mapping[str, str]) -> dict[str, str]:
    """`DAY=HOURS` or `DAY-DAY=HOURS` (monday-friday=09:00-17:00, sat=closed) over `hours`."""
    result = dict(hours)
    for spec in specs:
        days, sep, value = spec.partition("=")
        if not sep:
            raise InitError(f"--hours '{spec}': use DAY=HH:MM-HH:MM or DAY-DAY=closed")
        first, _, last = days.strip().lower().partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise InitError(f"--hours '{spec}': unknown day (use {', '.join(WEEKDAYS)}, or mon, tue, …)")
        start, end = WEEKDAYS.index(DAY_NAMES[first]), WEEKDAYS.index(DAY_NAMES[last or first])
        if end < start:
            raise InitError(f"--hours '{spec}': the days run backwards")
        for day in WEEKDAYS[start : end + 1]:
            result[day] = parse_hours_value(value)
    return result


def parse_choice(name: str, text: str, choices: Iterable[str]) -> str:
    value = text.strip().lower()
    allowed = tuple(choices)
    if value not in allowed:
        raise InitError(f"{name}: use {', '.join(allowed)}, not '{text}'")
    return value


def camera_choice(value: str, size: str = "") -> Choice:
    """simulated | none | a V4L2 device (/dev/video0), an index (0), a file or a stream URL."""
    value = value.strip()
    if value in (SIMULATED, NONE):
        return value, {}
    if not value:
        raise InitError("camera: use simulated, none or a device such as /dev/video0")
    options: dict[str, object] = {"source": value}
    if size.strip():
        match = SIZE.match(size.strip().lower())
        if not match:
            raise InitError(f"camera size: '{size}' is not like 1280x720")
        options["width"], options["height"] = int(match[1]), int(match[2])
    return "opencv", options


def reader_choice(value: str) -> Choice:
    """simulated | none | pcsc (the first reader) | part of a reader's name (a PC/SC reader)."""
    value = value.strip()
    if value in (SIMULATED, NONE):
        return value, {}
    if value in ("", "pcsc"):
        return "pcsc", {}
    return "pcsc", {"reader": value}


def printer_choice(value: str, baud: str = "", flow: str = "", paper: str = "") -> Choice:
    """simulated | none | a serial port (/dev/ttyUSB0) or socket://HOST:9100 (an ESC/POS printer)."""
    value = value.strip()
    if value in (SIMULATED, NONE):
        return value, {}
    if not (value.startswith("/dev/") or value.startswith("socket://")):
        raise InitError(f"printer: use simulated, none, a port (/dev/ttyUSB0) or socket://HOST:9100, not '{value}'")
    options: dict[str, object] = {"port": value}
    if baud.strip() and not value.startswith("socket://"):
        options["baudrate"] = int(parse_choice("printer baud rate", baud, BAUD_RATES))
    if flow.strip() and not value.startswith("socket://"):
        options["flow"] = parse_choice("printer flow control", flow, FLOWS)
    if paper.strip():
        options["paper_mm"] = int(parse_choice("paper width (mm)", paper, PAPER_WIDTHS))
    return "escpos", options


def speech_choice(value: str) -> Choice:
    return parse_choice("speech", value or SIMULATED, (SIMULATED, NONE, "espeak")), {}


def sound_choice(device: str, value: str) -> Choice:
    """simulated | none | an ALSA device (default, plughw:CARD=…) through PyAV."""
    value = value.strip()
    if value in (SIMULATED, NONE):
        return value, {}
    return "pyav", {"device": value or "default"}


# -- the answers and the file they make ------------------------------------------------------------


@dataclass(frozen=True)
class InitAnswers:
    municipality: str
    location: str
    role: str
    orientation: str
    languages: list[str]
    tasks: list[str]
    opening_hours: dict[str, str]
    counter_text: dict[str, str]
    hardware: dict[str, Choice] = field(default_factory=dict)


def default_raw() -> Raw:
    """The embedded default as answers: what init writes when asked nothing."""
    device, counter, config = DeviceSettings(), CounterSettings(), KioskConfig()
    raw: Raw = {
        "municipality": device.municipality,
        "location": device.location,
        "role": device.role.value,
        "orientation": device.orientation.value,
        "languages": ",".join(device.languages),
        "tasks": ",".join(device.tasks),
        "camera": SIMULATED,
        "camera_size": "",
        "reader": SIMULATED,
        "printer": SIMULATED,
        "printer_baud": "",
        "printer_flow": "",
        "paper": "",
        "speech": SIMULATED,
        "microphone": SIMULATED,
        "audio_output": SIMULATED,
    }
    raw.update({f"hours_{day}": hours for day, hours in config.opening_hours.items()})
    raw.update({f"counter_{language}": text for language, text in counter.location_text.items()})
    return raw


def answers_from_raw(raw: Mapping[str, str]) -> InitAnswers:
    languages = parse_languages(raw["languages"])
    counter_text = {
        language: raw[f"counter_{language}"].strip()
        for language in SUPPORTED_LANGUAGES
        if raw.get(f"counter_{language}", "").strip() and (language in languages or language == "nl")
    }
    for name in ("municipality", "location"):
        if not raw[name].strip():
            raise InitError(f"{name}: must not be empty")
    return InitAnswers(
        municipality=raw["municipality"].strip(),
        location=raw["location"].strip(),
        role=parse_choice("role", raw["role"], ROLES),
        orientation=parse_choice("orientation", raw["orientation"], ORIENTATIONS),
        languages=languages,
        tasks=parse_tasks(raw["tasks"]),
        opening_hours={day: parse_hours_value(raw[f"hours_{day}"]) for day in WEEKDAYS},
        counter_text=counter_text,
        hardware={
            "camera": camera_choice(raw["camera"], raw.get("camera_size", "")),
            "cardreader": reader_choice(raw["reader"]),
            "printer": printer_choice(
                raw["printer"], raw.get("printer_baud", ""), raw.get("printer_flow", ""), raw.get("paper", "")
            ),
            "speech": speech_choice(raw["speech"]),
            "microphone": sound_choice("microphone", raw["microphone"]),
            "audio_output": sound_choice("audio output", raw["audio_output"]),
        },
    )


def render(answers: InitAnswers, backoffice: Mapping[str, str] | None = None) -> str:
    lines = [
        "# Balie device configuration, written by `balie provision init`.",
        "# Every key is explained in provisioning/example-kiosk.toml; keys left out keep their defaults.",
        "# Next: `balie provision selftest --config THIS_FILE`, then `balie provision enroll … --config THIS_FILE`.",
        "",
        "[device]",
        f"municipality = {toml_value(answers.municipality)}",
        f"location = {toml_value(answers.location)}",
        f"role = {toml_value(answers.role)}",
        f"orientation = {toml_value(answers.orientation)}",
        f"languages = {toml_value(answers.languages)}",
        f"tasks = {toml_value(answers.tasks)}",
        "",
        "[counter]",
        "# Said to a citizen who asks for a person: where the staffed counter is.",
        *(f"location_text.{toml_key(lang)} = {toml_value(text)}" for lang, text in answers.counter_text.items()),
        "",
        "[opening_hours]",
        *(f"{day} = {toml_value(answers.opening_hours[day])}" for day in WEEKDAYS),
        "",
    ]
    text = "\n".join(lines) + "\n" + hardware_section(answers.hardware)
    if backoffice:
        table = "\n".join(f"{toml_key(key)} = {toml_value(value)}" for key, value in backoffice.items())
        text += "\n[backoffice]\n" + table + "\n"
    return text


def kept_backoffice(path: Path) -> dict[str, str]:
    """The `[backoffice]` of the file being replaced, so --force does not cost the enrollment."""
    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("backoffice", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    if not isinstance(table, dict) or not table.get("token"):
        return {}
    return {key: str(table[key]) for key in ("url", "token", "outbox") if isinstance(table.get(key), str)}


def write_config(path: Path, text: str, private: bool) -> KioskConfig:
    """Validate `text` as `path` would be read, then put it there atomically.

    Mode 0644: the kiosk user reads it and nothing in it is secret, until `enroll` adds the
    token and makes it 0600 (`private`, when a kept credential is already in the text).
    """
    from kiosk.config import load_config

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".toml")
    try:
        os.fchmod(handle, 0o600 if private else 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        try:
            config = load_config(Path(temporary))  # relative files resolve beside the real path
        except ConfigError as error:
            raise ConfigError(str(path), error.message) from None
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return config


# -- the guided prompt -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    check: Callable[[str, Raw], object] = lambda value, raw: value
    when: Callable[[Raw], bool] = lambda raw: True
    hint: str = ""  # what was found attached, shown under the question


def _real(device_key: str) -> Callable[[Raw], bool]:
    return lambda raw: raw.get(device_key, SIMULATED).strip() not in (SIMULATED, NONE)


def _serial_printer(raw: Raw) -> bool:
    return raw.get("printer", "").strip().startswith("/dev/")


def questions(found: Mapping[str, str] | None = None) -> list[Question]:
    """The guided prompt's questions in order; `found` holds detection hints per device."""
    found = found or {}
    asked = [
        Question("municipality", "Municipality (shown above the welcome)"),
        Question("location", 'Location name ("Welkom bij …", and the device\'s name in the fleet view)'),
        Question("role", "Role: kiosk, counter or display", lambda v, raw: parse_choice("role", v, ROLES)),
        Question(
            "orientation", "Screen: portrait or landscape", lambda v, raw: parse_choice("orientation", v, ORIENTATIONS)
        ),
        Question("languages", "Languages, first is the default (nl, en)", lambda v, raw: parse_languages(v)),
        Question("tasks", "Tasks on the menu, in order", lambda v, raw: parse_tasks(v)),
    ]
    asked += [
        Question(f"hours_{day}", f"Opening hours on {day} (09:00-17:00 or closed)", lambda v, raw: parse_hours_value(v))
        for day in WEEKDAYS
    ]
    asked += [
        Question("counter_nl", "Where is the staffed counter? In Dutch (B1)"),
        Question(
            "counter_en",
            "Where is the staffed counter? In English",
            when=lambda raw: "en" in parse_list(raw.get("languages", "")),
        ),
        Question(
            "camera",
            "Camera: simulated, none, or a device such as /dev/video0",
            lambda v, raw: camera_choice(v),
            hint=found.get("camera", ""),
        ),
        Question(
            "camera_size",
            "Camera picture size, e.g. 1280x720 (empty: 1280x720)",
            lambda v, raw: camera_choice("0", v),
            when=_real("camera"),
        ),
        Question(
            "reader",
            "Card reader: simulated, none, pcsc (the first reader) or part of its name",
            lambda v, raw: reader_choice(v),
            hint=found.get("cardreader", ""),
        ),
        Question(
            "printer",
            "Printer: simulated, none, or a port such as /dev/ttyUSB0 or socket://192.168.1.20:9100",
            lambda v, raw: printer_choice(v),
            hint=found.get("printer", ""),
        ),
        Question(
            "printer_baud",
            "Printer baud rate (empty: 115200)",
            lambda v, raw: v and parse_choice("baud rate", v, BAUD_RATES),
            when=_serial_printer,
        ),
        Question(
            "paper",
            "Paper width in mm, 80 or 58 (empty: 80)",
            lambda v, raw: v and parse_choice("paper width", v, PAPER_WIDTHS),
            when=_real("printer"),
        ),
        Question("speech", "Speech: espeak, simulated or none", lambda v, raw: speech_choice(v)),
        Question("microphone", "Microphone for video calls: simulated, none or an ALSA device such as default"),
        Question("audio_output", "Speaker for video calls: simulated, none or an ALSA device such as default"),
    ]
    return asked


def ask_all(
    raw: Raw, ask: Callable[[str], str], say: Callable[[str], None], found: Mapping[str, str] | None = None
) -> Raw:
    """Ask every question that applies, with the current answer as the default (Enter keeps it);
    a wrong answer is explained and asked again. Raises InitAborted at the end of input."""
    answers = dict(raw)
    for question in questions(found):
        if not question.when(answers):
            continue
        if question.hint:
            say(f"  found: {question.hint}")
        while True:
            default = answers.get(question.key, "")
            try:
                reply = ask(f"{question.text} [{default}]: ").strip()
            except EOFError:
                raise InitAborted("no more answers; nothing written") from None
            value = reply or default
            try:
                question.check(value, answers)
            except InitError as error:
                say(f"  ! {error}")
                continue
            answers[question.key] = value
            break
    return answers
