"""Whether the office is open at a moment, from the config's `opening_hours` ("09:00-17:00" or "closed").

A video call outside these hours would ring nobody; the kiosk says it is closed instead, with the
hours, before the citizen waits for an answer that cannot come.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from kiosk.config import WEEKDAYS


def is_open(opening_hours: Mapping[str, str], moment: dt.datetime) -> bool:
    hours = opening_hours.get(WEEKDAYS[moment.weekday()], "closed")
    if hours == "closed":
        return False
    start, end = (dt.time.fromisoformat(part) for part in hours.split("-"))
    return start <= moment.time() < end
