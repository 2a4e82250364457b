"""The kiosk's end of a video call: signaling with the backoffice, the WebRTC peer, and the caseworker's requests.

Design: one dedicated asyncio thread per engine runs everything of the call (the WebSocket, aiortc, the
media tracks); Qt never waits on it and it never touches Qt. The owner calls the thread-safe methods
(`place_call`, `hang_up`, …) from any thread and hears back through `CallListener.call_update`, which a
Qt owner re-emits as a signal. A dedicated thread rather than qasync: `balie call` and the tests run the
same engine without a Qt event loop, and a slow Qt paint can never stall audio.

The kiosk offers and the browser answers; aiortc has no ICE restart, so "reconnect" is a fresh peer
connection with a fresh offer over the same call, and a dropped WebSocket is resumed with the call's
resume token. Both have `reconnect_seconds`; after that the call ends with `EndReason.NETWORK`, and
the citizen is offered to call again first in line.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import json
import logging
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from kiosk.call.media import DEFAULT_FPS, CameraVideoTrack, MicrophoneAudioTrack, RemoteMedia, video_available
from kiosk.call.services import (
    CallListener,
    CallPhase,
    CallServices,
    CallUpdate,
    EndReason,
    ServiceFailed,
)

if TYPE_CHECKING:
    from drivers.audio_output.protocol import AudioOutput
    from drivers.camera.protocol import Camera
    from drivers.microphone.protocol import Microphone

log = logging.getLogger(__name__)

CALLS_PATH = "/api/v1/calls/ws"
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
MAX_PDF_BYTES = 8 * 1024 * 1024
DISCONNECTED_GRACE_SECONDS = 3.0  # ICE "disconnected" often heals by itself; "failed" never does


class _Refused(Exception):
    pass


def calls_url(backoffice_url: str) -> str:
    parts = urlsplit(backoffice_url.rstrip("/"))
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme, parts.scheme)
    return urlunsplit((scheme, parts.netloc, parts.path + CALLS_PATH, "", ""))


@dataclass(frozen=True)
class CallDevices:
    camera: Camera
    microphone: Microphone
    audio_output: AudioOutput


@dataclass
class _Call:
    topic: str
    language: str
    call_again: str | None
    id: str | None = None
    resume_token: str | None = None
    phase: CallPhase = CallPhase.CONNECTING
    ice_servers: list[dict[str, Any]] = field(default_factory=list)
    pc: RTCPeerConnection | None = None
    caseworker: str | None = None
    trouble_since: float | None = None
    hang_up: bool = False
    ended: EndReason | None = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)


class CallEngine:
    def __init__(
        self,
        backoffice_url: str,
        token: str,
        devices: CallDevices,
        services: CallServices,
        listener: CallListener,
        *,
        reconnect_seconds: float = 10.0,
        connect_timeout: float = 5.0,
        video_fps: float = DEFAULT_FPS,
    ) -> None:
        self.url = calls_url(backoffice_url)
        self._token = token
        self.devices = devices
        self.services = services
        self.listener = listener
        self.reconnect_seconds = reconnect_seconds
        self.connect_timeout = connect_timeout
        self.video_fps = video_fps  # frames a second sent from the camera
        self.remote = RemoteMedia(devices.audio_output)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="call", daemon=True)
        self._call: _Call | None = None
        self._ws: ClientConnection | None = None
        self._send_lock: asyncio.Lock | None = None
        self._running: asyncio.Future[None] | None = None
        self._thread.start()

    # --- the owner's side (any thread) ---------------------------------------------------------------

    def place_call(self, topic: str = "", language: str = "nl", call_again: str | None = None) -> None:
        self._submit(self._place(topic, language, call_again))

    def hang_up(self) -> None:
        self._submit(self._hang_up())

    def cant_hear(self) -> None:
        self._submit(self._send({"type": "citizen.cant_hear"}))

    def set_topic(self, topic: str) -> None:
        """The citizen chose a topic after the tap; the queued call keeps its place."""
        self._submit(self._send({"type": "call.topic", "topic": topic[:100]}))

    def send_chat(self, text: str) -> None:
        """The citizen's typed words: the fallback when the kiosk has no working microphone."""
        self._submit(self._send({"type": "chat.message", "text": text[:400]}))

    def send_feedback(self, call_id: str, answers: dict[str, int | str]) -> None:
        """After the call: the two questions' answers, attached to the call's contact by the backoffice."""
        self._submit(self._feedback(call_id, answers))

    def wait_ended(self, timeout: float | None = None) -> bool:
        """Block until no call is running (for `balie call` and tests); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            running = asyncio.run_coroutine_threadsafe(self._current_run(), self._loop).result()
            if running is None:
                return True
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                return False
            try:
                asyncio.run_coroutine_threadsafe(_wait(running, remaining), self._loop).result()
            except TimeoutError:
                return False

    def close(self) -> None:
        """Hang up, stop the media and the thread; nothing of the call stays in memory."""
        if not self._thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=10)
        with contextlib.suppress(Exception):  # the worker threads of the services' requests
            asyncio.run_coroutine_threadsafe(self._loop.shutdown_default_executor(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _submit(self, coroutine: Coroutine[Any, Any, None]) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        future.add_done_callback(_log_failure)

    # --- the call ------------------------------------------------------------------------------------

    async def _current_run(self) -> asyncio.Future[None] | None:
        return self._running if self._running is not None and not self._running.done() else None

    async def _place(self, topic: str, language: str, call_again: str | None) -> None:
        if self._running is not None and not self._running.done():
            log.info("a call is already under way")
            return
        self._send_lock = asyncio.Lock()
        call = _Call(topic=topic, language=language, call_again=call_again)
        self._call = call
        self._running = asyncio.ensure_future(self._run(call))

    async def _run(self, call: _Call) -> None:
        self._update(call, CallPhase.CONNECTING)
        self._start_devices()
        try:
            try:
                self._ws = await self._connect()
            except _Refused:
                await self._end(call, EndReason.REFUSED)
                return
            except (OSError, InvalidHandshake, TimeoutError) as exc:
                log.warning("the backoffice cannot be reached for a call (%s)", exc.__class__.__name__)
                await self._end(call, EndReason.NETWORK)
                return
            request: dict[str, Any] = {"type": "call.request", "topic": call.topic, "language": call.language}
            if call.call_again:
                request["call_again"] = call.call_again
            await self._send(request)
            await self._listen(call)
        finally:
            await self._cleanup(call)

    async def _connect(self) -> ClientConnection:
        try:
            return await connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self._token}"},
                max_size=MAX_MESSAGE_BYTES,
                open_timeout=self.connect_timeout,
            )
        except InvalidStatus as exc:
            if exc.response.status_code in (401, 403):
                raise _Refused from exc
            raise

    async def _listen(self, call: _Call) -> None:
        while call.ended is None:
            ws = self._ws
            assert ws is not None
            try:
                text = await ws.recv()
            except ConnectionClosed:
                if call.ended is not None or call.hang_up:
                    return
                if not await self._resume(call):
                    return
                continue
            try:
                message = json.loads(text)
            except (json.JSONDecodeError, TypeError):
                log.warning("the backoffice sent something that is not JSON")
                continue
            if isinstance(message, dict):
                await self._handle(call, message)

    async def _resume(self, call: _Call) -> bool:
        """The line dropped: get it back within the grace period, or end the call for the network's sake."""
        if call.id is None or call.resume_token is None or call.phase is CallPhase.WAITING:
            await self._end(call, EndReason.NETWORK)
            return False
        self._update(call, CallPhase.RECONNECTING)
        deadline = time.monotonic() + self.reconnect_seconds
        while time.monotonic() < deadline and not call.hang_up:
            try:
                self._ws = await asyncio.wait_for(self._connect(), max(deadline - time.monotonic(), 0.1))
            except (OSError, InvalidHandshake, TimeoutError, _Refused):
                await asyncio.sleep(0.5)
                continue
            await self._send({"type": "call.resume", "call_id": call.id, "resume_token": call.resume_token})
            return True
        await self._end(call, EndReason.NETWORK)
        return False

    async def _handle(self, call: _Call, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "hello":
            call.ice_servers = _ice_servers(message)
        elif kind == "call.accepted":
            call.id, call.resume_token = str(message["call_id"]), str(message["resume_token"])
            call.ice_servers = _ice_servers(message) or call.ice_servers
        elif kind == "call.queued":
            call.phase = CallPhase.WAITING
            self.listener.call_update(
                CallUpdate(
                    CallPhase.WAITING,
                    call.id,
                    position=_int(message.get("position")),
                    estimated_wait_seconds=_int(message.get("estimated_wait_seconds")),
                    video=self._has_video(),
                )
            )
        elif kind == "call.answered":
            call.caseworker = str(message.get("caseworker") or "") or None
            await self._offer(call)
        elif kind in ("call.renegotiate", "call.resumed"):
            if kind == "call.resumed" and message.get("state") == "waiting":
                return
            await self._offer(call)
        elif kind == "signal.answer":
            if call.pc is not None and call.pc.signalingState == "have-local-offer":
                await call.pc.setRemoteDescription(RTCSessionDescription(sdp=str(message.get("sdp")), type="answer"))
        elif kind == "call.reconnecting":
            self._update(call, CallPhase.RECONNECTING)
        elif kind == "call.ended":
            try:
                reason = EndReason(str(message.get("reason")))
            except ValueError:
                reason = EndReason.CASEWORKER
            await self._end(call, reason)
        elif kind in ("identity.request", "scan.request", "print.pdf", "message.show", "chat.message"):
            self._spawn(call, self._serve(kind, message))
        elif kind == "error":
            log.warning("the backoffice refused a call message: %s", message.get("message"))

    def _spawn(self, call: _Call, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coroutine)
        call.tasks.add(task)
        task.add_done_callback(call.tasks.discard)
        task.add_done_callback(_log_failure)

    # --- WebRTC --------------------------------------------------------------------------------------

    async def _offer(self, call: _Call) -> None:
        """A fresh peer connection and offer: on answer, on the console's reload, and to reconnect."""
        if call.pc is not None:
            await call.pc.close()
        servers = [RTCIceServer(**server) for server in call.ice_servers]
        pc = RTCPeerConnection(RTCConfiguration(iceServers=servers))
        call.pc = pc
        devices = self.devices
        if self._has_video():
            pc.addTrack(CameraVideoTrack(devices.camera, fps=self.video_fps))
        else:
            pc.addTransceiver("video", direction="recvonly")  # still see the caseworker
        if devices.microphone.health().usable:
            pc.addTrack(MicrophoneAudioTrack(devices.microphone))
        else:
            pc.addTransceiver("audio", direction="recvonly")

        @pc.on("track")
        def on_track(track: Any) -> None:
            self.remote.add_track(track)

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if call.pc is not pc or call.ended is not None:
                return
            state = pc.connectionState
            if state == "connected":
                call.trouble_since = None
                self._update(call, CallPhase.CONNECTED)
            elif state in ("disconnected", "failed"):
                self._spawn(call, self._repair(call, pc))

        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers its candidates here
        await self._send({"type": "signal.offer", "sdp": pc.localDescription.sdp})

    async def _repair(self, call: _Call, pc: RTCPeerConnection) -> None:
        now = time.monotonic()
        call.trouble_since = call.trouble_since or now
        if pc.connectionState == "disconnected":
            await asyncio.sleep(DISCONNECTED_GRACE_SECONDS)
            if call.pc is not pc or pc.connectionState == "connected" or call.ended is not None:
                return
        if time.monotonic() - call.trouble_since >= self.reconnect_seconds:
            await self._send({"type": "call.hangup", "reason": "network"})
            await self._end(call, EndReason.NETWORK)
            return
        self._update(call, CallPhase.RECONNECTING)
        await self._offer(call)

    # --- the caseworker's requests -------------------------------------------------------------------

    async def _serve(self, kind: str, message: dict[str, Any]) -> None:
        """Do one request; whatever goes wrong, the caseworker hears that it failed instead of waiting forever."""
        try:
            await self._serve_one(kind, message)
        except Exception:
            log.exception("a caseworker's request (%s) failed", kind)
            failed = {"identity.request": "identity.failed", "scan.request": "scan.failed", "print.pdf": "print.failed"}
            if kind in failed:
                await self._send({"type": failed[kind], "reason": "the kiosk could not do this (see its log)"})

    async def _serve_one(self, kind: str, message: dict[str, Any]) -> None:
        services = self.services
        if kind == "identity.request":
            await self._send({"type": "identity.progress"})
            try:
                result = await asyncio.to_thread(services.read_identity)
            except ServiceFailed as exc:
                await self._send({"type": "identity.failed", "reason": str(exc)})
                return
            await self._send(
                {
                    "type": "identity.result",
                    "document": result.document,
                    "verdict": result.verdict,
                    "verdict_detail": result.verdict_detail,
                    "photo": result.photo_data_url,
                }
            )
        elif kind == "scan.request":
            try:
                pages = await asyncio.to_thread(services.scan_document)
            except ServiceFailed as exc:
                await self._send({"type": "scan.failed", "reason": str(exc)})
                return
            for index, page in enumerate(pages, start=1):
                data = base64.b64encode(page.data).decode()
                url = f"data:{page.content_type};base64,{data}"
                await self._send({"type": "scan.page", "index": index, "content_type": page.content_type, "data": url})
            await self._send({"type": "scan.done", "pages": len(pages)})
        elif kind == "print.pdf":
            try:
                pdf = base64.b64decode(str(message.get("pdf", "")), validate=True)
            except (binascii.Error, ValueError):
                await self._send({"type": "print.failed", "reason": "the PDF did not arrive intact"})
                return
            if not pdf or len(pdf) > MAX_PDF_BYTES:
                await self._send({"type": "print.failed", "reason": "the PDF is empty or larger than 8 MB"})
                return
            try:
                await asyncio.to_thread(services.print_pdf, pdf)
            except ServiceFailed as exc:
                await self._send({"type": "print.failed", "reason": str(exc)})
                return
            await self._send({"type": "print.done"})
        elif kind in ("message.show", "chat.message"):
            # A chat line from the caseworker is shown and spoken like a message: the citizen who
            # cannot be heard can still read and hear the answer.
            text = str(message.get("text", ""))[:400]
            await asyncio.to_thread(services.show_message, text)
            if kind == "message.show":
                await self._send({"type": "message.shown"})

    # --- endings -------------------------------------------------------------------------------------

    async def _hang_up(self) -> None:
        call = self._call
        if call is None or call.ended is not None:
            return
        call.hang_up = True
        await self._send({"type": "call.hangup"})
        await self._end(call, EndReason.CITIZEN)

    async def _end(self, call: _Call, reason: EndReason) -> None:
        if call.ended is not None:
            return
        call.ended = reason
        call.phase = CallPhase.ENDED
        self.listener.call_update(CallUpdate(CallPhase.ENDED, call.id, reason=reason, video=self._has_video()))
        ws = self._ws
        if ws is not None:
            await ws.close()

    async def _cleanup(self, call: _Call) -> None:
        for task in list(call.tasks):
            task.cancel()
        if call.pc is not None:
            await call.pc.close()
            call.pc = None
        await self.remote.stop()
        self.remote = RemoteMedia(self.devices.audio_output)
        self._stop_devices()
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def _feedback(self, call_id: str, answers: dict[str, int | str]) -> None:
        try:
            ws = await self._connect()
        except (OSError, InvalidHandshake, TimeoutError, _Refused) as exc:
            log.warning("call feedback could not be delivered (%s)", exc.__class__.__name__)
            return
        async with ws:
            await ws.send(json.dumps({"type": "feedback", "call_id": call_id, "answers": answers}))
            with contextlib.suppress(TimeoutError, ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 0.5)  # the hello, or an error naming what was wrong

    async def _shutdown(self) -> None:
        await self._hang_up()
        running = await self._current_run()
        if running is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(running, 5)
        # Feedback still on its way, a reconnect attempt: let each close its connection, then stop.
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*others, return_exceptions=True), 3)
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    # --- helpers -------------------------------------------------------------------------------------

    async def _send(self, message: dict[str, Any]) -> None:
        ws = self._ws
        if ws is None or self._send_lock is None:
            return
        async with self._send_lock:
            try:
                await ws.send(json.dumps(message, separators=(",", ":")))
            except ConnectionClosed:
                log.info("a call message was not sent: the line is down")

    def _update(self, call: _Call, phase: CallPhase) -> None:
        call.phase = phase
        caseworker = call.caseworker if phase is CallPhase.CONNECTED else None
        self.listener.call_update(CallUpdate(phase, call.id, caseworker=caseworker, video=self._has_video()))

    def _has_video(self) -> bool:
        return video_available(self.devices.camera)

    def _start_devices(self) -> None:
        for device in (self.devices.microphone, self.devices.audio_output):
            try:
                device.start()
            except Exception as exc:  # a missing microphone makes an audio-less call, not no call
                log.warning("a call device did not start (%s)", exc.__class__.__name__)

    def _stop_devices(self) -> None:
        for device in (self.devices.microphone, self.devices.audio_output):
            with contextlib.suppress(Exception):
                device.stop()


async def _wait(future: asyncio.Future[None], timeout: float | None) -> None:
    await asyncio.wait_for(asyncio.shield(future), timeout)


def _ice_servers(message: dict[str, Any]) -> list[dict[str, Any]]:
    servers = message.get("ice_servers")
    if not isinstance(servers, list):
        return []
    allowed = {"urls", "username", "credential"}
    return [{k: v for k, v in s.items() if k in allowed} for s in servers if isinstance(s, dict) and "urls" in s]


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _log_failure(future: Any) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None:
        log.error("a call step failed: %s", error.__class__.__name__, exc_info=error)
