"""The citizen's session as an explicit state machine, free of Qt.

attract → (welcome: language and accessibility) → menu → a task's flow → goodbye →
attract. "Talk to a person" is reachable from every phase: with a backoffice it is a
video call (calling → in call → after the call), without one the help screen, and
cancelling either returns to where the citizen was. Everything known about the
citizen lives in one `CitizenSession` object that is dropped whole when the session
ends, so a wipe cannot miss a flag kept somewhere else. Screens are views of this
state; they never decide a transition themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.config import SessionSettings
from kiosk.idle import IdleState, IdleWatch
from kiosk.maintenance import MaintenanceAccess, PinResult


class Phase(StrEnum):
    ATTRACT = "attract"
    WELCOME = "welcome"  # language, contrast, text size, speech
    MENU = "menu"
    TASK = "task"
    HELP = "help"  # talk to a person: where the counter is (no backoffice to call)
    CALLING = "calling"  # a video call on its way or in the queue; someone should be watching
    IN_CALL = "in_call"  # a caseworker answered (also while the line is repaired)
    AFTER_CALL = "after_call"  # how did it go, or what else to do when the call did not happen
    GOODBYE = "goodbye"
    MAINTENANCE_PIN = "maintenance_pin"  # the technician's PIN, after the hidden gesture (kiosk.maintenance)
    MAINTENANCE = "maintenance"  # the technician's screen; no citizen session runs meanwhile


class Event(StrEnum):
    START = "start"
    OPEN_WELCOME = "open_welcome"
    WELCOME_DONE = "welcome_done"
    CHOOSE_TASK = "choose_task"
    TASK_DONE = "task_done"
    BACK = "back"
    TALK_TO_PERSON = "talk_to_person"
    CALL = "call"
    CALL_CLOSED = "call_closed"  # outside opening hours: no call is placed
    CALL_ANSWERED = "call_answered"
    CALL_ENDED = "call_ended"
    FINISH = "finish"
    GOODBYE_DONE = "goodbye_done"
    TIMED_OUT = "timed_out"
    RESET = "reset"  # something went wrong: start clean rather than show a broken screen
    OPEN_MAINTENANCE = "open_maintenance"  # the hidden gesture on the attract screen
    MAINTENANCE_UNLOCKED = "maintenance_unlocked"
    CLOSE_MAINTENANCE = "close_maintenance"


# Where "talk to a person" is under way already, so a second tap changes nothing.
TALKING = frozenset({Phase.HELP, Phase.CALLING, Phase.IN_CALL})
# The technician's phases: no citizen, no "talk to a person"; they close after their own idle time.
MAINTAINING = frozenset({Phase.MAINTENANCE_PIN, Phase.MAINTENANCE})

# The whole map of the citizen's path; anything not here is refused.
TRANSITIONS: dict[tuple[Phase, Event], Phase] = {
    (Phase.ATTRACT, Event.START): Phase.MENU,
    (Phase.ATTRACT, Event.OPEN_WELCOME): Phase.WELCOME,
    (Phase.MENU, Event.OPEN_WELCOME): Phase.WELCOME,
    (Phase.WELCOME, Event.WELCOME_DONE): Phase.MENU,
    (Phase.MENU, Event.CHOOSE_TASK): Phase.TASK,
    (Phase.TASK, Event.BACK): Phase.MENU,
    (Phase.TASK, Event.TASK_DONE): Phase.MENU,
    (Phase.MENU, Event.FINISH): Phase.GOODBYE,
    (Phase.TASK, Event.FINISH): Phase.GOODBYE,
    (Phase.WELCOME, Event.FINISH): Phase.GOODBYE,
    (Phase.HELP, Event.FINISH): Phase.GOODBYE,
    (Phase.GOODBYE, Event.GOODBYE_DONE): Phase.ATTRACT,
    (Phase.GOODBYE, Event.START): Phase.ATTRACT,  # a tap on goodbye skips the wait
    (Phase.CALLING, Event.CALL_ANSWERED): Phase.IN_CALL,
    (Phase.CALLING, Event.CALL_ENDED): Phase.AFTER_CALL,
    (Phase.IN_CALL, Event.CALL_ENDED): Phase.AFTER_CALL,
    (Phase.CALLING, Event.FINISH): Phase.GOODBYE,  # "No, stop" on the idle warning while waiting
    (Phase.AFTER_CALL, Event.FINISH): Phase.GOODBYE,
    (Phase.AFTER_CALL, Event.CHOOSE_TASK): Phase.TASK,  # take a number, opening hours
    (Phase.ATTRACT, Event.OPEN_MAINTENANCE): Phase.MAINTENANCE_PIN,
    (Phase.MAINTENANCE_PIN, Event.MAINTENANCE_UNLOCKED): Phase.MAINTENANCE,
    (Phase.MAINTENANCE_PIN, Event.CLOSE_MAINTENANCE): Phase.ATTRACT,
    (Phase.MAINTENANCE, Event.CLOSE_MAINTENANCE): Phase.ATTRACT,
    **{(phase, Event.TALK_TO_PERSON): Phase.HELP for phase in Phase if phase not in TALKING | MAINTAINING},
    **{(phase, Event.CALL): Phase.CALLING for phase in Phase if phase not in TALKING | MAINTAINING},
    **{(phase, Event.CALL_CLOSED): Phase.AFTER_CALL for phase in Phase if phase not in TALKING | MAINTAINING},
    **{(phase, Event.TIMED_OUT): Phase.ATTRACT for phase in Phase if phase is not Phase.ATTRACT},
    **{(phase, Event.RESET): Phase.ATTRACT for phase in Phase if phase is not Phase.ATTRACT},
}

# Phases in which a citizen is present and idle time counts. Not IN_CALL: a citizen listening to a
# caseworker touches nothing, and the caseworker ends the call; a queue nobody watches does time out.
ATTENDED = frozenset({Phase.WELCOME, Phase.MENU, Phase.TASK, Phase.HELP, Phase.CALLING, Phase.AFTER_CALL})
# Detours from where the citizen was: a task's inputs survive them, and "back" returns there.
DETOURS = frozenset({Phase.HELP, Phase.CALLING})


class CallOffer(StrEnum):
    """Whether "talk to a person" can be a video call now (the UI asks the kiosk's call service)."""

    NONE = "none"  # no backoffice: the help screen says where the counter is
    CLOSED = "closed"  # outside opening hours: say so, with the hours and what else to do
    OPEN = "open"


class TransitionError(Exception):
    """An event that the current phase does not accept (a bug in a screen)."""


@dataclass
class CitizenSession:
    """All that is known about the citizen now; replaced whole when the session ends."""

    language: str
    high_contrast: bool = False
    large_text: bool = False
    speech: bool = False
    task_id: str | None = None
    return_phase: Phase | None = None  # where "back" from HELP goes
    task_data: dict[str, Any] = field(default_factory=dict)  # what the task flow holds
    identity: object | None = None  # kiosk.identity.VerifiedIdentity once confirmed; outlives the task
    call: CallRecord | None = None  # the video call of this session, from the tap to the feedback


@dataclass
class CallRecord:
    """One video call as the session needs it; its reasons are kiosk.call.services.EndReason values."""

    again_of: str | None = None  # the call that broke off: this one goes first in line
    call_id: str | None = None
    answered: bool = False
    end_reason: str | None = None
    feedback: dict[str, int | str] = field(default_factory=dict)  # sent when the citizen leaves


@dataclass(frozen=True, slots=True)
class Change:
    """What a listener is told after every accepted event or timeout."""

    previous: Phase
    phase: Phase
    event: Event | None
    session_ended: bool = False
    task_left: bool = False  # the task's inputs were dropped; its screens must forget too


Listener = Callable[[Change], None]


class SessionMachine:
    def __init__(
        self,
        settings: SessionSettings,
        languages: list[str],
        clock: Callable[[], float] = time.monotonic,
        maintenance: MaintenanceAccess | None = None,
    ) -> None:
        self._settings = settings
        self.maintenance = maintenance or MaintenanceAccess(None)
        self._maintenance_until: float | None = None
        self._languages = list(languages)
        self._clock = clock
        self._listeners: list[Listener] = []
        self.idle = IdleWatch(settings.idle_seconds, settings.warning_seconds)
        self.phase = Phase.ATTRACT
        self.citizen: CitizenSession | None = None
        self._goodbye_at: float | None = None
        self._call_offer: Callable[[], CallOffer] = lambda: CallOffer.NONE

    def offer_calls(self, offer: Callable[[], CallOffer]) -> None:
        """How "talk to a person" is answered from now on (asked at each tap; must not block)."""
        self._call_offer = offer

    # -- observation -------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self, change: Change) -> None:
        for listener in list(self._listeners):
            listener(change)

    @property
    def language(self) -> str:
        return self.citizen.language if self.citizen else self._languages[0]

    @property
    def languages(self) -> list[str]:
        return list(self._languages)

    # -- citizen actions ---------------------------------------------------------
    def start(self, language: str | None = None) -> None:
        """From attract: begin in the chosen language (or the first one)."""
        if self.phase is Phase.GOODBYE:
            self._fire(Event.START)
            return
        self._ensure_session(language)
        self._fire(Event.START)

    def open_welcome(self) -> None:
        self._ensure_session(None)
        self._fire(Event.OPEN_WELCOME)

    def welcome_done(self) -> None:
        self._fire(Event.WELCOME_DONE)

    def choose_task(self, task_id: str) -> None:
        self._require_session().task_id = task_id
        self._fire(Event.CHOOSE_TASK)

    def task_done(self) -> None:
        self._fire(Event.TASK_DONE)

    # -- the technician ----------------------------------------------------------
    def maintenance_gesture(self) -> bool:
        """The hidden gesture was made: ask for the PIN (only on the attract screen, with a PIN set)."""
        if self.phase is not Phase.ATTRACT or self.maintenance.gate is None:
            return False
        self.citizen = None
        self._fire(Event.OPEN_MAINTENANCE)
        return True

    def enter_pin(self, pin: str) -> PinResult:
        if self.phase is not Phase.MAINTENANCE_PIN or self.maintenance.gate is None:
            raise TransitionError(f"no PIN is asked in phase {self.phase}")
        result = self.maintenance.gate.try_pin(pin)
        if result is PinResult.OPEN:
            self._fire(Event.MAINTENANCE_UNLOCKED)
        return result

    def close_maintenance(self) -> None:
        self._fire(Event.CLOSE_MAINTENANCE)

    def talk_to_person(self) -> None:
        """One tap: a video call when the kiosk can place one, else the help screen."""
        session = self._ensure_session(None)
        if self.phase in TALKING:
            return
        if self.phase is not Phase.AFTER_CALL:
            session.return_phase = self.phase if self.phase not in (Phase.ATTRACT, Phase.GOODBYE) else Phase.MENU
        offer = self._call_offer()
        if offer is CallOffer.NONE:
            self._fire(Event.TALK_TO_PERSON)
            return
        session.call = CallRecord()
        if offer is CallOffer.CLOSED:
            session.call.end_reason = "closed"
            self._fire(Event.CALL_CLOSED)
            return
        self._fire(Event.CALL)

    def call_again(self) -> None:
        """After a call that broke off: a new one, first in line (the backoffice checks the claim)."""
        session = self._require_session()
        if self.phase is not Phase.AFTER_CALL:
            raise TransitionError(f"{Event.CALL} again is not possible in phase {self.phase}")
        previous = session.call
        session.call = CallRecord(again_of=previous.call_id if previous is not None else None)
        self._fire(Event.CALL)

    def call_answered(self, call_id: str | None) -> None:
        call = self._require_call()
        call.call_id, call.answered = call_id or call.call_id, True
        self._fire(Event.CALL_ANSWERED)

    def call_ended(self, call_id: str | None, reason: str) -> None:
        call = self._require_call()
        call.call_id, call.end_reason = call_id or call.call_id, reason
        self._fire(Event.CALL_ENDED)

    def back(self) -> None:
        if self.phase in DETOURS:
            session = self._require_session()
            target = session.return_phase or Phase.MENU
            if target is Phase.TASK and session.task_id is None:
                target = Phase.MENU  # the task was left meanwhile (a call that ended)
            session.return_phase = None
            session.call = None
            self._move(target, Event.BACK)
            return
        self._fire(Event.BACK)

    def finish(self) -> None:
        self._fire(Event.FINISH)

    def reset(self) -> None:
        """End whatever is going on and wipe the session (after an unexpected error)."""
        if self.phase is not Phase.ATTRACT:
            self._fire(Event.RESET)
        else:
            self.citizen = None

    def set_language(self, language: str) -> None:
        if language not in self._languages:
            raise ValueError(f"language {language!r} is not offered here")
        self._ensure_session(language).language = language
        self._notify(Change(self.phase, self.phase, None))

    def set_preferences(
        self, *, high_contrast: bool | None = None, large_text: bool | None = None, speech: bool | None = None
    ) -> None:
        session = self._ensure_session(None)
        if high_contrast is not None:
            session.high_contrast = high_contrast
        if large_text is not None:
            session.large_text = large_text
        if speech is not None:
            session.speech = speech
        self._notify(Change(self.phase, self.phase, None))

    def touch(self) -> None:
        """Any sign of the citizen: resets the idle clock (and answers "yes, still here")."""
        if self.phase in MAINTAINING:
            self._maintenance_until = self._clock() + self.maintenance.idle_seconds
            return
        was_warning = self.idle.state is IdleState.WARNING
        self.idle.touch(self._clock())
        if was_warning:
            self._notify(Change(self.phase, self.phase, None))

    # -- time --------------------------------------------------------------------
    def tick(self) -> None:
        """Let time pass: idle warning, idle end, goodbye end. Called by a timer."""
        now = self._clock()
        if self.phase is Phase.GOODBYE and self._goodbye_at is not None and now >= self._goodbye_at:
            self._fire(Event.GOODBYE_DONE)
            return
        if self.phase in MAINTAINING and self._maintenance_until is not None and now >= self._maintenance_until:
            self._fire(Event.TIMED_OUT)
            return
        if self.phase not in ATTENDED:
            return
        before = self.idle.state
        state = self.idle.check(now)
        if state is IdleState.EXPIRED:
            self._fire(Event.TIMED_OUT)
        elif state is not before:
            self._notify(Change(self.phase, self.phase, None))

    def next_deadline(self) -> float | None:
        """The clock time at which `tick()` has something to do, if any."""
        if self.phase is Phase.GOODBYE:
            return self._goodbye_at
        if self.phase in MAINTAINING:
            return self._maintenance_until
        if self.phase in ATTENDED:
            return self.idle.next_deadline()
        return None

    def warning_seconds_left(self) -> int | None:
        if self.phase in ATTENDED and self.idle.state is IdleState.WARNING:
            return self.idle.seconds_left(self._clock())
        return None

    # -- internals ---------------------------------------------------------------
    def _ensure_session(self, language: str | None) -> CitizenSession:
        if language is not None and language not in self._languages:
            raise ValueError(f"language {language!r} is not offered here")
        if self.citizen is None:
            self.citizen = CitizenSession(language=language or self._languages[0])
            self.idle.touch(self._clock())
        elif language is not None:
            self.citizen.language = language
        return self.citizen

    def _require_session(self) -> CitizenSession:
        if self.citizen is None:
            raise TransitionError(f"no citizen session in phase {self.phase}")
        return self.citizen

    def _require_call(self) -> CallRecord:
        call = self._require_session().call
        if call is None:
            raise TransitionError(f"no call in phase {self.phase}")
        return call

    def _fire(self, event: Event) -> None:
        target = TRANSITIONS.get((self.phase, event))
        if target is None:
            raise TransitionError(f"{event} is not possible in phase {self.phase}")
        self._move(target, event)

    def _move(self, target: Phase, event: Event) -> None:
        previous = self.phase
        citizen = self.citizen
        # A task's inputs live only as long as the task; a detour to "talk to a person" keeps them
        # (until a caseworker answers: after a call the session ends).
        task_left = citizen is not None and citizen.task_id is not None and target is not Phase.TASK
        task_left = task_left and target not in DETOURS
        if task_left and citizen is not None:
            citizen.task_data.clear()
            citizen.task_id = None
        self.phase = target
        ended = target is Phase.ATTRACT and self.citizen is not None
        if ended:
            self.citizen = None  # the wipe: the one object that knew the citizen is gone
        self._goodbye_at = self._clock() + self._settings.goodbye_seconds if target is Phase.GOODBYE else None
        if target in ATTENDED:
            self.idle.touch(self._clock())
        in_maintenance = target in MAINTAINING
        self._maintenance_until = self._clock() + self.maintenance.idle_seconds if in_maintenance else None
        self._notify(Change(previous, target, event, session_ended=ended, task_left=task_left))
