"""The counter device's line to its desk: one WebSocket to the backoffice, kept up on its own thread.

As with the call engine (kiosk/call/engine.py), one dedicated asyncio thread runs the connection and
never touches Qt: the owner calls the thread-safe `answer`, `forget` and `close`, and hears back
through `CounterListener`, which a Qt owner re-emits as signals. The line is kept up for the device's
whole life: dropped, it is dialled again with a growing pause (up to `BACKOFF[-1]`).

An answer the citizen gave while the line was down is not lost: it waits in memory and goes as soon as
the desk is back. If the line stays down for `offline_wipe_seconds` (60 s), or the device is unpaired,
the waiting answers are dropped and the owner is told to wipe: the citizen is not kept for a desk that
may never come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from kiosk.counter.answers import Answer, FailedAnswer
from kiosk.counter.requests import REQUEST_TYPES, BadRequest, Request, WelcomeRequest, parse_request

log = logging.getLogger(__name__)

COUNTER_PATH = "/api/v1/counter/ws"
MAX_MESSAGE_BYTES = 16 * 1024 * 1024  # a PDF to print, in base64
BACKOFF = (0.5, 1.0, 2.0, 5.0, 10.0)  # seconds between attempts to reach the backoffice again
# WebSocket close codes that mean "not this device" (RFC 6455 §7.4.1 policy violation; 4401/4403 by analogy
# with HTTP): dialling again soon would not help, so the device waits the longest pause.
REFUSAL_CODES = frozenset({1008, 4401, 4403})


def counter_url(backoffice_url: str) -> str:
    parts = urlsplit(backoffice_url.rstrip("/"))
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path + COUNTER_PATH, "", ""))


class LinkPhase(StrEnum):
    CONNECTING = "connecting"  # the first attempt, at start
    OFFLINE = "offline"  # the line is down; trying again
    REFUSED = "refused"  # the backoffice does not accept this device's token (revoked, unknown)
    PAIRING = "pairing"  # connected, no desk yet: the code is shown for a caseworker to enter
    PAIRED = "paired"  # connected to a desk: requests may come


@dataclass(frozen=True, slots=True)
class LinkStatus:
    phase: LinkPhase
    code: str = ""  # the pairing code, while PAIRING
    desk: str = ""  # the desk's name, while PAIRED

    @property
    def online(self) -> bool:
        return self.phase in (LinkPhase.PAIRING, LinkPhase.PAIRED)


class CounterListener(Protocol):
    """Called on the link's thread; a Qt owner re-emits each as a signal."""

    def link_changed(self, status: LinkStatus) -> None: ...

    def request_arrived(self, request: Request) -> None: ...

    def wipe(self) -> None:
        """Forget the citizen: the line was down too long, or the desk let go of this device."""
        ...


