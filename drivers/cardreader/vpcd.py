"""Our in-memory virtual cards, put on a real pcscd reader through vsmartcard's vpcd driver.

vpcd gives pcscd readers ("Virtual PCD 00 00" on TCP port 35963, "… 00 01" on 35964) that wait
for a card emulator to connect. This bridge is that emulator: it lets tests (and the demo kiosk)
drive the real PC/SC path, pcscd and pyscard included, with the same cards the simulated reader
holds. The protocol, as vsmartcard's vpcd.h describes it: every message is a 2-byte big-endian
length and a payload; a 1-byte payload is a control (power off, power on, reset, send the ATR),
a longer one is a command APDU to answer. A card is "on the reader" while the connection is up.
"""

from __future__ import annotations

import logging
import socket
import threading

from drivers.cardreader.virtual_card import VirtualCard

log = logging.getLogger(__name__)

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 35963  # "Virtual PCD 00 00"; each further reader listens on the next port

CTRL_POWER_OFF = 0x00
CTRL_POWER_ON = 0x01
CTRL_RESET = 0x02
CTRL_ATR = 0x04

LENGTH_SIZE = 2
POLL_SECONDS = 0.05  # how often the serving loop looks at stop/remove while vpcd is quiet
MIN_BACKOFF = 0.05
MAX_BACKOFF = 1.0


class VpcdBridge:
    """Serves one `VirtualCard` to vpcd on a daemon thread, reconnecting while vpcd is not up.

    `insert()` and `remove()` may be called from any thread: removing closes the connection,
    which is how pcscd learns the card left; inserting connects again.
    """

    def __init__(self, card: VirtualCard | None = None, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
        self.host = host
        self.port = port
        self._changed = threading.Condition()
        self._card = card
        self._generation = 0  # bumped by insert/remove, so a swap of cards also reconnects
        self._stopping = False
        self._connected = False
        self._thread: threading.Thread | None = None

    @property
    def connected(self) -> bool:
        """True while vpcd holds our connection, i.e. pcscd can see a card."""
        with self._changed:
            return self._connected

    @property
    def card(self) -> VirtualCard | None:
        with self._changed:
            return self._card

    def start(self) -> None:
        with self._changed:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name=f"vpcd-bridge-{self.port}", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Close the connection and end the thread; waits for a card still answering an APDU."""
        with self._changed:
            self._stopping = True
            thread, self._thread = self._thread, None
            self._changed.notify_all()
        if thread is not None:
            thread.join()

    def insert(self, card: VirtualCard) -> None:
        with self._changed:
            self._card = card
            self._generation += 1
            self._changed.notify_all()

    def remove(self) -> None:
        with self._changed:
            self._card = None
            self._generation += 1
            self._changed.notify_all()

    def wait_connected(self, connected: bool = True, timeout: float = 5.0) -> bool:
        """Wait until the connection is up (or down); False when `timeout` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: self._connected == connected, timeout)

    # -- the bridge thread -----------------------------------------------------------------

    def _run(self) -> None:
        backoff = MIN_BACKOFF
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._stopping or self._card is not None)
                if self._stopping:
                    return
                card, generation = self._card, self._generation
            assert card is not None
            try:
                connection = socket.create_connection((self.host, self.port), timeout=1.0)
            except OSError as error:
                log.debug("vpcd on port %d not reachable (%s), retrying in %.2f s", self.port, error, backoff)
                self._pause(generation, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            backoff = MIN_BACKOFF
            with connection:
                self._set_connected(True)
                try:
                    self._serve(connection, card, generation)
                except OSError as error:
                    log.info("vpcd connection on port %d lost: %s", self.port, error)
                finally:
                    self._set_connected(False)

    def _pause(self, generation: int, seconds: float) -> None:
        """Wait before retrying, but no longer than until a stop, insert or remove."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or self._generation != generation, seconds)

    def _set_connected(self, connected: bool) -> None:
        with self._changed:
            self._connected = connected
            self._changed.notify_all()

    def _should_leave(self, generation: int) -> bool:
        with self._changed:
            return self._stopping or self._generation != generation

    def _serve(self, connection: socket.socket, card: VirtualCard, generation: int) -> None:
        """Answer vpcd until it hangs up, the card is removed or swapped, or the bridge stops."""
        connection.settimeout(POLL_SECONDS)
        buffer = bytearray()
        while not self._should_leave(generation):
            try:
                chunk = connection.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                log.info("vpcd on port %d closed the connection", self.port)
                return
            buffer += chunk
            while len(buffer) >= LENGTH_SIZE:
                size = int.from_bytes(buffer[:LENGTH_SIZE], "big")
                if len(buffer) < LENGTH_SIZE + size:
                    break
                message = bytes(buffer[LENGTH_SIZE : LENGTH_SIZE + size])
                del buffer[: LENGTH_SIZE + size]
                reply = self._answer(card, message)
                if reply is not None:
                    connection.sendall(len(reply).to_bytes(LENGTH_SIZE, "big") + reply)

    def _answer(self, card: VirtualCard, message: bytes) -> bytes | None:
        """The reply to one vpcd message, or None for controls that expect none."""
        if len(message) == 1:
            control = message[0]
            if control == CTRL_ATR:
                return card.atr
            if control not in (CTRL_POWER_OFF, CTRL_POWER_ON, CTRL_RESET):
                log.warning("unknown vpcd control byte %#04x ignored", control)
            return None
        try:
            response = card.process_apdu(message)
        except Exception:
            # A broken virtual card must not take the bridge down: answer "no precise diagnosis".
            log.exception("virtual card failed on an APDU of %d bytes", len(message))
            return bytes.fromhex("6F00")
        log.debug("APDU of %d bytes answered with SW %s", len(message), response[-2:].hex().upper())
        return response
