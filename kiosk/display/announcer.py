"""Announcing calls: the chime through the speaker, then the sentences through the voice, one call
after another, on the announcer's own thread.

The chime is fed to the audio output in real time (a few frames ahead), because an output's queue is
short and drops the oldest frames when flooded; speech starts only when the chime has sounded. A
speech driver cuts off what it is saying when given something new, so between the Dutch and the
second language the announcer waits until the voice is done, when the driver can say so
(`wait_idle`, espeak-ng); a recorder speaks instantly and needs no wait.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from drivers.audio_output.protocol import AudioOutput
from drivers.pcm import FRAME_SECONDS, PcmFrame
from drivers.speech.protocol import Speech
from kiosk.display.announcement import announcement
from kiosk.display.board import BoardCall
from kiosk.display.chime import two_tone_chime

log = logging.getLogger(__name__)

LEAD_FRAMES = 5  # frames handed to the output ahead of real time: 100 ms, within any output's queue
MAX_WAITING = 20  # calls queued for announcing; more means an hour-long backlog nobody waits for
SPEECH_TIMEOUT = 15.0  # seconds one sentence may take before the next is said anyway
PAUSE_BETWEEN_CALLS = 0.5
AFTER_CHIME = 0.15  # seconds: a sound card's buffer (ALSA's period or two) plays on after the last frame


@runtime_checkable
class FinishesSpeaking(Protocol):
    def wait_idle(self, timeout: float) -> bool: ...


class Announcer:
    """`announce()` from any thread; `start()` and `close()` from the owner's."""

    def __init__(
        self,
        speech: Speech,
        output: AudioOutput,
        *,
        chime: Sequence[PcmFrame] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.speech = speech
        self.output = output
        self.chime = tuple(chime) if chime is not None else two_tone_chime()
        self._clock = clock
        self._condition = threading.Condition()
        self._waiting: deque[BoardCall] = deque(maxlen=MAX_WAITING)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.announced = 0  # calls fully announced, for the maintenance view and tests

    def start(self) -> None:
        if self._thread is not None:
            return
        self.output.start()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="display-announcer", daemon=True)
        self._thread.start()

    def announce(self, call: BoardCall) -> None:
        with self._condition:
            self._waiting.append(call)
            self._condition.notify_all()

    def close(self) -> None:
        self._stopping.set()
        with self._condition:
            self._waiting.clear()
            self._condition.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
        self.output.stop()

    def wait_announced(self, count: int, timeout: float) -> bool:
        """True once `count` calls were announced in all (tests wait on this, never sleep)."""
        with self._condition:
            return self._condition.wait_for(lambda: self.announced >= count, timeout)

    def _run(self) -> None:
        while not self._stopping.is_set():
            with self._condition:
                self._condition.wait_for(lambda: bool(self._waiting) or self._stopping.is_set())
                if self._stopping.is_set():
                    return
                call = self._waiting.popleft()
            try:
                self._announce(call)
            except Exception:  # a failing speaker or voice must not end the announcements
                log.exception("announcing call %s failed", call.id)
            with self._condition:
                self.announced += 1
                self._condition.notify_all()
            self._stopping.wait(PAUSE_BETWEEN_CALLS)

    def _announce(self, call: BoardCall) -> None:
        if not self._play_chime():
            return
        for spoken in announcement(call):
            self.speech.say(spoken.text, spoken.language)
            # Also after the last sentence: the next call's chime must not sound over it, nor its words cut it off.
            if not self._wait_for_voice():
                return

    def _play_chime(self) -> bool:
        """False when the display is closing."""
        start = self._clock()
        for index, frame in enumerate(self.chime):
            if not self._wait_until(start + (index - LEAD_FRAMES) * FRAME_SECONDS):
                return False
            self.output.play(frame)
        # Until the last frame has sounded, and a little more for the output's own buffer.
        return self._wait_until(start + len(self.chime) * FRAME_SECONDS + AFTER_CHIME)

    def _wait_until(self, moment: float) -> bool:
        delay = moment - self._clock()
        return delay <= 0 or not self._stopping.wait(delay)

    def _wait_for_voice(self) -> bool:
        if not isinstance(self.speech, FinishesSpeaking):
            return not self._stopping.is_set()
        deadline = self._clock() + SPEECH_TIMEOUT
        while not self._stopping.is_set():
            if self.speech.wait_idle(0.2) or self._clock() >= deadline:
                return True
        return False
