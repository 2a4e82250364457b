"""Real card readers through PC/SC (pcscd on Linux), with pyscard's low-level `smartcard.scard` API.

The low-level API rather than pyscard's object layer because the kiosk must tell apart "no
card", "no reader" and "no PC/SC service" from the exact result codes, and must survive pcscd
restarts. A PC/SC transmit cannot be cancelled, so every PC/SC call runs on one dedicated I/O
thread that owns the context and card handle; the caller waits with a timeout and, when the
card does not answer in time, abandons that thread (it cleans up once the call returns) and
starts afresh on the next call.
"""

from __future__ import annotations

import fnmatch
import logging
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from smartcard import scard

from drivers.cardreader.apdu import HEADER_LENGTH, MAX_COMMAND_LENGTH
from drivers.cardreader.transport import (
    CardAbsentError,
    CardCommunicationError,
    CardTimeoutError,
    ReaderUnavailableError,
    ServiceUnavailableError,
)
from drivers.health import Health, HealthState

__all__ = [
    "CardAbsentError",
    "CardCommunicationError",
    "CardTimeoutError",
    "PcscCardReader",
    "ReaderUnavailableError",
    "ServiceUnavailableError",
    "list_readers",
    "reader_matches",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

SERVICE_NOT_RUNNING = "PC/SC service not running"
CONTROL_TIMEOUT = 3.0  # seconds for calls that do not talk to the card (listing, status)

SERVICE_ERRORS = frozenset({scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED, scard.SCARD_E_INVALID_HANDLE})
READER_ERRORS = frozenset(
    {scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE}
)
ABSENT_ERRORS = frozenset({scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD})


def result_code(hresult: int) -> int:
    """PC/SC result codes as unsigned 32-bit numbers, however the binding hands them over."""
    return int(hresult) & 0xFFFFFFFF


def describe(hresult: int) -> str:
    code = result_code(hresult)
    return f"{scard.SCardGetErrorMessage(code)} ({code:#010x})"


def reader_matches(pattern: str, name: str) -> bool:
    """Case-insensitive: a glob when the pattern has * ? or [, else a substring; "" matches any reader."""
    pattern, name = pattern.lower(), name.lower()
    if any(mark in pattern for mark in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return pattern in name


def pcsc_error(hresult: int, what: str) -> Exception:
    """The typed exception for a failed PC/SC call; `what` names the call for the log and message."""
    code = result_code(hresult)
    if code in SERVICE_ERRORS:
        return ServiceUnavailableError(SERVICE_NOT_RUNNING)
    if code in READER_ERRORS:
        return ReaderUnavailableError("Card reader not available")
    if code == scard.SCARD_E_NO_SMARTCARD:
        return CardAbsentError("No card on the reader")
    if code == scard.SCARD_W_REMOVED_CARD:
        return CardAbsentError("Card was removed")
    if code == scard.SCARD_W_RESET_CARD:
        return CardCommunicationError("Card was reset by another program")
    return CardCommunicationError(f"{what} failed: {describe(code)}")


def list_readers() -> list[str]:
    """Names of the readers pcscd knows; [] when there are none or the service is not running."""
    try:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result_code(hresult) != scard.SCARD_S_SUCCESS:
            return []
        try:
            hresult, readers = scard.SCardListReaders(context, [])
            return list(readers) if result_code(hresult) == scard.SCARD_S_SUCCESS else []
        finally:
            scard.SCardReleaseContext(context)
    except Exception:  # the binding raises on odd states; a listing must never take the kiosk down
        log.exception("listing PC/SC readers failed")
        return []


class _Job(Generic[T]):
    __slots__ = ("done", "error", "function", "result")

    def __init__(self, function: Callable[[], T]) -> None:
        self.function = function
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.function()
        except BaseException as error:  # handed to the waiting caller, raised there
            self.error = error
        finally:
            self.done.set()


class _IoThread:
    """One daemon thread running jobs in order; `retire()` lets it finish, clean up and exit."""

    def __init__(self, name: str, cleanup: Callable[[], None]) -> None:
        self._jobs: queue.SimpleQueue[_Job[object] | None] = queue.SimpleQueue()
        self._cleanup = cleanup
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def call(self, function: Callable[[], T], timeout: float) -> T:
        """Run `function` on the thread; TimeoutError when it has not returned within `timeout`."""
        job = _Job(function)
        self._jobs.put(job)  # type: ignore[arg-type]  # a _Job[T] is run, never read, by the thread
        if not job.done.wait(timeout):
            raise TimeoutError
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]  # set by run() when there was no error

    def retire(self) -> None:
        self._jobs.put(None)

    def _run(self) -> None:
        try:
            while (job := self._jobs.get()) is not None:
                job.run()
        finally:
            try:
                self._cleanup()
            except Exception:
                log.exception("releasing the PC/SC context failed")


class _Session:
    """The PC/SC context and card connection; used only on the I/O thread that owns it."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.context: int | None = None
        self.card: int | None = None
        self.protocol = 0

    def release(self) -> None:
        self.disconnect()
        if self.context is not None:
            scard.SCardReleaseContext(self.context)
            self.context = None

    def disconnect(self) -> None:
        if self.card is not None:
            scard.SCardDisconnect(self.card, scard.SCARD_LEAVE_CARD)
            self.card = None

    def fail(self, hresult: int, what: str) -> Exception:
        """Drop the connection (and the context, when the service went away) and say why."""
        error = pcsc_error(hresult, what)
        try:
            if result_code(hresult) in SERVICE_ERRORS:
                self.release()
            else:
                self.disconnect()
        except Exception:
            log.exception("cleaning up after a PC/SC error failed")
        return error

    def ensure_context(self) -> int:
        if self.context is None:
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if result_code(hresult) != scard.SCARD_S_SUCCESS:
                raise pcsc_error(hresult, "SCardEstablishContext")
            self.context = context
        return self.context

    def find_reader(self) -> str:
        """The first reader matching the pattern; a context left over from a stopped pcscd is renewed once."""
        for attempt in (1, 2):
            hresult, readers = scard.SCardListReaders(self.ensure_context(), [])
            code = result_code(hresult)
            if code in SERVICE_ERRORS and attempt == 1:
                self.release()
                continue
            if code not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_NO_READERS_AVAILABLE):
                raise self.fail(code, "SCardListReaders")
            for name in readers if code == scard.SCARD_S_SUCCESS else []:
                if reader_matches(self.pattern, name):
                    return str(name)
            break
        raise ReaderUnavailableError(_missing_reason(self.pattern))

    def reader_state(self) -> tuple[int, bytes]:
        """Event state and ATR of the reader, without connecting to the card."""
        reader = self.find_reader()
        assert self.context is not None
        hresult, states = scard.SCardGetStatusChange(self.context, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
        if result_code(hresult) != scard.SCARD_S_SUCCESS:
            raise self.fail(hresult, "SCardGetStatusChange")
        _, event_state, atr = states[0]
        return int(event_state), bytes(atr)

    def connect(self) -> int:
        if self.card is None:
            reader = self.find_reader()
            assert self.context is not None
            hresult, card, protocol = scard.SCardConnect(
                self.context, reader, scard.SCARD_SHARE_SHARED, scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1
            )
            if result_code(hresult) != scard.SCARD_S_SUCCESS:
                raise self.fail(hresult, "SCardConnect")
            self.card, self.protocol = card, protocol
            log.info("connected to the card in '%s' (protocol T=%d)", reader, 0 if protocol == 1 else 1)
        return self.card

    def transmit(self, apdu: bytes) -> bytes:
        card = self.connect()
        hresult, response = scard.SCardTransmit(card, self.protocol, list(apdu))
        if result_code(hresult) != scard.SCARD_S_SUCCESS:
            raise self.fail(hresult, "SCardTransmit")
        return bytes(response)


def _missing_reason(pattern: str) -> str:
    return f"No card reader found matching '{pattern}'" if pattern else "No card reader found"


class PcscCardReader:
    """Implements `drivers.cardreader.protocol.CardReader` on a PC/SC reader chosen by name pattern.

    Connects to the card on the first APDU and again after the card was removed, reset, or did
    not answer in time. Health and presence never raise; transmit raises the typed errors of
    `drivers.cardreader.transport`.
    """

    def __init__(self, pattern: str = "", *, apdu_timeout: float = 5.0) -> None:
        if apdu_timeout <= 0:
            raise ValueError("apdu_timeout must be positive")
        self.pattern = pattern
        self.apdu_timeout = apdu_timeout
        self._lock = threading.Lock()
        self._io: _IoThread | None = None
        self._session: _Session | None = None

    def health(self) -> Health:
        try:
            self._call(lambda session: session.find_reader(), CONTROL_TIMEOUT)
        except ServiceUnavailableError:
            return Health(HealthState.FAILED, SERVICE_NOT_RUNNING)
        except ReaderUnavailableError:
            return Health.missing(_missing_reason(self.pattern))
        except CardTimeoutError:
            return Health(HealthState.FAILED, "PC/SC service not responding")
        except CardCommunicationError as error:
            return Health(HealthState.FAILED, str(error))
        return Health.ok()

    def card_present(self) -> bool:
        return self.atr() is not None

    def atr(self) -> bytes | None:
        try:
            state, atr = self._call(lambda session: session.reader_state(), CONTROL_TIMEOUT)
        except (CardAbsentError, CardCommunicationError):
            return None
        return atr if state & scard.SCARD_STATE_PRESENT and atr else None

    def transmit(self, apdu: bytes) -> bytes:
        """Send one APDU; CardTimeoutError after `apdu_timeout` seconds, and the next call reconnects."""
        if not isinstance(apdu, bytes | bytearray | memoryview):
            raise TypeError("an APDU is bytes")
        apdu = bytes(apdu)
        if not HEADER_LENGTH <= len(apdu) <= MAX_COMMAND_LENGTH:
            raise ValueError(f"a command APDU is {HEADER_LENGTH} to {MAX_COMMAND_LENGTH} bytes, not {len(apdu)}")
        return self._call(lambda session: session.transmit(apdu), self.apdu_timeout)

    def close(self) -> None:
        """Disconnect from the card and release the PC/SC context; later calls start afresh."""
        with self._lock:
            io, self._io, self._session = self._io, None, None
        if io is not None:
            io.retire()
            io.thread.join(CONTROL_TIMEOUT)

    def _call(self, job: Callable[[_Session], T], timeout: float) -> T:
        with self._lock:
            if self._io is None or self._session is None:
                session = _Session(self.pattern)
                self._io = _IoThread(f"pcsc-{self.pattern or 'any'}", session.release)
                self._session = session
            io, session = self._io, self._session
            try:
                return io.call(lambda: job(session), timeout)
            except TimeoutError:
                # The call is still running in pcscd and cannot be cancelled: leave it to finish
                # on its own thread, which then releases its context; the next call starts a new one.
                log.warning("card reader did not answer within %.1f s; dropping the connection", timeout)
                io.retire()
                self._io = self._session = None
                raise CardTimeoutError(f"no answer from the card within {timeout:g} s") from None
