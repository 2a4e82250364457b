"""Pairing codes: six random digits a counter device shows until a caseworker types them on the desk page.

A code is valid for `VALID` and pairs once. An expired or used code is remembered a while longer, so the
caseworker hears why it failed instead of "unknown". Only the event loop touches these (no lock), and the
clock is the backoffice's (`Settings.clock`), so tests expire codes without waiting.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from backoffice.counter_link.sentences import CounterRefusal

VALID = timedelta(minutes=10)
REMEMBERED = timedelta(minutes=30)  # how long an expired or used code still gets its own sentence
WRONG_LIMIT = 10  # wrong codes per caseworker within VALID before a pause: 10 of a million is no guess
DIGITS = re.compile(r"\d{6}")


@dataclass
class PairingCode:
    code: str  # the six digits, no space
    device_id: uuid.UUID
    location_id: int | None
    issued_at: datetime
    used: bool = False

    def shown(self) -> str:
        """As the device shows it: two groups of three ("483 920"), easier to read across a desk."""
        return f"{self.code[:3]} {self.code[3:]}"


def clean_code(typed: object) -> str:
    """The six digits of what was typed ("483 920", "483-920"), or a refusal in one sentence."""
    digits = re.sub(r"[\s.\-]", "", typed) if isinstance(typed, str) else ""
    if not DIGITS.fullmatch(digits):
        raise CounterRefusal("code_form", 422)
    return digits


class PairingCodes:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock
        self._codes: dict[str, PairingCode] = {}
        self._wrong: dict[int, list[datetime]] = {}  # staff user id -> times of wrong codes

    def issue(self, device_id: uuid.UUID, location_id: int | None) -> PairingCode:
        """A fresh code for the device; an earlier one that still worked is forgotten (an expired one is
        kept, so typing it still says "expired")."""
        self._forget_old()
        self.withdraw(device_id)
        while True:
            digits = f"{secrets.randbelow(1_000_000):06d}"
            if digits not in self._codes:
                break
        issued = PairingCode(digits, device_id, location_id, self.clock())
        self._codes[digits] = issued
        return issued

    def find(self, typed: object, staff_user_id: int) -> PairingCode:
        """The valid code typed, without spending it; refusals say wrong, expired or used."""
        digits = clean_code(typed)
        now = self.clock()
        recent = [at for at in self._wrong.get(staff_user_id, []) if now - at < VALID]
        self._wrong[staff_user_id] = recent
        if len(recent) >= WRONG_LIMIT:
            raise CounterRefusal("too_many_codes", 429)
        code = self._codes.get(digits)
        if code is None:
            recent.append(now)
            raise CounterRefusal("code_unknown", 404)
        if code.used:
            raise CounterRefusal("code_used", 409)
        if self.expired(code):
            raise CounterRefusal("code_expired", 410)
        return code

    def spend(self, code: PairingCode) -> None:
        code.used = True

    def expired(self, code: PairingCode) -> bool:
        return self.clock() - code.issued_at >= VALID

    def current(self, device_id: uuid.UUID) -> PairingCode | None:
        """The device's code that still works, if any."""
        for code in self._codes.values():
            if code.device_id == device_id and not code.used and not self.expired(code):
                return code
        return None

    def withdraw(self, device_id: uuid.UUID) -> None:
        """The device left or was paired another way: its working code must not pair it any more."""
        for digits in [d for d, c in self._codes.items() if c.device_id == device_id and not c.used]:
            if not self.expired(self._codes[digits]):
                del self._codes[digits]

    def _forget_old(self) -> None:
        now = self.clock()
        for digits in [d for d, c in self._codes.items() if now - c.issued_at >= REMEMBERED]:
            del self._codes[digits]
