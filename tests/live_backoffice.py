"""A real `balie backoffice serve` process on loopback, and a TCP proxy that can cut the network.

For tests that must survive what a real deployment does: the backoffice killed and restarted,
connections dropped, answers lost after the request was stored.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Headless Chromium as a caseworker in a call: fake camera and microphone, no prompts, nothing fetched
# from the network (FIELD-NOTES.md, WebRTC).
CHROMIUM_CALL_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def balie(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, timeout=timeout, env=env, check=True
    )


class LiveBackoffice:
    """`balie backoffice serve` on a SQLite file in `folder`, started, killed and restarted at will."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "backoffice.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log = (folder / "backoffice.log").open("ab")

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "backoffice", "serve", "--port", str(self.port),
             "--database", str(self.database)],
            stdout=self._log, stderr=self._log, env=env,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the backoffice did not start; see backoffice.log")

    def kill(self) -> None:
        """As a crash or `kill -9`: no shutdown, requests in flight are lost."""
        if self.process is not None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.process = None
        self._log.close()

    def enrollment_code(self, location: str = "Bibliotheek Oost") -> str:
        run = balie("backoffice", "enroll-code", "--location", location, "--database", str(self.database))
        return run.stdout.strip()

    def event_ids(self) -> list[str]:
        """Every stored event id, one entry per stored row (so a duplicate would show twice)."""
        with sqlite3.connect(self.database) as db:
            return [str(row[0]).replace("-", "") for row in db.execute("SELECT event_id FROM events")]


class CuttableProxy:
    """Forwards TCP from its own port to the backoffice; `cut()` drops every connection and refuses
    new ones (a network down), `lose_answers` forwards requests but drops the answers (the request
    was stored, the kiosk never heard), `mend()` restores."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lose_answers = False
        self._down = threading.Event()
        self._stop = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self._accept = threading.Thread(target=self._serve, name="proxy-accept", daemon=True)
        self._accept.start()

    def cut(self) -> None:
        self._down.set()
        with self._lock:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def mend(self) -> None:
        self._down.clear()

    def close(self) -> None:
        self._stop.set()
        self.cut()
        self._accept.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._down.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, upstream))
            for source, target, answers in ((client, upstream, False), (upstream, client, True)):
                thread = threading.Thread(target=self._pump, args=(source, target, answers), daemon=True)
                thread.start()
                self._threads.append(thread)
            self._threads = [t for t in self._threads if t.is_alive()]

    def _pump(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        try:
            while True:
                chunk = source.recv(65536)
                if not chunk or self._down.is_set():
                    break
                if answers and self.lose_answers:
                    break  # the request went through; its answer never arrives
                target.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                # shutdown() first: close() alone does not wake the other direction's recv(), which
                # would then wait for the backoffice's keep-alive timeout.
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(target)