class CounterLink:
    def __init__(
        self,
        backoffice_url: str,
        token: str,
        listener: CounterListener,
        *,
        offline_wipe_seconds: float = 60.0,
        backoff: tuple[float, ...] = BACKOFF,
        connect_timeout: float = 5.0,
    ) -> None:
        self.url = counter_url(backoffice_url)
        self._token = token
        self.listener = listener
        self.offline_wipe_seconds = offline_wipe_seconds
        self.backoff = backoff
        self.connect_timeout = connect_timeout
        self.status = LinkStatus(LinkPhase.CONNECTING)
        self._outbox: list[Answer] = []  # answers not yet sent, oldest first (on the link's thread only)
        self._ws: ClientConnection | None = None
        self._offline_watch: asyncio.Task[None] | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="counter-link", daemon=True)

    # --- the owner's side (any thread) ---------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._submit(self._begin())

    def answer(self, answer: Answer) -> None:
        """Send to the desk now, or as soon as the line is back (within the offline grace period)."""
        self._loop.call_soon_threadsafe(self._enqueue, answer)

    def forget(self) -> None:
        """The visit ended: answers not yet sent are dropped with everything else about the citizen."""
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._outbox.clear)

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self._outbox.clear()

    def _submit(self, coroutine: Coroutine[Any, Any, None]) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        future.add_done_callback(_log_failure)

    # --- the line ------------------------------------------------------------------------------------

    async def _begin(self) -> None:
        self._run_task = asyncio.ensure_future(self._run())
        self._run_task.add_done_callback(_log_failure)

    async def _run(self) -> None:
        failures = 0
        while True:
            try:
                ws = await connect(
                    self.url,
                    additional_headers={"Authorization": f"Bearer {self._token}"},
                    max_size=MAX_MESSAGE_BYTES,
                    open_timeout=self.connect_timeout,
                )
            except InvalidStatus as exc:
                refused = exc.response.status_code in (401, 403)
                self._went_down(LinkPhase.REFUSED if refused else LinkPhase.OFFLINE)
                log.warning("the backoffice refused the counter link (HTTP %s)", exc.response.status_code)
                failures = len(self.backoff) - 1 if refused else failures + 1
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                log.info("the backoffice cannot be reached for the counter link (%s)", exc.__class__.__name__)
                self._went_down(LinkPhase.OFFLINE)
                failures += 1
            else:
                failures = 0
                self._ws = ws
                try:
                    await ws.send(json.dumps({"type": "hello", "token": self._token}))
                    await self._listen(ws)
                except ConnectionClosed:
                    pass
                finally:
                    self._ws = None
                    await ws.close()
                if ws.close_code in REFUSAL_CODES:  # the token was refused after the handshake
                    log.warning("the backoffice refused this device's token on the counter link")
                    self._went_down(LinkPhase.REFUSED)
                    failures = len(self.backoff)
                else:
                    self._went_down(LinkPhase.OFFLINE)
                    log.info("the counter link dropped; dialling again")
            await asyncio.sleep(self.backoff[min(max(failures - 1, 0), len(self.backoff) - 1)])

    async def _listen(self, ws: ClientConnection) -> None:
        async for text in ws:
            try:
                message = json.loads(text)
            except (json.JSONDecodeError, TypeError):
                log.warning("the backoffice sent something that is not JSON")
                continue
            if isinstance(message, dict):
                await self._handle(message)

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "paired":
            self._cancel_offline_watch()
            self._set(LinkStatus(LinkPhase.PAIRED, desk=str(message.get("desk") or "")))
            await self._flush()
        elif kind in ("pairing", "unpaired"):
            was_paired = self.status.phase is LinkPhase.PAIRED or self._offline_watch is not None
            self._cancel_offline_watch()
            self._set(LinkStatus(LinkPhase.PAIRING, code=str(message.get("code") or "")))
            if was_paired:  # unpaired, possibly while away: nothing of a citizen stays for no desk
                self._outbox.clear()
                self.listener.wipe()
        elif kind in REQUEST_TYPES:
            try:
                request = parse_request(message)
            except BadRequest as problem:
                log.warning("a desk request could not be shown: %s", problem)
                self._enqueue(FailedAnswer(_id(message), str(problem)))
                return
            log.info("desk request %s", request.kind)
            if isinstance(request, WelcomeRequest):
                self._outbox.clear()
            self.listener.request_arrived(request)
        elif kind == "error":
            log.warning("the backoffice refused a counter message: %s", str(message.get("detail", ""))[:200])

    # --- answers -------------------------------------------------------------------------------------

    def _enqueue(self, answer: Answer) -> None:
        self._outbox.append(answer)
        task = asyncio.ensure_future(self._flush())
        task.add_done_callback(_log_failure)

    async def _flush(self) -> None:
        """Send what waits, oldest first, while the desk is there; what cannot go stays for the next time."""
        while self._outbox and self._ws is not None and self.status.phase is LinkPhase.PAIRED:
            answer, ws = self._outbox[0], self._ws
            text = json.dumps(await asyncio.to_thread(answer.message), separators=(",", ":"))
            if self._ws is not ws or not self._outbox or self._outbox[0] is not answer:
                continue  # the line changed or the visit ended while encoding
            try:
                await ws.send(text)
            except ConnectionClosed:
                return
            self._outbox.pop(0)
            log.info("answer %s sent", answer.kind)

    # --- status --------------------------------------------------------------------------------------

    def _set(self, status: LinkStatus) -> None:
        if status != self.status:
            self.status = status
            self.listener.link_changed(status)

    def _went_down(self, phase: LinkPhase) -> None:
        was_online = self.status.online
        self._set(LinkStatus(phase))
        if was_online and self._offline_watch is None:
            self._offline_watch = asyncio.ensure_future(self._wipe_when_still_down())

    def _cancel_offline_watch(self) -> None:
        if self._offline_watch is not None:
            self._offline_watch.cancel()
            self._offline_watch = None

    async def _wipe_when_still_down(self) -> None:
        await asyncio.sleep(self.offline_wipe_seconds)
        self._offline_watch = None
        if not self.status.online:
            log.info("the counter link stayed down for %.0f s: the citizen is wiped", self.offline_wipe_seconds)
            self._outbox.clear()
            self.listener.wipe()

    async def _shutdown(self) -> None:
        self._cancel_offline_watch()
        if self._run_task is not None:
            self._run_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._run_task
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._loop.shutdown_default_executor()


def _id(message: dict[str, Any]) -> str | None:
    value = message.get("id")
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def _log_failure(future: Any) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        log.error("a counter link step failed: %s", error.__class__.__name__, exc_info=error)
