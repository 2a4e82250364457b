"""The call queue and the relay between a kiosk and a caseworker: one instance's state, on its event loop.

A call is never in the database while it waits or runs: it is a conversation, not a record. What
lasts is the contact written when it ends (`CallRecords`). All state lives here, on one asyncio loop,
so the rules are plain code without locks, and a fake clock plus `tick()` tests every timer.

Routing: a waiting call rings one available caseworker at a time, the one idle longest, for
`ring_seconds`, then the next; every caseworker sees the whole queue and an available one may take any
waiting call. Nobody answering within `unanswered_seconds`, or no caseworker signed in at all, ends the
wait with a reason the kiosk turns into alternatives (take a number, opening hours).

Media never passes here: the kiosk's offer and the browser's answer do (complete SDP, no trickle ICE;
aiortc gathers before it offers), and so do the requests of the side panels (read the chip, scan,
print, a message). A dropped line keeps its call for `reconnect_grace_seconds`: the kiosk resumes with
the call's secret resume token, a reloaded console tab takes its call back.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
import weakref
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

log = logging.getLogger(__name__)

Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]

# What each side may send the other during a connected call; everything else is refused.
KIOSK_TO_CONSOLE = frozenset(
    {
        "signal.offer",
        "identity.progress",
        "identity.result",
        "identity.failed",
        "scan.page",
        "scan.done",
        "scan.failed",
        "print.done",
        "print.failed",
        "message.shown",
        "citizen.cant_hear",
        "call.media",
        "chat.message",
    }
)
CONSOLE_TO_KIOSK = frozenset(
    {"signal.answer", "identity.request", "scan.request", "print.pdf", "message.show", "chat.message"}
)
DEFAULT_CALL_SECONDS = 240.0  # the estimate's call length before this instance has finished any call


class CaseworkerStatus(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    AWAY = "away"


class CallState(StrEnum):
    WAITING = "waiting"
    CONNECTED = "connected"
    ENDED = "ended"


class EndReason(StrEnum):
    CITIZEN = "citizen"  # the citizen hung up or cancelled
    CASEWORKER = "caseworker"  # the caseworker ended the call
    UNANSWERED = "unanswered"  # nobody answered in time
    NO_CASEWORKERS = "no_caseworkers"  # nobody signed in to answer
    KIOSK_GONE = "kiosk_gone"  # the kiosk's line dropped and did not come back in time
    CASEWORKER_GONE = "caseworker_gone"  # the caseworker's tab closed and did not come back in time


class ProtocolError(ValueError):
    """A message the other side should not have sent now; its text goes back to the sender."""


@dataclass(frozen=True)
class CallSettings:
    ring_seconds: float = 20.0
    unanswered_seconds: float = 120.0
    reconnect_grace_seconds: float = 10.0
    # Handed to both ends; a production site lists its STUN and coturn servers (see backoffice/CALLS.md).
    ice_servers: tuple[dict[str, Any], ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> CallSettings:
        """`BALIE_ICE_SERVERS` (JSON list as RTCIceServer takes it), `BALIE_CALL_RING_SECONDS`,
        `BALIE_CALL_UNANSWERED_SECONDS`; a bad value stops the start with a message naming it."""
        servers: tuple[dict[str, Any], ...] = ()
        text = environ.get("BALIE_ICE_SERVERS", "").strip()
        if text:
            try:
                parsed = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"BALIE_ICE_SERVERS is not valid JSON ({exc.msg})") from None
            if not isinstance(parsed, list) or not all(isinstance(s, dict) and "urls" in s for s in parsed):
                raise ValueError('BALIE_ICE_SERVERS must be a list like [{"urls": "stun:stun.example.nl:3478"}]')
            servers = tuple(parsed)
        numbers = {}
        for name, key in (
            ("ring_seconds", "BALIE_CALL_RING_SECONDS"),
            ("unanswered_seconds", "BALIE_CALL_UNANSWERED_SECONDS"),
        ):
            if environ.get(key):
                try:
                    numbers[name] = float(environ[key])
                except ValueError:
                    raise ValueError(f"{key} must be a number of seconds") from None
                if numbers[name] <= 0:
                    raise ValueError(f"{key} must be more than 0")
        return cls(ice_servers=servers, **numbers)


@dataclass(frozen=True)
class KioskIdentity:
    device_id: uuid.UUID
    device_name: str
    location_id: int | None
    location: str


@dataclass(frozen=True)
class StaffIdentity:
    user_id: int
    username: str


class CallRecords(Protocol):
    """What outlasts a call: its contact row, and the citizen keys for the history (database work)."""

    async def citizen_keys(self, identity: Message) -> list[str]: ...

    async def history(self, keys: list[str], caseworker: StaffIdentity) -> list[Message]:
        """The contact history under `keys`, newest first; the look is audit-logged as `caseworker`'s."""
        ...

    async def record(self, call: Call) -> None:
        """Write or update the call's contact (`call.contact_id`); called at the end and on later feedback."""
        ...


