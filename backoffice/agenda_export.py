"""Reading the agenda system's export (CSV or JSON) into appointments, for the CLI and the staff page alike.

One parser, two policies: `balie backoffice import-appointments` is all or nothing (a script must not
half-import), the staff page imports the good entries and lists each refused one, so a manager fixes
a few rows instead of the whole file. So a problem is data (a text key, where, and values), read in
English on the command line and in the colleague's language on the page. No problem names a first
name or a code: with a code, anyone reading a log or a screen could check the citizen in.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from backoffice.appointments import (
    CODE_LENGTH,
    MAX_DURATION,
    MAX_FIRST_NAME,
    MAX_TOPIC,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    AppointmentFileError,
    ImportedAppointment,
    is_valid_code,
    normalise_code,
)
from backoffice.i18n import translator

Translate = Callable[[str], str]
ROW, APPOINTMENT = "row", "appointment"  # a CSV row as a spreadsheet numbers it (header = 1); a JSON item from 1


@dataclass(frozen=True)
class Problem:
    """What is wrong with the file (`entry` empty) or with one entry of it; `key` names the text in i18n."""

    key: str
    entry: str = ""
    number: int = 0
    values: dict[str, str | int] = field(default_factory=dict)

    def where(self, t: Translate) -> str:
        return t(f"agenda_entry_{self.entry}").format(n=self.number) if self.entry else ""

    def reason(self, t: Translate) -> str:
        return t(f"agenda_problem_{self.key}").format(**self.values)

    def text(self, t: Translate) -> str:
        return f"{self.where(t)}: {self.reason(t)}" if self.entry else self.reason(t)


class AgendaFileRefused(AppointmentFileError):
    """The whole file cannot be used (or, for the CLI, one entry of it); nothing is imported."""

    def __init__(self, problem: Problem, source: str = "") -> None:
        english = problem.text(translator("en"))
        super().__init__(f"{source}: {english}" if source else english)
        self.problem = problem


@dataclass(frozen=True)
class AgendaFile:
    """The usable appointments of a file and the entries refused, in file order."""

    appointments: list[ImportedAppointment]
    refused: list[Problem]

    @property
    def entries(self) -> int:
        return len(self.appointments) + len(self.refused)


class _Refused(Exception):
    def __init__(self, key: str, **values: str | int) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def _text(item: dict[str, object], key: str, limit: int) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _Refused("missing", field=key)
    clean = " ".join(value.split())
    if len(clean) > limit:
        raise _Refused("too_long", field=key, limit=limit)
    return clean


def _start(value: object, zone: ZoneInfo) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise _Refused("missing", field="start")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise _Refused("start_not_iso", value=value.strip()[:40]) from None
    # Agenda exports give the town hall's wall-clock time; an explicit offset is respected.
    return parsed.replace(tzinfo=zone) if parsed.tzinfo is None else parsed


def _duration(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        minutes = int(value) if isinstance(value, int | str) and not isinstance(value, bool) else None
    except ValueError:
        minutes = None
    if minutes is None or not 1 <= minutes <= MAX_DURATION:
        raise _Refused("duration", limit=MAX_DURATION)
    return minutes


def _appointment(item: object, zone: ZoneInfo) -> ImportedAppointment:
    if not isinstance(item, dict):
        raise _Refused("not_an_object", fields=", ".join(REQUIRED_FIELDS))
    if None in item:  # csv.DictReader puts values beyond the header's columns under None
        raise _Refused("too_many_values")
    unknown = sorted(set(item) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        # Refused, not ignored: a misspelt column would otherwise vanish silently.
        raise _Refused(
            "unknown_field", field=str(unknown[0])[:40], expected=", ".join(REQUIRED_FIELDS + OPTIONAL_FIELDS)
        )
    raw_code = item.get("code")
    code = normalise_code(raw_code) if isinstance(raw_code, str) else ""
    if not is_valid_code(code):
        raise _Refused("code", length=CODE_LENGTH)
    return ImportedAppointment(
        code=code,
        starts_at=_start(item.get("start"), zone),
        topic=_text(item, "topic", MAX_TOPIC),
        first_name=_text(item, "first_name", MAX_FIRST_NAME),
        duration_minutes=_duration(item.get("duration_minutes")),
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on a Dutch Windows PC is Windows-1252, not UTF-8.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise AgendaFileRefused(Problem("not_text")) from None


Entry = tuple[str, int, object]  # (ROW or APPOINTMENT, its number, what the file holds there)


def _csv_entries(text: str) -> list[Entry]:
    header = text.partition("\n")[0]
    # Excel in a Dutch locale separates with ";" (the comma is the decimal sign there).
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        names = reader.fieldnames or []
        reader.fieldnames = [name.strip().lower() for name in names]
        missing = [name for name in REQUIRED_FIELDS if name not in reader.fieldnames]
        if missing:
            raise AgendaFileRefused(Problem("header", values={"column": missing[0]}))
        return [(ROW, reader.line_num, dict(row)) for row in reader]
    except csv.Error:
        raise AgendaFileRefused(Problem("not_csv", values={"line": reader.line_num})) from None


def _json_entries(text: str) -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AgendaFileRefused(Problem("not_json", values={"line": exc.lineno, "column": exc.colno})) from None
    items = data.get("appointments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise AgendaFileRefused(Problem("not_a_list"))
    return [(APPOINTMENT, number, item) for number, item in enumerate(items, start=1)]


def parse_agenda(name: str, data: bytes, timezone: str) -> AgendaFile:
    """Every entry of the file `name` (.csv or .json), usable or refused; `AgendaFileRefused` if none can be read."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".csv", ".json"):
        raise AgendaFileRefused(Problem("suffix"))
    text = _decode(data)
    entries = _csv_entries(text) if suffix == ".csv" else _json_entries(text)
    zone = ZoneInfo(timezone)
    appointments: list[ImportedAppointment] = []
    refused: list[Problem] = []
    first_seen: dict[str, int] = {}
    for entry, number, item in entries:
        try:
            appointment = _appointment(item, zone)
        except _Refused as refusal:
            refused.append(Problem(refusal.key, entry, number, refusal.values))
            continue
        if appointment.code in first_seen:
            # The first one counts; a second with the same code would silently overwrite it.
            refused.append(Problem(f"repeated_{entry}", entry, number, {"first": first_seen[appointment.code]}))
            continue
        first_seen[appointment.code] = number
        appointments.append(appointment)
    return AgendaFile(appointments=appointments, refused=refused)


def read_appointment_file(path: Path, timezone: str) -> list[ImportedAppointment]:
    """For the CLI: every appointment in the file, or `AgendaFileRefused` naming the first problem."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AgendaFileRefused(Problem("not_found"), str(path)) from None
    except OSError as exc:
        raise AgendaFileRefused(Problem("unreadable", values={"error": exc.__class__.__name__}), str(path)) from None
    try:
        agenda = parse_agenda(path.name, data, timezone)
    except AgendaFileRefused as exc:
        raise AgendaFileRefused(exc.problem, str(path)) from None
    if agenda.refused:
        raise AgendaFileRefused(agenda.refused[0], str(path))
    return agenda.appointments
