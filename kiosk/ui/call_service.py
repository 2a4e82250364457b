"""The video call seen from Qt: the call engine on its own threads, its news as signals, and the
caseworker's requests handed to the call screen, where the citizen does them.

The engine (kiosk/call/engine.py) imports aiortc, which takes a second or two: it is made on this
service's own worker thread at the first call, never on the UI thread. Its news arrives on the call's
thread and is re-emitted as a Qt signal. A caseworker's request (read the chip, scan, print, show a
message) arrives on a worker thread of the engine and must block until the citizen is done, so it
becomes a `CallRequest` that the screen answers; the worker waits on it, never the UI.

Each placed call is an "attempt"; news of an attempt the citizen has already left (cancelled while
the engine was still starting, or a late "ended" after hanging up) is marked as such, so a screen
never acts on a call that is no longer the citizen's.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from kiosk.call.services import (
    CallPhase,
    CallUpdate,
    EndReason,
    IdentityResult,
    ScannedPage,
    ServiceFailed,
)
from kiosk.call.shared_camera import SharedCamera

if TYPE_CHECKING:
    from drivers.audio_output.protocol import AudioOutput
    from drivers.camera.protocol import Camera
    from drivers.microphone.protocol import Microphone
    from drivers.printer.protocol import Printer
    from kiosk.call.engine import CallEngine
    from kiosk.call.media import RemoteMedia

log = logging.getLogger(__name__)

# How long a caseworker's request may wait for the citizen before the caseworker hears it failed.
REQUEST_SECONDS = {"identity": 240.0, "scan": 240.0, "print": 120.0, "message": 15.0}


@dataclass(frozen=True)
class CallLine:
    """Where calls go: the backoffice's address and this device's credential."""

    url: str
    token: str = field(repr=False)


@dataclass(frozen=True)
class CallNews:
    attempt: int
    update: CallUpdate
    microphone: bool = True  # False: the caseworker cannot hear the citizen


class RequestKind(StrEnum):
    IDENTITY = "identity"
    SCAN = "scan"
    PRINT = "print"
    MESSAGE = "message"


class CallRequest:
    """One caseworker's request; a worker thread waits until the screen calls `succeed` or `fail`."""

    def __init__(self, kind: RequestKind, payload: Any = None) -> None:
        self.kind = kind
        self.payload = payload  # the message's text, or the Document to print
        self._done = threading.Event()
        self._result: Any = None
        self._failure: str | None = None

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    @property
    def failed(self) -> bool:
        return self._done.is_set() and self._failure is not None

    def succeed(self, result: Any = None) -> None:
        if not self._done.is_set():
            self._result = result
            self._done.set()

    def fail(self, reason: str) -> None:
        """`reason` goes to the caseworker: plain words, nothing personal."""
        if not self._done.is_set():
            self._failure = reason
            self._done.set()

    def wait(self, timeout: float) -> Any:
        if not self._done.wait(timeout):
            self.fail("the citizen did not finish in time")
        if self._failure is not None:
            raise ServiceFailed(self._failure)
        result, self._result = self._result, None  # the chip's data is not kept here
        return result