@dataclass(eq=False)
class CaseworkerLine:
    staff: StaffIdentity
    send: Send
    status: CaseworkerStatus = CaseworkerStatus.AWAY
    idle_since: float = 0.0
    call: Call | None = None
    connected: bool = True
    dropped_at: float | None = None


@dataclass(eq=False)
class KioskLine:
    kiosk: KioskIdentity
    send: Send
    call: Call | None = None


@dataclass(eq=False)
class Call:
    id: str
    kiosk: KioskIdentity
    topic: str
    language: str
    created: float
    started_at: float  # wall clock (time.time()) for the contact record
    kiosk_line: KioskLine | None
    resume_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    state: CallState = CallState.WAITING
    first_in_line: bool = False
    ringing: CaseworkerLine | None = None
    ring_started: float = 0.0
    rung: set[int] = field(default_factory=set)
    caseworker: CaseworkerLine | None = None
    answered: float | None = None
    ended_wall: float | None = None
    end_reason: EndReason | None = None
    kiosk_dropped_at: float | None = None
    # In memory only, for the call's length: the chip's data goes to the console and is then forgotten;
    # only the keyed hashes outlive the call, in the contact.
    citizen_keys: list[str] = field(default_factory=list)
    contact_id: uuid.UUID | None = None
    outcome: str | None = None
    note: str | None = None
    feedback: dict[str, Any] | None = None
    recorded_topic: str | None = None

    def public(self) -> Message:
        return {"call_id": self.id, "location": self.kiosk.location, "topic": self.topic, "language": self.language}


