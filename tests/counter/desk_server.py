"""The backoffice's side of the counter link (backoffice/DESK.md), played on loopback for tests.

A real WebSocket server (websockets' asyncio server) on its own thread: it takes the device's hello,
answers with a pairing code until the test "enters" it, then relays the requests the test sends as
a desk page would, and records every message the device sends. It can drop the line and refuse the
device for a while, as a backoffice restart or a network cut would.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

TOKEN = "bd1.00000000-0000-0000-0000-000000000001.secret"
CODE = "483 920"


class DeskServer:
    def __init__(self, *, token: str = TOKEN, paired: bool = False) -> None:
        self.token = token
        self.hello_token = token  # what the hello must carry (a test may make it refuse a header-accepted token)
        self.paired = paired
        self.received: list[dict[str, Any]] = []
        self.hellos = 0
        self.refusing = False  # the network is cut: new connections fail
        self._lock = threading.Lock()
        self._ws: ServerConnection | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="desk-server", daemon=True)
        self._server: Server | None = None
        self.port = 0

    # --- the test's side -------------------------------------------------------------------------

    def start(self) -> DeskServer:
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(self._open(), self._loop).result(timeout=5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def pair(self, desk: str = "3") -> None:
        """A caseworker typed the code on the desk page."""
        self.paired = True
        self.send({"type": "paired", "desk": desk})

    def unpair(self) -> None:
        self.paired = False
        self.send({"type": "pairing", "code": CODE})

    def send(self, message: dict[str, Any]) -> None:
        asyncio.run_coroutine_threadsafe(self._send(message), self._loop).result(timeout=5)

    def cut(self) -> None:
        """The line drops and the device cannot get back until `restore`."""
        self.refusing = True
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(timeout=5)

    def restore(self) -> None:
        self.refusing = False

    @property
    def connected(self) -> bool:
        return self._ws is not None

    def messages(self, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.received if m.get("type") == kind]

    def wait_for(self, kind: str, count: int = 1, timeout: float = 10.0) -> dict[str, Any]:
        """The `count`-th message of this type from the device, waiting for it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.messages(kind)
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.02)
        raise AssertionError(
            f"no {kind!r} message #{count} from the device; got {[m.get('type') for m in self.received]}"
        )

    def close(self) -> None:
        if self._server is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> DeskServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the server --------------------------------------------------------------------------------

    async def _open(self) -> Server:
        return await serve(self._handle, "127.0.0.1", 0, process_request=self._admit, max_size=16 * 1024 * 1024)

    def _admit(self, connection: ServerConnection, request: Request) -> Response | None:
        if request.path != "/api/v1/counter/ws":
            return Response(404, "Not Found", Headers(), b"")
        if self.refusing:
            return Response(503, "Service Unavailable", Headers(), b"")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return Response(401, "Unauthorized", Headers(), b"")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        hello = json.loads(await ws.recv())
        if hello != {"type": "hello", "token": self.hello_token}:
            await ws.send(json.dumps({"type": "error", "detail": "unknown device token"}))
            await ws.close(1008, "unknown or revoked device token")
            return
        self.hellos += 1
        self._ws = ws
        first = {"type": "paired", "desk": "3"} if self.paired else {"type": "pairing", "code": CODE}
        await ws.send(json.dumps(first))
        try:
            async for text in ws:
                with self._lock:
                    self.received.append(json.loads(text))
        finally:
            if self._ws is ws:
                self._ws = None

    async def _send(self, message: dict[str, Any]) -> None:
        if self._ws is None:
            raise AssertionError("no counter device is connected")
        await self._ws.send(json.dumps(message))

    async def _close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def _shutdown(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()