class CallService(QObject):
    """Owns the engine and the call's devices; implements `kiosk.call.services.CallServices`
    (on the engine's worker threads) and `CallListener` (on the call's thread)."""

    news = Signal(object)  # CallNews, on the UI thread
    requested = Signal(object)  # CallRequest to show the citizen
    withdrawn = Signal(object)  # CallRequest no longer wanted (the call ended, or it timed out)

    def __init__(
        self,
        camera: Camera,
        printer: Printer,
        call_devices: Callable[[], tuple[Microphone, AudioOutput]],
        line: Callable[[], CallLine | None],
        *,
        engine_options: dict[str, float] | None = None,
    ) -> None:
        super().__init__()
        self.camera = SharedCamera(camera)
        self._printer = printer
        self._call_devices = call_devices
        self._line = line
        self.engine_options = engine_options or {}  # reconnect_seconds, connect_timeout (tests shorten them)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="call-start")
        self._lock = threading.Lock()
        self._attempt = 0  # the citizen's current call; raised by every place and hang-up
        self._live_attempt = 0  # the attempt the engine's news belongs to
        self._engine: CallEngine | None = None
        self._devices: tuple[Microphone, AudioOutput] | None = None
        self._default_volume: float | None = None
        self._microphone_ok = True
        self._pending: set[CallRequest] = set()
        self._hold = self.camera.user()  # the caseworker sees the citizen whatever the screen shows
        self._closed = False

    # -- the citizen's side (UI thread) -----------------------------------------------------------
    @property
    def attempt(self) -> int:
        return self._attempt

    def place(self, topic: str, language: str, call_again: str | None = None) -> int:
        """Start a call off the UI thread; its news carries the returned attempt number."""
        with self._lock:
            self._attempt += 1
            attempt = self._attempt
        self._hold.start()
        if not self._closed:
            self._executor.submit(self._place, attempt, topic, language, call_again)
        return attempt

    def hang_up(self) -> None:
        """The citizen left the call (cancel, stop, idle, session end): end it and forget its news."""
        with self._lock:
            self._attempt += 1
            engine = self._engine
        self._withdraw_all()
        self._hold.stop()
        if engine is not None:
            engine.hang_up()

    def end_call(self) -> None:
        """The citizen taps "End call": the call ends as theirs, and its news still counts (feedback)."""
        if self._engine is not None:
            self._engine.hang_up()

    def call_ended(self) -> None:
        """The current call is over (seen by the UI): the camera may stop with its last user."""
        self._hold.stop()

    def cant_hear(self) -> None:
        if self._engine is not None:
            self._engine.cant_hear()

    def send_chat(self, text: str) -> None:
        """A line the citizen typed (the kiosk has no microphone); the console shows it in its chat."""
        if self._engine is not None and text.strip():
            self._engine.send_chat(text.strip())

    def send_feedback(self, call_id: str, answers: dict[str, int | str]) -> None:
        if self._engine is not None and answers:
            self._engine.send_feedback(call_id, answers)

    @property
    def remote(self) -> RemoteMedia | None:
        """The caseworker's picture and sound of the current call (replaced after each call)."""
        return self._engine.remote if self._engine is not None else None

    @property
    def volume(self) -> float:
        return self._devices[1].volume if self._devices is not None else 0.8

    def set_volume(self, volume: float) -> None:
        if self._devices is not None:
            self._devices[1].volume = min(1.0, max(0.0, volume))

    def forget_citizen(self) -> None:
        """The session ended: the next citizen starts at the configured volume, not this one's."""
        if self._devices is not None and self._default_volume is not None:
            self._devices[1].volume = self._default_volume

    def close(self) -> None:
        """At kiosk shutdown: end any call, release waiting requests, stop the engine and threads."""
        self._closed = True
        self.hang_up()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self._hold.stop()

    # -- placing (the service's worker thread) ----------------------------------------------------
    def _place(self, attempt: int, topic: str, language: str, call_again: str | None) -> None:
        try:
            engine = self._engine or self._make_engine()
        except Exception as error:  # no engine, no call: the citizen hears it could not be made
            log.error("the call could not start: %s", type(error).__name__)
            self._emit(attempt, CallUpdate(CallPhase.ENDED, reason=EndReason.NETWORK, video=False))
            return
        if engine is None:
            self._emit(attempt, CallUpdate(CallPhase.ENDED, reason=EndReason.NETWORK, video=False))
            return
        engine.wait_ended(timeout=15)  # the previous call's last news comes before this one's first
        assert self._devices is not None
        microphone_ok = self._devices[0].health().usable
        with self._lock:
            if attempt != self._attempt:
                return  # cancelled while the engine started
            self._live_attempt = attempt
            self._microphone_ok = microphone_ok
        engine.place_call(topic, language, call_again)

    def _make_engine(self) -> CallEngine | None:
        line = self._line()
        if line is None:
            return None
        from kiosk.call.engine import CallDevices, CallEngine

        if self._devices is None:
            self._devices = self._call_devices()
            self._default_volume = self._devices[1].volume
        microphone, audio_output = self._devices
        devices = CallDevices(self.camera.user(), microphone, audio_output)
        self._engine = CallEngine(line.url, line.token, devices, self, self, **self.engine_options)
        return self._engine

    def _emit(self, attempt: int, update: CallUpdate) -> None:
        self.news.emit(CallNews(attempt, update, self._microphone_ok))

    # -- CallListener (the call's thread) ---------------------------------------------------------
    def call_update(self, update: CallUpdate) -> None:
        with self._lock:
            attempt = self._live_attempt
        if update.phase is CallPhase.ENDED:
            self._withdraw_all()
        self._emit(attempt, update)

    # -- CallServices (the engine's worker threads) -----------------------------------------------
    def read_identity(self) -> IdentityResult:
        """The screen hands back the chip's VerifiedIdentity; its photo becomes JPEG here, off the UI."""
        from kiosk.call.identity_payload import identity_result

        return identity_result(self._ask(CallRequest(RequestKind.IDENTITY)))

    def scan_document(self) -> list[ScannedPage]:
        """The screen hands back the cleaned pages; they become one PDF here, off the UI."""
        from drivers.camera.vision.scan_pdf import pages_to_pdf

        pages = self._ask(CallRequest(RequestKind.SCAN))
        return [ScannedPage("application/pdf", pages_to_pdf(pages))]

    def print_pdf(self, pdf: bytes) -> None:
        from drivers.printer.document import DocumentError
        from drivers.printer.pdf_document import pdf_document

        try:  # rendering the pages takes a while: here, not on the UI thread
            document = pdf_document(pdf, self._printer.profile)
        except DocumentError as error:
            raise ServiceFailed(f"the PDF cannot be printed: {error}") from None
        self._ask(CallRequest(RequestKind.PRINT, document))

    def show_message(self, text: str) -> None:
        self._ask(CallRequest(RequestKind.MESSAGE, text))

    def _ask(self, request: CallRequest) -> Any:
        with self._lock:
            if self._live_attempt != self._attempt:
                raise ServiceFailed("the call has ended")
            self._pending.add(request)
        self.requested.emit(request)
        try:
            return request.wait(REQUEST_SECONDS[request.kind.value])
        finally:
            with self._lock:
                self._pending.discard(request)
            if request.failed:
                self.withdrawn.emit(request)

    def _withdraw_all(self) -> None:
        with self._lock:
            pending = list(self._pending)
        for request in pending:
            request.fail("the call has ended")