class CallRouter:
    def __init__(
        self, settings: CallSettings, records: CallRecords, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings = settings
        self.records = records
        self.clock = clock
        self.calls: dict[str, Call] = {}
        self.caseworkers: dict[int, CaseworkerLine] = {}
        self._call_lengths: list[float] = []
        # What each line was last told about the queue; weak, so a closed line's entry goes with it.
        self._last_sent: weakref.WeakKeyDictionary[Any, Message] = weakref.WeakKeyDictionary()

    # --- the queue ---------------------------------------------------------------------------------------

    def waiting(self) -> list[Call]:
        """Waiting calls in the order they are served: a citizen called back first, then by arrival."""
        calls = [c for c in self.calls.values() if c.state is CallState.WAITING]
        return sorted(calls, key=lambda c: (not c.first_in_line, c.created))

    def estimated_wait(self, position: int) -> float | None:
        """Seconds until a caseworker is free for the call at `position` (1-based), None if nobody is on duty."""
        on_duty = [c for c in self.caseworkers.values() if c.connected and c.status is not CaseworkerStatus.AWAY]
        if not on_duty:
            return None
        recent = self._call_lengths[-20:]
        length = sum(recent) / len(recent) if recent else DEFAULT_CALL_SECONDS
        free_now = sum(1 for c in on_duty if c.status is CaseworkerStatus.AVAILABLE and c.call is None)
        ahead = max(position - free_now, 0)
        return ahead * length / len(on_duty)

    async def _announce_queue(self) -> None:
        """Tell each line its part of the queue, but only when it changed: the timer runs twice a second,
        and a kiosk that speaks every update must not repeat itself."""
        waiting = self.waiting()
        now = self.clock()
        for position, call in enumerate(waiting, start=1):
            if call.kiosk_line is not None:
                estimate = self.estimated_wait(position)
                queued = {
                    "type": "call.queued",
                    "call_id": call.id,
                    "position": position,
                    # Whole minutes: seconds of jitter in the estimate are no news to the citizen.
                    "estimated_wait_seconds": None if estimate is None else 60 * round(estimate / 60),
                }
                await self._send_if_changed(call.kiosk_line.send, queued, queued)
        for line in self.caseworkers.values():
            if line.connected:
                listing = [
                    {**call.public(), "position": position, "ringing_you": call.ringing is line}
                    for position, call in enumerate(waiting, start=1)
                ]
                # Waiting times are sent along but not compared: the console counts them up itself.
                timed = [
                    {**item, "waiting_seconds": round(now - call.created)}
                    for item, call in zip(listing, waiting, strict=True)
                ]
                await self._send_if_changed(line.send, {"type": "queue", "calls": timed}, {"queue": listing})

    async def _send_if_changed(self, send: Send, message: Message, signature: Message) -> None:
        if self._last_sent.get(send) == signature:
            return
        self._last_sent[send] = signature
        await safe_send(send, message)

    def _next_caseworker(self, call: Call) -> CaseworkerLine | None:
        free = [
            c
            for c in self.caseworkers.values()
            if c.connected
            and c.status is CaseworkerStatus.AVAILABLE
            and c.call is None
            and not any(other.ringing is c for other in self.calls.values() if other is not call)
        ]
        if not free:
            return None
        fresh = [c for c in free if c.staff.user_id not in call.rung]
        if not fresh:  # everyone had their turn: start the round again
            call.rung.clear()
            fresh = free
        return min(fresh, key=lambda c: c.idle_since)

    async def _ring(self) -> None:
        """Give each waiting call, in order, a ringing caseworker if one is free and its ring is not current."""
        now = self.clock()
        for call in self.waiting():
            ring = call.ringing
            still_ringing = ring is not None and now - call.ring_started < self.settings.ring_seconds
            if still_ringing and ring is not None and ring.connected and ring.status is CaseworkerStatus.AVAILABLE:
                continue
            previous = call.ringing
            call.ringing = None
            chosen = self._next_caseworker(call)
            if chosen is None:
                continue
            call.ringing, call.ring_started = chosen, now
            call.rung.add(chosen.staff.user_id)
            if chosen is not previous:
                await safe_send(chosen.send, {"type": "call.ringing", **call.public()})

    async def _changed(self) -> None:
        await self._ring()
        await self._announce_queue()

    # --- timers ------------------------------------------------------------------------------------------

    async def tick(self) -> None:
        """Run every half second by the app (tests call it with a fake clock): rings, timeouts, grace periods."""
        now = self.clock()
        grace = self.settings.reconnect_grace_seconds
        for call in list(self.calls.values()):
            if call.state is CallState.WAITING and now - call.created >= self.settings.unanswered_seconds:
                await self._end(call, EndReason.UNANSWERED)
            elif call.kiosk_dropped_at is not None and now - call.kiosk_dropped_at >= grace:
                await self._end(call, EndReason.KIOSK_GONE)
        for line in list(self.caseworkers.values()):
            if line.dropped_at is not None and now - line.dropped_at >= self.settings.reconnect_grace_seconds:
                del self.caseworkers[line.staff.user_id]
                if line.call is not None:
                    await self._end(line.call, EndReason.CASEWORKER_GONE)
        await self._changed()

    # --- the kiosk's side --------------------------------------------------------------------------------

    def kiosk_connected(self, kiosk: KioskIdentity, send: Send) -> KioskLine:
        return KioskLine(kiosk=kiosk, send=send)

    async def kiosk_disconnected(self, line: KioskLine) -> None:
        call = line.call
        if call is None or call.kiosk_line is not line:
            return
        call.kiosk_line = None
        if call.state is CallState.WAITING:
            await self._end(call, EndReason.CITIZEN)  # a waiting citizen who left has nothing to resume
        elif call.state is CallState.CONNECTED:
            call.kiosk_dropped_at = self.clock()
            if call.caseworker is not None:
                await safe_send(call.caseworker.send, {"type": "call.reconnecting", "call_id": call.id})

    async def kiosk_message(self, line: KioskLine, message: Message) -> None:
        kind = message.get("type")
        if kind == "call.request":
            await self._request(line, message)
        elif kind == "call.resume":
            await self._resume(line, message)
        elif kind in ("call.cancel", "call.hangup"):
            if line.call is not None and line.call.state is not CallState.ENDED:
                # A kiosk that gives up on a broken media path says so: the citizen may call again first.
                lost = message.get("reason") == "network" and line.call.state is CallState.CONNECTED
                await self._end(line.call, EndReason.KIOSK_GONE if lost else EndReason.CITIZEN)
        elif kind == "call.topic":
            # The optional topic choice follows the tap: the call is already queued and keeps its place.
            call = line.call
            if call is None or call.state is not CallState.WAITING:
                raise ProtocolError("the topic can be changed while waiting")
            call.topic = _text(message.get("topic"), "topic", 100) or call.topic
            await self._changed()
        elif kind == "feedback":
            await self._feedback(line, message)
        elif kind in KIOSK_TO_CONSOLE:
            call = self._connected_call(line.call)
            if kind == "identity.result":
                await self._identity(call, message)
                return
            await safe_send(_caseworker_send(call), {**message, "call_id": call.id})
        else:
            raise ProtocolError(f"unknown message type {kind!r}")

    async def _request(self, line: KioskLine, message: Message) -> None:
        if line.call is not None and line.call.state is not CallState.ENDED:
            raise ProtocolError("this kiosk already has a call")
        topic = _text(message.get("topic"), "topic", 100) or "general"
        language = _text(message.get("language"), "language", 8) or "nl"
        first = False
        earlier = message.get("call_again")
        if isinstance(earlier, str):
            # "Call again, first in line" is offered only after a call that ended for the network's sake.
            previous = self.calls.get(earlier)
            first = (
                previous is not None
                and previous.kiosk.device_id == line.kiosk.device_id
                and (previous.end_reason in (EndReason.KIOSK_GONE, EndReason.CASEWORKER_GONE))
            )
        now = self.clock()
        call = Call(
            id=str(uuid.uuid4()),
            kiosk=line.kiosk,
            topic=topic,
            language=language,
            created=now,
            started_at=time.time(),
            kiosk_line=line,
            first_in_line=first,
        )
        line.call = call
        on_duty = [c for c in self.caseworkers.values() if c.connected]
        if not on_duty:
            self.calls[call.id] = call
            await self._end(call, EndReason.NO_CASEWORKERS)
            return
        self.calls[call.id] = call
        await safe_send(
            line.send,
            {"type": "call.accepted", "call_id": call.id, "resume_token": call.resume_token, **self.ice()},
        )
        await self._changed()

    async def _resume(self, line: KioskLine, message: Message) -> None:
        call = self.calls.get(str(message.get("call_id")))
        token = message.get("resume_token")
        if call is None or call.state is CallState.ENDED or not isinstance(token, str):
            raise ProtocolError("this call has ended")
        if not secrets.compare_digest(token, call.resume_token) or call.kiosk.device_id != line.kiosk.device_id:
            raise ProtocolError("this call has ended")
        call.kiosk_line, call.kiosk_dropped_at = line, None
        line.call = call
        await safe_send(line.send, {"type": "call.resumed", "call_id": call.id, "state": call.state.value})
        if call.caseworker is not None:
            await safe_send(call.caseworker.send, {"type": "call.resumed", "call_id": call.id})

    async def _identity(self, call: Call, message: Message) -> None:
        document = message.get("document")
        if isinstance(document, dict):
            call.citizen_keys = await self.records.citizen_keys(document)
        await safe_send(_caseworker_send(call), {**message, "call_id": call.id})
        if call.citizen_keys and call.caseworker is not None:
            rows = await self.records.history(call.citizen_keys, call.caseworker.staff)
            await safe_send(call.caseworker.send, {"type": "history", "call_id": call.id, "contacts": rows})

    async def _feedback(self, line: KioskLine, message: Message) -> None:
        call = self.calls.get(str(message.get("call_id")))
        if call is None or call.kiosk.device_id != line.kiosk.device_id or call.state is not CallState.ENDED:
            raise ProtocolError("feedback is given after a call that took place")
        answers = message.get("answers")
        if not isinstance(answers, dict) or not answers:
            raise ProtocolError("feedback needs answers")
        call.feedback = {str(k)[:40]: _feedback_value(v) for k, v in list(answers.items())[:4]}
        await self.records.record(call)

    # --- the caseworker's side ---------------------------------------------------------------------------

    async def caseworker_connected(self, staff: StaffIdentity, send: Send) -> CaseworkerLine:
        line = self.caseworkers.get(staff.user_id)
        if line is not None:
            # A reloaded tab or a second one: the newest page is the caseworker's console.
            if line.connected:
                await safe_send(line.send, {"type": "replaced"})
            line.send, line.connected, line.dropped_at = send, True, None
        else:
            line = CaseworkerLine(staff=staff, send=send, idle_since=self.clock())
            self.caseworkers[staff.user_id] = line
        await safe_send(send, {"type": "status", "status": line.status.value, **self.ice()})
        if line.call is not None and line.call.state is CallState.CONNECTED:
            # Back after a reload: the kiosk makes a fresh offer for the new page.
            await safe_send(send, {"type": "call.connected", **line.call.public()})
            if line.call.kiosk_line is not None:
                await safe_send(line.call.kiosk_line.send, {"type": "call.renegotiate", "call_id": line.call.id})
        await self._changed()
        return line

    async def caseworker_disconnected(self, line: CaseworkerLine, send: Send) -> None:
        if line.send is not send:  # an older tab closing after a newer one took over
            return
        line.connected, line.dropped_at = False, self.clock()
        if line.call is not None and line.call.kiosk_line is not None:
            await safe_send(line.call.kiosk_line.send, {"type": "call.reconnecting", "call_id": line.call.id})
        await self._changed()

    async def caseworker_message(self, line: CaseworkerLine, message: Message) -> None:
        kind = message.get("type")
        if kind == "status.set":
            try:
                line.status = CaseworkerStatus(str(message.get("status")))
            except ValueError:
                raise ProtocolError("status is available, busy or away") from None
            line.idle_since = self.clock()
            await safe_send(line.send, {"type": "status", "status": line.status.value})
            await self._changed()
        elif kind == "call.answer":
            await self._answer(line, str(message.get("call_id")))
        elif kind == "call.end":
            if line.call is not None:
                await self._end(line.call, EndReason.CASEWORKER)
        elif kind == "call.outcome":
            await self._outcome(line, message)
        elif kind in CONSOLE_TO_KIOSK:
            call = line.call
            if call is None or call.state is not CallState.CONNECTED:
                raise ProtocolError("no call in progress")
            if call.kiosk_line is None:
                raise ProtocolError("the kiosk is reconnecting; try again in a moment")
            await safe_send(call.kiosk_line.send, {**message, "call_id": call.id})
        else:
            raise ProtocolError(f"unknown message type {kind!r}")

    async def _answer(self, line: CaseworkerLine, call_id: str) -> None:
        call = self.calls.get(call_id)
        if line.call is not None:
            raise ProtocolError("end your current call first")
        if call is None or call.state is not CallState.WAITING:
            await safe_send(line.send, {"type": "call.taken", "call_id": call_id})
            return
        call.state, call.caseworker, call.answered, call.ringing = CallState.CONNECTED, line, self.clock(), None
        line.call, line.status = call, CaseworkerStatus.BUSY
        await safe_send(line.send, {"type": "call.connected", **call.public()})
        await safe_send(line.send, {"type": "status", "status": line.status.value})
        if call.kiosk_line is not None:
            await safe_send(
                call.kiosk_line.send, {"type": "call.answered", "call_id": call.id, "caseworker": line.staff.username}
            )
        await self._changed()

    async def _outcome(self, line: CaseworkerLine, message: Message) -> None:
        call = self.calls.get(str(message.get("call_id")))
        if call is None or call.caseworker is not line:
            raise ProtocolError("not your call")
        call.outcome = _text(message.get("outcome"), "outcome", 500) or None
        call.note = _text(message.get("note"), "note", 4000) or None
        call.recorded_topic = _text(message.get("topic"), "topic", 200) or None
        if call.state is not CallState.ENDED:
            await self._end(call, EndReason.CASEWORKER)
        else:
            await self.records.record(call)
        await safe_send(line.send, {"type": "outcome.saved", "call_id": call.id})

    # --- the end -----------------------------------------------------------------------------------------

    async def _end(self, call: Call, reason: EndReason) -> None:
        if call.state is CallState.ENDED:
            return
        was_connected = call.state is CallState.CONNECTED
        call.state, call.end_reason, call.ended_wall, call.ringing = CallState.ENDED, reason, time.time(), None
        now = self.clock()
        if call.answered is not None:
            self._call_lengths.append(now - call.answered)
        message = {"type": "call.ended", "call_id": call.id, "reason": reason.value}
        if call.kiosk_line is not None:
            if reason is EndReason.CASEWORKER_GONE:
                message["call_again"] = call.id
            await safe_send(call.kiosk_line.send, message)
        caseworker = call.caseworker
        if caseworker is not None:
            caseworker.call, caseworker.idle_since = None, now
            if caseworker.status is CaseworkerStatus.BUSY:
                caseworker.status = CaseworkerStatus.AVAILABLE
            await safe_send(caseworker.send, message)
            await safe_send(caseworker.send, {"type": "status", "status": caseworker.status.value})
        if was_connected:
            try:
                await self.records.record(call)
            except Exception:  # the call is over either way; the failure must be seen, not crash the loop
                log.exception("could not record the contact of a call")
        self._forget_later(call)
        await self._changed()

    def _forget_later(self, call: Call) -> None:
        # An ended call stays a while for late feedback and outcome, then only its contact row remains.
        ended = [c for c in self.calls.values() if c.state is CallState.ENDED]
        for old in sorted(ended, key=lambda c: c.ended_wall or 0.0)[:-200]:
            self.calls.pop(old.id, None)

    def ice(self) -> Message:
        return {"ice_servers": list(self.settings.ice_servers)}

    def _connected_call(self, call: Call | None) -> Call:
        if call is None or call.state is not CallState.CONNECTED:
            raise ProtocolError("no call in progress")
        return call


def _caseworker_send(call: Call) -> Send:
    if call.caseworker is None:
        raise ProtocolError("no caseworker on this call")
    return call.caseworker.send


async def safe_send(send: Send, message: Message) -> None:
    """A line that broke while we spoke is noticed by its own receive loop; the router carries on."""
    try:
        await send(message)
    except Exception as exc:
        log.info("a call line could not be reached (%s)", exc.__class__.__name__)


def _text(value: object, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ProtocolError(f"{name} must be text")
    if len(value) > limit:
        raise ProtocolError(f"{name} is longer than {limit} characters")
    return value.strip()


def _feedback_value(value: object) -> int | str:
    if isinstance(value, bool):
        raise ProtocolError("feedback answers are numbers or short texts")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value[:200]
    raise ProtocolError("feedback answers are numbers or short texts")
