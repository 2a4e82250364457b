"""Between the session machine and the call service: a tap becomes a call, the call's news moves
the session, and the session's end hangs up.

The machine decides phases (calling → in call → after the call) and knows nothing of WebRTC; the
service knows the call and nothing of phases. This is the one place that listens to both, so the
rules live together: a call the citizen left is hung up whatever made them leave (cancel, "stop",
idle, a reset); a caseworker's request waits until the call screen is up; the feedback is sent
once, when the citizen leaves the after-call screen, however they leave it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from kiosk.call.services import CallPhase, CallUpdate
from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.opening_hours import is_open
from kiosk.session import CallOffer, CallRecord, Change, Event, Phase, SessionMachine
from kiosk.tasks import TASKS
from kiosk.ui.call_service import CallNews, CallRequest, CallService

log = logging.getLogger(__name__)

ON_THE_LINE = frozenset({Phase.CALLING, Phase.IN_CALL})


class CallFlow(QObject):
    changed = Signal(object)  # CallNews of the citizen's current call (the screens show it)
    request_ready = Signal(object)  # CallRequest for the call screen
    request_withdrawn = Signal(object)

    def __init__(
        self,
        machine: SessionMachine,
        service: CallService,
        config: KioskConfig,
        available: Callable[[], bool],
        now: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        super().__init__()
        self.machine = machine
        self.service = service
        self.config = config
        self.now = now
        self._available = available
        self.latest: CallNews | None = None
        self._queued: list[CallRequest] = []
        self._after: CallRecord | None = None  # the call the after-call screen is about
        machine.offer_calls(self.offer)
        machine.subscribe(self._on_change)
        service.news.connect(self._on_news)
        service.requested.connect(self._on_request)
        service.withdrawn.connect(self._on_withdrawn)

    def offer(self) -> CallOffer:
        """Asked at each tap on "talk to a person"; no I/O."""
        if not self._available():
            return CallOffer.NONE
        return CallOffer.OPEN if is_open(self.config.opening_hours, self.now()) else CallOffer.CLOSED

    # -- the session -------------------------------------------------------------------------------
    def _on_change(self, change: Change) -> None:
        previous, phase = change.previous, change.phase
        if previous is Phase.AFTER_CALL and phase is not Phase.AFTER_CALL:
            self._send_feedback()
        if change.event is Event.CALL:
            self._place()
        elif previous in ON_THE_LINE and phase not in ON_THE_LINE and phase is not Phase.AFTER_CALL:
            self._leave()
        if phase is Phase.AFTER_CALL and previous is not Phase.AFTER_CALL:
            citizen = self.machine.citizen
            self._after = citizen.call if citizen is not None else None
        if change.session_ended:
            self.service.forget_citizen()
        if phase is Phase.IN_CALL:
            queued, self._queued = self._queued, []
            for request in queued:
                if not request.finished:
                    self.request_ready.emit(request)

    def _place(self) -> None:
        citizen = self.machine.citizen
        assert citizen is not None and citizen.call is not None
        self.latest = None
        self.service.place(self._topic(citizen.task_id), citizen.language, citizen.call.again_of)
        self.changed.emit(CallNews(self.service.attempt, CallUpdate(CallPhase.CONNECTING)))

    def _topic(self, task_id: str | None) -> str:
        """What the citizen was doing when they called, in the caseworkers' language (no question asked)."""
        task = TASKS.get(task_id or "")
        return Translator.for_language("nl").text(task.title) if task is not None else ""

    def _leave(self) -> None:
        self.service.hang_up()
        self.latest = None
        for request in self._queued:
            request.fail("the call has ended")
        self._queued = []

    def _send_feedback(self) -> None:
        call, self._after = self._after, None
        if call is not None and call.call_id and call.feedback:
            self.service.send_feedback(call.call_id, dict(call.feedback))

    # -- the call ----------------------------------------------------------------------------------
    def _on_news(self, news: CallNews) -> None:
        if news.attempt != self.service.attempt or self.machine.phase not in ON_THE_LINE:
            return  # a call the citizen has left
        self.latest = news
        update = news.update
        citizen = self.machine.citizen
        if citizen is not None and citizen.call is not None and update.call_id:
            citizen.call.call_id = update.call_id
        self.changed.emit(news)
        if update.phase is CallPhase.CONNECTED and self.machine.phase is Phase.CALLING:
            self.machine.call_answered(update.call_id)
        elif update.phase is CallPhase.ENDED:
            self.service.call_ended()
            reason = update.reason.value if update.reason is not None else "network"
            log.info("the call ended (%s)", reason)
            self.machine.call_ended(update.call_id, reason)

    def _on_request(self, request: CallRequest) -> None:
        if self.machine.phase is Phase.IN_CALL:
            self.request_ready.emit(request)
        elif self.machine.phase is Phase.CALLING:
            self._queued.append(request)  # answered, but the picture is not up yet
        else:
            request.fail("the call has ended")

    def _on_withdrawn(self, request: CallRequest) -> None:
        if request in self._queued:
            self._queued.remove(request)
        self.request_withdrawn.emit(request)
