"""The display board as the backoffice sends it (`GET /api/v1/display/board`, backoffice/DESK.md).

Parsed once, at the edge, into frozen dataclasses: the screen and the announcer never see JSON, and an
answer that does not have the contract's shape is refused whole (the display keeps the last good board)
instead of showing half of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

MAX_RECENT = 6  # DESK.md: "the last 6 calls, newest first"


class BoardMalformed(ValueError):
    """The backoffice's answer is not a board; the message says which part."""


@dataclass(frozen=True, slots=True)
class BoardCall:
    """One call or recall: a ticket number (`A042`) or an appointment's short code (`K7M`), never a name."""

    id: int
    label: str
    desk: str
    kind: str  # "call" or "recall"
    language: str | None  # the citizen's kiosk language, when known
    called_at: datetime  # with its offset

    @property
    def is_recall(self) -> bool:
        return self.kind == "recall"


@dataclass(frozen=True, slots=True)
class TopicWait:
    topic: str
    waiting: int
    expected_minutes: int | None  # None: no estimate yet today


@dataclass(frozen=True, slots=True)
class Board:
    calls: tuple[BoardCall, ...]  # newer than the `after` asked for, oldest first
    recent: tuple[BoardCall, ...]  # newest first
    waits: tuple[TopicWait, ...]
    server_time: datetime | None  # the backoffice's clock: a call's age is measured against it

    @property
    def current(self) -> BoardCall | None:
        """The call the screen shows largest: the newest one."""
        return self.recent[0] if self.recent else None

    def of_today(self, now: datetime) -> Board:
        """Only the recent calls of today (the display's local day, by the backoffice's clock when known):
        in the morning, yesterday's last number is not shown as the one being served."""
        today = (self.server_time or now).astimezone().date()
        recent = tuple(call for call in self.recent if call.called_at.astimezone().date() == today)
        return replace(self, recent=recent) if recent != self.recent else self


def parse_board(answer: Any) -> Board:
    if not isinstance(answer, Mapping):
        raise BoardMalformed("the board is not a JSON object")
    calls = _list(answer, "calls")
    recent = _list(answer, "recent")
    waits = _list(answer, "waits")
    server_time = answer.get("server_time")
    return Board(
        tuple(_call(item, f"calls[{index}]") for index, item in enumerate(calls)),
        tuple(_call(item, f"recent[{index}]") for index, item in enumerate(recent))[:MAX_RECENT],
        tuple(_wait(item, f"waits[{index}]") for index, item in enumerate(waits)),
        _time(server_time, "server_time") if server_time is not None else None,
    )


def _list(answer: Mapping[str, Any], key: str) -> list[Any]:
    value = answer.get(key, [])
    if not isinstance(value, list):
        raise BoardMalformed(f"{key} is not a list")
    return value


def _call(item: Any, where: str) -> BoardCall:
    if not isinstance(item, Mapping):
        raise BoardMalformed(f"{where} is not an object")
    call_id, label, desk = item.get("id"), item.get("label"), item.get("desk")
    kind, language = item.get("kind", "call"), item.get("language")
    if not isinstance(call_id, int) or isinstance(call_id, bool):
        raise BoardMalformed(f"{where}.id is not a whole number")
    if not isinstance(label, str) or not label.strip():
        raise BoardMalformed(f"{where}.label is missing")
    if not isinstance(desk, str | int) or isinstance(desk, bool) or not str(desk).strip():
        raise BoardMalformed(f"{where}.desk is missing")
    if kind not in ("call", "recall"):
        raise BoardMalformed(f"{where}.kind is neither call nor recall")
    if language is not None and not isinstance(language, str):
        raise BoardMalformed(f"{where}.language is not text")
    called_at = _time(item.get("called_at"), f"{where}.called_at")
    return BoardCall(call_id, label.strip(), str(desk).strip(), kind, language or None, called_at)


def _wait(item: Any, where: str) -> TopicWait:
    if not isinstance(item, Mapping):
        raise BoardMalformed(f"{where} is not an object")
    topic, waiting, expected = item.get("topic"), item.get("waiting"), item.get("expected_minutes")
    if not isinstance(topic, str) or not topic:
        raise BoardMalformed(f"{where}.topic is missing")
    if not isinstance(waiting, int) or isinstance(waiting, bool) or waiting < 0:
        raise BoardMalformed(f"{where}.waiting is not a count")
    if expected is not None and (not isinstance(expected, int | float) or isinstance(expected, bool) or expected < 0):
        raise BoardMalformed(f"{where}.expected_minutes is not a number of minutes")
    return TopicWait(topic, waiting, None if expected is None else round(expected))


def _time(value: Any, where: str) -> datetime:
    if not isinstance(value, str):
        raise BoardMalformed(f"{where} has no time")
    try:
        parsed = datetime.fromisoformat(value)  # Python 3.11 reads the trailing "Z" too
    except ValueError as error:
        raise BoardMalformed(f"{where} has a time that is not ISO 8601") from error
    if parsed.tzinfo is None:
        raise BoardMalformed(f"{where} has a time without its offset")
    return parsed
