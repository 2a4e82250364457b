"""A caseworker's console without a browser: the console's WebSocket messages and an aiortc peer.

For the kiosk's call screens a browser would only add seconds and flakiness; what the kiosk must
handle is the protocol (backoffice/calls/routing.py) and real media, and both are here. The
caseworker signs in as a browser would (CSRF form, session cookie, same-origin WebSocket), answers
the kiosk's offer with a moving test picture and a tone, and records every message it gets.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fractions
import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

import av
import httpx
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import AudioStreamTrack, VideoStreamTrack
from PySide6.QtCore import QCoreApplication
from websockets.asyncio.client import ClientConnection, connect

from tests.live_backoffice import LiveBackoffice, balie

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMEOUT = 20.0

Message = dict[str, Any]


def add_caseworker(backoffice: LiveBackoffice, username: str, folder: Any) -> None:
    secret = folder / f"{username}-password"
    secret.write_text(PASSWORD + "\n")
    balie("backoffice", "add-user", "--username", username, "--role", "caseworker", "--password-file", str(secret),
          "--database", str(backoffice.database))  # fmt: skip


class TestPicture(VideoStreamTrack):
    """A caseworker on camera, for a test: a colour that changes every frame, so frames differ."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.zeros((240, 320, 3), np.uint8)
        image[:, :, 0] = 40
        image[:, :, 1] = (self.sent * 4) % 256
        image[60:180, 100:220, 2] = 200
        frame = av.VideoFrame.from_ndarray(image, format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self.sent += 1
        return frame


class Tone(AudioStreamTrack):
    """440 Hz, so the kiosk's speaker has something to play."""

    async def recv(self) -> av.AudioFrame:
        frame = await super().recv()
        samples = frame.samples
        start = frame.pts or 0
        t = (np.arange(samples) + start) / 48000
        tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16)
        out = av.AudioFrame.from_ndarray(tone.reshape(1, -1), format="s16", layout="mono")
        out.sample_rate, out.pts, out.time_base = 48000, frame.pts, fractions.Fraction(1, 48000)
        return out


class Caseworker:
    """Signed in on `backoffice`; `messages` holds what the console line received, in order."""

    def __init__(self, backoffice_url: str, username: str) -> None:
        self.url = backoffice_url
        self.username = username
        self.messages: list[Message] = []
        self.picture: TestPicture | None = None
        self._lock = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="caseworker", daemon=True)
        self._ws: ClientConnection | None = None
        self._pc: RTCPeerConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._cookie = self._sign_in()
        self._thread.start()
        self._run(self._connect())

    def _sign_in(self) -> str:
        with httpx.Client(base_url=self.url, follow_redirects=False) as http:
            page = http.get("/signin")
            found = CSRF.search(page.text)
            assert found, "no CSRF field on the sign-in page"
            answer = http.post(
                "/signin", data={"username": self.username, "password": PASSWORD, "csrf_token": found.group(1)}
            )
            assert answer.status_code == 303, answer.text
            return str(http.cookies["balie_session"])

    def _run(self, coroutine: Any, timeout: float = TIMEOUT) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _connect(self) -> None:
        ws_url = self.url.replace("http://", "ws://") + "/console/ws"
        self._ws = await connect(
            ws_url, additional_headers={"Cookie": f"balie_session={self._cookie}", "Origin": self.url}, max_size=None
        )
        self._reader = asyncio.ensure_future(self._read(self._ws))

    async def _read(self, ws: ClientConnection) -> None:
        with contextlib.suppress(Exception):
            async for text in ws:
                message = json.loads(text)
                if message.get("type") == "signal.offer":
                    await self._answer_offer(str(message["sdp"]))
                with self._lock:
                    self.messages.append(message)
                    self._lock.notify_all()

    async def _answer_offer(self, sdp: str) -> None:
        """As the console does: a fresh peer connection for every offer (answer, reload, repair)."""
        if self._pc is not None:
            await self._pc.close()
        pc = self._pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type="offer"))
        self.picture = TestPicture()
        pc.addTrack(self.picture)
        pc.addTrack(Tone())
        await pc.setLocalDescription(await pc.createAnswer())
        await self._send({"type": "signal.answer", "sdp": pc.localDescription.sdp})

    async def _send(self, message: Message) -> None:
        assert self._ws is not None
        await self._ws.send(json.dumps(message))

    # -- what a test does ------------------------------------------------------------------------
    def send(self, message: Message) -> None:
        self._run(self._send(message))

    def available(self) -> None:
        self.send({"type": "status.set", "status": "available"})
        self.wait_for("status", lambda m: m["status"] == "available")

    def mark(self) -> int:
        """A place in the messages: `wait_for(..., since=mark)` looks only at what came after it."""
        with self._lock:
            return len(self.messages)

    def wait_for(
        self,
        kind: str,
        match: Callable[[Message], bool] = lambda _m: True,
        timeout: float = TIMEOUT,
        since: int = 0,
    ) -> Message:
        """The first message of `kind` that matches, received since `since` or within `timeout`.

        Qt's events are processed meanwhile, as qtbot.waitUntil does: the test runs on the kiosk's UI
        thread, and what the caseworker waits for often needs the kiosk's screen to move first."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                for message in self.messages[since:]:
                    if message.get("type") == kind and match(message):
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [m.get("type") for m in self.messages if m.get("type") != "queue"]
                    raise AssertionError(f"no {kind!r} message within {timeout} s; got {kinds}")
                self._lock.wait(min(left, 0.02))
            QCoreApplication.processEvents()

    def answer_ringing_call(self, since: int = 0) -> str:
        call_id = str(self.wait_for("call.ringing", since=since)["call_id"])
        mark = self.mark()
        self.send({"type": "call.answer", "call_id": call_id})
        self.wait_for("call.connected", lambda m: m["call_id"] == call_id, since=mark)
        return call_id

    def print_pdf(self, pdf: bytes) -> None:
        self.send({"type": "print.pdf", "pdf": base64.b64encode(pdf).decode()})

    def close(self) -> None:
        async def shut() -> None:
            if self._pc is not None:
                await self._pc.close()
            if self._ws is not None:
                await self._ws.close()
            if self._reader is not None:
                with contextlib.suppress(Exception):
                    await self._reader

        with contextlib.suppress(Exception):
            self._run(shut())
        with contextlib.suppress(Exception):
            self._run(self._loop.shutdown_default_executor())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()
