"""A loopback HTTP server answering `GET /api/v1/display/board` exactly as backoffice/DESK.md specifies,
for the display's tests that are about the display (catch-up, refusal, a broken answer) rather than
about the backoffice: calls are added with any age, and the answer can be replaced by a broken one."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "bd1.4f9c2b1e-0d7a-4a57-9a55-3c1c2f0e9b11.display-test-secret"  # the form enrollment gives


@dataclass(frozen=True)
class StoredCall:
    id: int
    label: str
    desk: str
    kind: str
    language: str | None
    called_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "label": self.label, "desk": self.desk, "kind": self.kind, "language": self.language,
            "called_at": self.called_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }  # fmt: skip


def midday_clock() -> Callable[[], datetime]:
    """A clock running from today's local noon: calls made "minutes ago" are of today at any hour the
    tests run (the display shows only today's calls)."""
    real_start = datetime.now(UTC)
    offset = real_start.astimezone().replace(hour=12, minute=0, second=0, microsecond=0) - real_start
    return lambda: datetime.now(UTC) + offset


class BoardServer:
    def __init__(self) -> None:
        self.now = midday_clock()
        self.calls: list[StoredCall] = []
        self.waits: list[dict[str, Any]] = []
        self.broken_answer: bytes | None = None  # served instead of the board while set
        self.requests: list[int] = []  # the `after` of every request, in order
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server._answer(self)

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self._http.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._http.serve_forever, name="board-server", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join()

    def call(self, label: str, desk: str, *, age: float = 0.0, language: str | None = None, kind: str = "call") -> int:
        """A call made `age` seconds ago; returns its id."""
        with self._lock:
            call_id = len(self.calls) + 1
            called = self.now() - timedelta(seconds=age)
            self.calls.append(StoredCall(call_id, label, desk, kind, language, called))
            return call_id

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        if url.path != "/api/v1/display/board":
            return self._send(handler, 404, {"detail": "Not Found"})
        if handler.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(handler, 401, {"detail": "unknown device token"})
        after = int(parse_qs(url.query).get("after", ["0"])[0])
        with self._lock:
            self.requests.append(after)
            broken = self.broken_answer
            newer = [call.as_json() for call in self.calls if call.id > after][:20]
            recent = [call.as_json() for call in reversed(self.calls[-6:])]
            waits = list(self.waits)
        if broken is not None:
            return self._send_bytes(handler, 200, broken)
        now = self.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._send(handler, 200, {"calls": newer, "recent": recent, "waits": waits, "server_time": now})

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        self._send_bytes(handler, status, json.dumps(body).encode())

    @staticmethod
    def _send_bytes(handler: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
