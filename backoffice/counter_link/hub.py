"""The counter hub: connected counter devices, the desk pages watching them, and what passes between.

One per app (`app.state.counter_hub`), living on the server's event loop like the call router, so the
rules are plain code without locks (only the visit extras, which the desk queue may take from another
thread, have one). The database decides who is paired with which desk (`desk_pairing`); the hub keeps
what is live: lines, pairing codes, requests waiting for an answer, and per desk the visit's extras.

The citizen passes through here but is kept nowhere: an identity is relayed to the desk page and turned
into keyed hashes at once (`citizen_keys`), feedback is kept until the visit ends. Nothing of either is
logged: log lines name message types and ids only.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from backoffice.calls.routing import KioskIdentity, Message, ProtocolError, Send, StaffIdentity, safe_send
from backoffice.counter_link.desk_pairing import DeskRef, PairingChange
from backoffice.counter_link.pairing_codes import PairingCode, PairingCodes
from backoffice.counter_link.sentences import CounterRefusal, sentence
from backoffice.desk.visit_extras import VisitExtras

log = logging.getLogger(__name__)

REQUEST_KINDS = frozenset({"identify", "summary", "signature", "print", "scan", "feedback", "welcome"})
ANSWER_KINDS = frozenset(
    {"identity", "summary_answer", "signature", "printed", "scan_pages", "feedback", "failed", "declined"}
)
MAX_ID = 64
MAX_PENDING = 20  # per desk: a page that sends and never hears back cannot fill memory
# A device that drops keeps its unanswered requests this long: it keeps the citizen's answer through a
# short outage and sends it when back (kiosk/counter/link.py wipes after the same 60 s).
OUTAGE_GRACE = timedelta(seconds=60)


class CounterState(StrEnum):
    ONLINE = "online"
    OFFLINE = "offline"
    UNPAIRED = "unpaired"


@dataclass(eq=False)
class DeviceLine:
    device: KioskIdentity
    send: Send
    desk: DeskRef | None = None


@dataclass(eq=False)
class DeskPage:
    staff: StaffIdentity
    send: Send
    language: str
    desk_id: int | None = None


@dataclass(frozen=True)
class Pending:
    desk_id: int
    id: str
    kind: str


@dataclass
class VisitNotes:
    """What outlives a single request until the visit ends: keys of the identity read, the feedback given."""

    citizen_keys: list[str] = field(default_factory=list)
    feedback: dict[str, Any] | None = None


KeysOf = Callable[[Message], Awaitable[list[str]]]


class CounterHub:
    def __init__(self, codes: PairingCodes, keys_of: KeysOf) -> None:
        self.codes = codes
        self.keys_of = keys_of
        self.devices: dict[uuid.UUID, DeviceLine] = {}
        self.pages: list[DeskPage] = []
        self.desk_device: dict[int, uuid.UUID | None] = {}  # as last read from the database
        self.desk_user: dict[int, int] = {}  # who works at the desk, as last checked
        self.pending: dict[tuple[int, str], Pending] = {}
        self._notes: dict[int, VisitNotes] = {}
        self._notes_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._gone_since: dict[int, datetime] = {}  # desk id → when its device dropped, requests waiting

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    # --- state ---------------------------------------------------------------------------------------

    def state_of(self, desk_id: int) -> CounterState:
        device_id = self.desk_device.get(desk_id)
        if device_id is None:
            return CounterState.UNPAIRED
        line = self.devices.get(device_id)
        online = line is not None and line.desk is not None and line.desk.id == desk_id
        return CounterState.ONLINE if online else CounterState.OFFLINE

    def _watchers(self, desk_id: int) -> list[DeskPage]:
        # Only the caseworker now at the desk hears from it; a page left open by one who moved on does not.
        user = self.desk_user.get(desk_id)
        return [p for p in self.pages if p.desk_id == desk_id and p.staff.user_id == user]

    def _state_message(self, desk_id: int) -> Message:
        device_id = self.desk_device.get(desk_id)
        line = self.devices.get(device_id) if device_id is not None else None
        message: Message = {"type": "counter_state", "desk_id": desk_id, "state": self.state_of(desk_id).value}
        if line is not None:
            message["device"] = line.device.device_name
        return message

    async def _tell_state(self, desk_id: int) -> None:
        message = self._state_message(desk_id)
        for page in self._watchers(desk_id):
            await safe_send(page.send, message)

    async def _fail_pending(self, desk_id: int, key: str) -> None:
        for pending in [p for p in self.pending.values() if p.desk_id == desk_id]:
            del self.pending[(desk_id, pending.id)]
            for page in self._watchers(desk_id):
                failed = {"type": "failed", "id": pending.id, "request": pending.kind}
                await safe_send(page.send, {**failed, "reason": key, "detail": sentence(key, page.language)})

    # --- the device's side ---------------------------------------------------------------------------

    async def device_connected(self, device: KioskIdentity, send: Send, desk: DeskRef | None) -> DeviceLine:
        """A device said hello: paired devices are told their desk, others get a code to show."""
        line = DeviceLine(device, send, desk)
        self.devices[device.device_id] = line  # a newer line of the same device replaces the older
        if desk is None:
            await self._show_code(line, "pairing")
            return line
        self.codes.withdraw(device.device_id)
        self.desk_device[desk.id] = device.device_id
        self._gone_since.pop(desk.id, None)  # back within the grace: its waiting requests may be answered
        await safe_send(send, {"type": "paired", "desk": desk.name})
        await self._tell_state(desk.id)
        return line

    async def _show_code(self, line: DeviceLine, kind: str) -> None:
        code = self.codes.issue(line.device.device_id, line.device.location_id)
        await safe_send(line.send, {"type": kind, "code": code.shown()})

    async def device_disconnected(self, line: DeviceLine) -> None:
        if self.devices.get(line.device.device_id) is not line:
            return  # an older line closing after a newer one took over
        del self.devices[line.device.device_id]
        self.codes.withdraw(line.device.device_id)
        if line.desk is not None:
            self._gone_since[line.desk.id] = self.codes.clock()
            await self._tell_state(line.desk.id)

    async def _expire_outages(self) -> None:
        """Requests of a device gone longer than the grace fail, with the sentence that it is offline."""
        now = self.codes.clock()
        for desk_id, since in list(self._gone_since.items()):
            if now - since >= OUTAGE_GRACE:
                del self._gone_since[desk_id]
                await self._fail_pending(desk_id, "offline")

    async def device_message(self, line: DeviceLine, message: Message) -> None:
        kind = message.get("type")
        if self.devices.get(line.device.device_id) is not line:
            raise ProtocolError("this line was replaced by a newer one of the same device")
        desk = line.desk
        if desk is None:
            raise ProtocolError("this device is not paired with a desk; show the pairing code")
        if kind == "help":
            await self._to_desk(desk.id, {"type": "help", "id": _optional_id(message.get("id"))})
            return
        if kind not in ANSWER_KINDS:
            raise ProtocolError(f"unknown message type {str(kind)[:40]!r}")
        request_id = _optional_id(message.get("id"))
        pending = self.pending.pop((desk.id, request_id), None) if request_id is not None else None
        if pending is None:
            raise ProtocolError("no request with this id is waiting for an answer")
        if kind == "identity" and pending.kind == "identify" and isinstance(message.get("document"), dict):
            keys = await self.keys_of(message["document"])
            with self._notes_lock:
                self._notes.setdefault(desk.id, VisitNotes()).citizen_keys = keys
        if kind == "feedback" and pending.kind == "feedback":
            with self._notes_lock:
                self._notes.setdefault(desk.id, VisitNotes()).feedback = clean_feedback(message)
        log.info("counter answer %s to request %s at desk %s", kind, pending.kind, desk.id)
        await self._to_desk(desk.id, {**message, "id": pending.id, "request": pending.kind})

    async def _to_desk(self, desk_id: int, message: Message) -> None:
        for page in self._watchers(desk_id):
            await safe_send(page.send, message)

    # --- the desk page's side ------------------------------------------------------------------------

    def page_connected(self, staff: StaffIdentity, send: Send, language: str) -> DeskPage:
        page = DeskPage(staff, send, language)
        self.pages.append(page)
        return page

    def page_disconnected(self, page: DeskPage) -> None:
        if page in self.pages:
            self.pages.remove(page)

    async def watch(self, page: DeskPage, desk: DeskRef | None) -> None:
        """The page shows `desk` now (checked: its caseworker works there), or no desk at all."""
        page.desk_id = None if desk is None else desk.id
        if desk is None:
            return
        self._learn(desk)
        await safe_send(page.send, self._state_message(desk.id))

    def _learn(self, desk: DeskRef) -> None:
        if desk.staff_user_id is not None:
            self.desk_user[desk.id] = desk.staff_user_id
        self.desk_device[desk.id] = desk.device_id

    async def request(self, page: DeskPage, message: Message, desk: DeskRef) -> None:
        """Relay one request of the caseworker to the desk's device; refusals say why in one sentence."""
        await self._expire_outages()
        kind = str(message.get("type"))
        if kind not in REQUEST_KINDS:
            raise CounterRefusal("unknown_request", 422)
        request_id = _optional_id(message.get("id"))
        if request_id is None:
            raise CounterRefusal("bad_request_id", 422)
        self._learn(desk)
        if desk.device_id is None:
            raise CounterRefusal("unpaired")
        line = self.devices.get(desk.device_id)
        if line is None or line.desk is None or line.desk.id != desk.id:
            raise CounterRefusal("offline")
        if kind == "welcome":
            self._drop_pending(desk.id)
        else:
            if (desk.id, request_id) in self.pending:
                raise CounterRefusal("duplicate_request_id", 409)
            if sum(1 for p in self.pending.values() if p.desk_id == desk.id) >= MAX_PENDING:
                self._drop_pending(desk.id, oldest_only=True)
            self.pending[(desk.id, request_id)] = Pending(desk.id, request_id, kind)
        await safe_send(line.send, {**message, "id": request_id})
        log.info("counter request %s sent to the device of desk %s", kind, desk.id)
        await safe_send(page.send, {"type": "sent", "id": request_id, "request": kind})

    def _drop_pending(self, desk_id: int, *, oldest_only: bool = False) -> None:
        for key in [k for k, p in self.pending.items() if p.desk_id == desk_id][: 1 if oldest_only else None]:
            del self.pending[key]

    # --- pairing (the database has been written first) -----------------------------------------------

    def claim_code(self, typed: object, staff_user_id: int) -> PairingCode:
        """Take the code typed so no second desk can; `release` it if the pairing is then refused."""
        code = self.codes.find(typed, staff_user_id)
        self.codes.spend(code)
        return code

    def release_code(self, code: PairingCode) -> None:
        code.used = False

    async def paired(self, change: PairingChange) -> None:
        desk = change.desk
        if change.replaced_device is not None:
            await self._let_go(change.replaced_device)
        if change.left_desk is not None:
            self.desk_device[change.left_desk] = None
            await self._tell_state(change.left_desk)
        self._drop_pending(desk.id)
        self._learn(desk)
        line = self.devices.get(desk.device_id) if desk.device_id is not None else None
        if line is not None:
            line.desk = desk
            await safe_send(line.send, {"type": "paired", "desk": desk.name})
        await self._tell_state(desk.id)

    async def unpaired(self, before: DeskRef) -> None:
        self.desk_device[before.id] = None
        self._gone_since.pop(before.id, None)
        await self._fail_pending(before.id, "unpaired")
        if before.device_id is not None:
            await self._let_go(before.device_id)
        await self._tell_state(before.id)

    async def _let_go(self, device_id: uuid.UUID) -> None:
        """The device faces no desk any more: it wipes the citizen and shows a new code."""
        line = self.devices.get(device_id)
        if line is not None:
            line.desk = None
            await self._show_code(line, "unpaired")

    async def renew_codes(self) -> None:
        """An unpaired device whose code expired shows a new one (run every few seconds); requests of a
        device gone past the grace fail."""
        await self._expire_outages()
        for line in list(self.devices.values()):
            if line.desk is None and self.codes.current(line.device.device_id) is None:
                await self._show_code(line, "pairing")

    # --- the visit's end (VisitExtrasSource) ---------------------------------------------------------

    def take_visit_extras(self, desk_id: int) -> VisitExtras:
        """The keys and feedback of the desk's visit, forgotten here; the desk's device is told to wipe."""
        with self._notes_lock:
            notes = self._notes.pop(desk_id, VisitNotes())
        self._soon_welcome(desk_id)
        return VisitExtras(citizen_keys=list(notes.citizen_keys), feedback=notes.feedback)

    async def visit_ended(self, desk_id: int) -> None:
        """The page saw its visit go without `done` (transferred, no-show): forget it here and on the device,
        so nothing of this citizen lands on the next one's contact."""
        with self._notes_lock:
            self._notes.pop(desk_id, None)
        await self._welcome(desk_id)

    async def _welcome(self, desk_id: int) -> None:
        self._drop_pending(desk_id)
        for line in self.devices.values():
            if line.desk is not None and line.desk.id == desk_id:
                await safe_send(line.send, {"type": "welcome", "id": f"end-{uuid.uuid4().hex[:12]}"})

    def _soon_welcome(self, desk_id: int) -> None:
        # The desk queue asks on the event loop; from a worker thread the welcome is handed to the loop.
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is not None and running is (self._loop or running):
            self._keep(running.create_task(self._welcome(desk_id)))
        elif self._loop is not None and not self._loop.is_closed():
            loop = self._loop
            loop.call_soon_threadsafe(lambda: self._keep(loop.create_task(self._welcome(desk_id))))

    def _keep(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def clean_feedback(message: Message) -> dict[str, Any]:
    """The two answers as the contact history keeps them: a score of 1-4 and a short text, each or None."""
    score = message.get("how_did_it_go")
    text = message.get("how_are_you")
    valid_score = isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 4
    return {
        "how_did_it_go": score if valid_score else None,
        "how_are_you": text.strip()[:200] if isinstance(text, str) and text.strip() else None,
    }


def _optional_id(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= MAX_ID else None
