"""A counter visit's waiting and service time in words, for the contact history: "wachtte 12 min, 8 min
aan de balie".

The desk records both in seconds on the `counter` contact (`waited_seconds`, `service_seconds`); a
caseworker reads whole minutes. The caseworker page and the video console's history panel both show them,
so the rounding lives here once: to the nearest minute, and a wait of a few seconds still reads "1 min"
(a "0 min" would read as a missing figure).
"""

from __future__ import annotations

from collections.abc import Callable

from backoffice.models_contacts import Contact

COUNTER = "counter"


def whole_minutes(seconds: int | None) -> int | None:
    if seconds is None:
        return None
    if seconds <= 0:
        return 0
    return max(1, (seconds + 30) // 60)


def visit_minutes(contact: Contact) -> tuple[int | None, int | None]:
    """(waited, served) in minutes for a counter contact; (None, None) for every other channel."""
    if contact.channel != COUNTER:
        return None, None
    return whole_minutes(contact.waited_seconds), whole_minutes(contact.service_seconds)


def visit_times(contact: Contact, t: Callable[[str], str]) -> str:
    """The words for `contact`'s times in `t`'s language; empty when it has none (not a counter visit)."""
    waited, served = visit_minutes(contact)
    parts = []
    if waited is not None:
        parts.append(t("visit_waited").format(minutes=waited))
    if served is not None:
        parts.append(t("visit_served").format(minutes=served))
    return ", ".join(parts)
