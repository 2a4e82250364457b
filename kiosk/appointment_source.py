"""Where a check-in is decided: the backoffice when it answers, the kiosk's own appointment list when not.

With a backoffice a code is checked in once for the whole location, so a forwarded letter cannot
be used at a second kiosk: the backoffice holds the one record and refuses the second. A citizen
must not be left standing when the network is down, so a backoffice that does not answer within
a moment (or answers something the kiosk does not understand) is skipped and the local file
decides, as it did before there was a backoffice; the log says so without the code or the name.
This blocks for a few seconds at most; the UI calls it off its thread.

The backoffice stores one topic text and no waiting area. When the local file (the offline copy
of the same agenda) has the code, its translations and waiting area are shown with the
backoffice's time.

Known gap: a check-in decided offline is not told to the backoffice afterwards (the `checked_in`
event carries no code), so another kiosk could accept that code again once the network is back.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from kiosk.appointments import CODE_PATTERN, Appointment, LocalAppointments, LookUpResult, Outcome, normalise_code
from kiosk.backoffice_client import BackofficeClient, BackofficeError, BackofficeRejected, BackofficeUnavailable

log = logging.getLogger(__name__)

ATTEMPTS = 2  # the same request id twice: a lost answer costs a resend, never a second check-in
# The backoffice's 409 details (backoffice/API.md), by the outcome the citizen is shown.
REFUSALS = (
    ("already checked in", Outcome.ALREADY_USED),
    ("too early", Outcome.TOO_EARLY),
    ("too late", Outcome.EXPIRED),
)


class AppointmentSource:
    def __init__(
        self,
        local: LocalAppointments,
        client: Callable[[], BackofficeClient | None],
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self.local = local
        self._client = client
        self._now = now

    def check_in(self, typed_code: str, language: str = "") -> LookUpResult:
        """`language`: the citizen's kiosk language, for the display's call (only the backoffice keeps it)."""
        code = normalise_code(typed_code)
        if not CODE_PATTERN.match(code):
            return LookUpResult(Outcome.MALFORMED)  # checked here: the backoffice would only say 422
        if self.local.is_used(code):
            return LookUpResult(Outcome.ALREADY_USED)  # here, with or without the network
        client = self._client()
        if client is not None:
            try:
                result = self._from_backoffice(client, code, language)
            except BackofficeError as error:
                log.warning("the backoffice did not decide a check-in (%s); the kiosk's own list is used", _kind(error))
            else:
                if result.outcome is Outcome.CHECKED_IN:
                    self.local.mark_used(code)
                return result
        return self.local.look_up(code)

    def _from_backoffice(self, client: BackofficeClient, code: str, language: str) -> LookUpResult:
        request_id = str(uuid.uuid4())
        failure: BackofficeUnavailable | None = None
        for attempt in range(ATTEMPTS):
            try:
                answer = client.check_in_appointment(code, request_id, language)
            except BackofficeUnavailable as error:
                log.info("check-in at the backoffice failed (attempt %d): %s", attempt + 1, error)
                failure = error
                continue
            except BackofficeRejected as refused:
                return self._refusal(client, code, refused)
            return LookUpResult(Outcome.CHECKED_IN, self._appointment(answer), via_backoffice=True)
        assert failure is not None
        raise failure

    def _refusal(self, client: BackofficeClient, code: str, refused: BackofficeRejected) -> LookUpResult:
        """The backoffice's "no", as the outcome the screen explains; anything else is not understood."""
        if refused.status == 404:
            return LookUpResult(Outcome.UNKNOWN, via_backoffice=True)
        if refused.status == 409:
            for start, outcome in REFUSALS:
                if refused.detail.startswith(start):
                    opens_at = self._opens_at(client, code) if outcome is Outcome.TOO_EARLY else None
                    return LookUpResult(outcome, opens_at=opens_at, via_backoffice=True)
        raise refused

    def _opens_at(self, client: BackofficeClient, code: str) -> dt.datetime | None:
        """When check-in opens, to tell the citizen; without it the screen says "too early" alone."""
        try:
            minutes = client.look_up_appointment(code).get("too_early_minutes")
        except BackofficeError:
            return None
        if not isinstance(minutes, int):
            return None
        # The backoffice rounds the minutes up; opening is on a whole minute, so this lands on it.
        return (self._now() + dt.timedelta(minutes=minutes)).replace(second=0, microsecond=0)

    def _appointment(self, answer: dict[str, Any]) -> Appointment:
        try:
            code = normalise_code(str(answer["code"]))
            # Shown and printed in the kiosk's local time, like the times of its own list.
            starts = dt.datetime.fromisoformat(str(answer["start"])).astimezone().replace(tzinfo=None)
            topic, first_name = str(answer["topic"]), str(answer["first_name"])
        except (KeyError, ValueError) as error:
            raise BackofficeUnavailable("the backoffice's check-in answer is incomplete") from error
        copy = self.local.find(code)
        if copy is None:
            return Appointment(code, first_name, starts, {"nl": topic}, {})
        # The local copy's translations only while they describe the same topic as the backoffice.
        topics = copy.topic if copy.topic.get("nl") == topic else {"nl": topic}
        return Appointment(code, first_name, starts, topics, copy.where)


def _kind(error: BackofficeError) -> str:
    """What went wrong, for the log: never the detail, which may echo the code."""
    if isinstance(error, BackofficeRejected):
        return f"refused with {error.status}"
    return type(error).__name__
