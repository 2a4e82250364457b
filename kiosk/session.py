"""The citizen's session as an explicit state machine, free of Qt.

attract → (welcome: language and accessibility) → menu → a task's flow → goodbye →
attract. "Talk to a person" is reachable from every phase and returns to where the
citizen was. Everything known about the citizen lives in one `CitizenSession`
object that is dropped whole when the session ends, so a wipe cannot miss a flag
kept somewhere else. Screens are views of this state; they never decide a
transition themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kiosk.config import SessionSettings
from kiosk.idle import IdleState, IdleWatch


class Phase(StrEnum):
    ATTRACT = "attract"
    WELCOME = "welcome"  # language, contrast, text size, speech
    MENU = "menu"
    TASK = "task"
    HELP = "help"  # talk to a person
    GOODBYE = "goodbye"


class Event(StrEnum):
    START = "start"
    OPEN_WELCOME = "open_welcome"
    WELCOME_DONE = "welcome_done"
    CHOOSE_TASK = "choose_task"
    TASK_DONE = "task_done"
    BACK = "back"
    TALK_TO_PERSON = "talk_to_person"
    FINISH = "finish"
    GOODBYE_DONE = "goodbye_done"
    TIMED_OUT = "timed_out"
    RESET = "reset"  # something went wrong: start clean rather than show a broken screen


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
    **{(phase, Event.TALK_TO_PERSON): Phase.HELP for phase in Phase if phase is not Phase.HELP},
    **{(phase, Event.TIMED_OUT): Phase.ATTRACT for phase in Phase if phase is not Phase.ATTRACT},
    **{(phase, Event.RESET): Phase.ATTRACT for phase in Phase if phase is not Phase.ATTRACT},
}

# Phases in which a citizen is present and idle time counts.
ATTENDED = frozenset({Phase.WELCOME, Phase.MENU, Phase.TASK, Phase.HELP})


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
    ) -> None:
        self._settings = settings
        self._languages = list(languages)
        self._clock = clock
        self._listeners: list[Listener] = []
        self.idle = IdleWatch(settings.idle_seconds, settings.warning_seconds)
        self.phase = Phase.ATTRACT
        self.citizen: CitizenSession | None = None
        self._goodbye_at: float | None = None

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

    def talk_to_person(self) -> None:
        session = self._ensure_session(None)
        if self.phase is Phase.HELP:
            return
        session.return_phase = self.phase if self.phase not in (Phase.ATTRACT, Phase.GOODBYE) else Phase.MENU
        self._fire(Event.TALK_TO_PERSON)

    def back(self) -> None:
        if self.phase is Phase.HELP:
            session = self._require_session()
            target = session.return_phase or Phase.MENU
            session.return_phase = None
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

    def _fire(self, event: Event) -> None:
        target = TRANSITIONS.get((self.phase, event))
        if target is None:
            raise TransitionError(f"{event} is not possible in phase {self.phase}")
        self._move(target, event)

    def _move(self, target: Phase, event: Event) -> None:
        previous = self.phase
        citizen = self.citizen
        # A task's inputs live only as long as the task; a detour to "talk to a person" keeps them.
        task_left = citizen is not None and citizen.task_id is not None and target not in (Phase.TASK, Phase.HELP)
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
        self._notify(Change(previous, target, event, session_ended=ended, task_left=task_left))
