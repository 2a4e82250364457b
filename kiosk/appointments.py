"""The kiosk's own appointment list, read from a JSON or CSV file, looked up by the code on the letter.

With a backoffice, `kiosk.appointment_source` asks it first and uses this list only when it does
not answer, so the file is the offline copy of the agenda (in the embedded default, the invented
people of assets/demo, imported into the embedded backoffice too). A code can be checked in once:
a second check-in with it is refused, so a forwarded letter cannot be used twice. Codes are folded
as the backoffice folds them (O → 0, I and L → 1), so both answer the same for what a citizen types.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

DEMO_FILE = Path(__file__).resolve().parent.parent / "assets" / "demo" / "appointments.json"
CODE_PATTERN = re.compile(r"^[A-Z0-9]{8}$")
# Characters people misread on a letter, folded as backoffice/appointments.py folds them.
_FOLD = str.maketrans({"O": "0", "I": "1", "L": "1"})
# How late a citizen may still check in; after that the counter must help them.
LATE_MARGIN = dt.timedelta(minutes=30)


class Outcome(StrEnum):
    CHECKED_IN = "checked_in"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    ALREADY_USED = "already_used"
    EXPIRED = "expired"
    TOO_EARLY = "too_early"  # only the backoffice knows when check-in opens


@dataclass(frozen=True, slots=True)
class Appointment:
    code: str
    first_name: str
    starts: dt.datetime
    topic: dict[str, str]
    where: dict[str, str]


@dataclass(frozen=True, slots=True)
class LookUpResult:
    outcome: Outcome
    appointment: Appointment | None = None
    opens_at: dt.datetime | None = None  # TOO_EARLY: when check-in opens, when the backoffice said
    via_backoffice: bool = False  # decided by the backoffice, not by the kiosk's own list


class AppointmentFileError(Exception):
    pass


def normalise_code(typed: str) -> str:
    """Letters as capitals, without the spaces and dashes people type or letters print, and with
    O, I and L read as the digits they are taken for."""
    return re.sub(r"[\s\-]", "", typed).upper().translate(_FOLD)


class LocalAppointments:
    def __init__(self, appointments: list[Appointment], now: Callable[[], dt.datetime] = dt.datetime.now):
        self._by_code = {a.code: a for a in appointments}
        self._used: set[str] = set()
        self._now = now
        self._lock = threading.Lock()  # the check-in thread and the backoffice import read it at once

    @classmethod
    def from_file(cls, path: Path | None = None, now: Callable[[], dt.datetime] = dt.datetime.now) -> LocalAppointments:
        path = path or DEMO_FILE
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix.lower() == ".csv":
                items = [_from_csv_row(row) for row in csv.DictReader(io.StringIO(text))]
            else:
                items = json.loads(text)["appointments"]
            return cls([_parse(item, now()) for item in items], now)
        except FileNotFoundError:
            raise AppointmentFileError(f"{path}: file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise AppointmentFileError(f"{path}: cannot be read ({exc.__class__.__name__})") from None
        except csv.Error as exc:
            raise AppointmentFileError(f"{path}: not valid CSV ({exc})") from None
        except json.JSONDecodeError as exc:
            raise AppointmentFileError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
        except KeyError as exc:
            raise AppointmentFileError(f"{path}: an appointment lacks the key {exc}") from None
        except (ValueError, TypeError) as exc:
            raise AppointmentFileError(f"{path}: {exc}") from None

    def look_up(self, typed_code: str) -> LookUpResult:
        code = normalise_code(typed_code)
        if not CODE_PATTERN.match(code):
            return LookUpResult(Outcome.MALFORMED)
        appointment = self._by_code.get(code)
        if appointment is None:
            return LookUpResult(Outcome.UNKNOWN)
        with self._lock:
            if code in self._used:
                return LookUpResult(Outcome.ALREADY_USED)
            if self._now() > appointment.starts + LATE_MARGIN:
                return LookUpResult(Outcome.EXPIRED, appointment)
            self._used.add(code)
        return LookUpResult(Outcome.CHECKED_IN, appointment)

    def find(self, code: str) -> Appointment | None:
        """The local copy of an appointment (its translations and waiting area), used or not."""
        return self._by_code.get(normalise_code(code))

    def is_used(self, code: str) -> bool:
        with self._lock:
            return normalise_code(code) in self._used

    def mark_used(self, code: str) -> None:
        """Checked in elsewhere (by the backoffice): refused here too, should the network go down."""
        with self._lock:
            self._used.add(normalise_code(code))

    def all(self) -> list[Appointment]:
        return list(self._by_code.values())


def _from_csv_row(row: dict[str, str]) -> dict[str, object]:
    """CSV columns: code, first_name, date, time, then topic_nl, where_nl and optionally
    topic_en, where_en — the shape an agenda system's export is easily given."""
    item: dict[str, object] = {key: row[key] for key in ("code", "first_name", "date", "time")}
    for field in ("topic", "where"):
        item[field] = {
            column.removeprefix(f"{field}_"): value
            for column, value in row.items()
            if column and column.startswith(f"{field}_") and value
        }
    return item


def _parse(item: dict[str, object], loaded_at: dt.datetime) -> Appointment:
    date_text, time_text = str(item["date"]), str(item["time"])
    if date_text == "today" and time_text == "soon":
        # Keeps the demo data usable at any hour: the next quarter after a quarter from now.
        soon = loaded_at + dt.timedelta(minutes=15)
        starts = soon.replace(second=0, microsecond=0) + dt.timedelta(minutes=-soon.minute % 15)
    else:
        day = loaded_at.date() if date_text == "today" else dt.date.fromisoformat(date_text)
        starts = dt.datetime.combine(day, dt.time.fromisoformat(time_text))
    topic = item["topic"]
    where = item["where"]
    if not isinstance(topic, dict) or not isinstance(where, dict):
        raise TypeError("topic and where must be tables of language → text")
    return Appointment(
        code=normalise_code(str(item["code"])),
        first_name=str(item["first_name"]),
        starts=starts,
        topic={str(k): str(v) for k, v in topic.items()},
        where={str(k): str(v) for k, v in where.items()},
    )
