"""Speech that only writes down what it was asked to say.

The default when no voice is configured in development, and what tests use to check that
each screen announces itself in the session's language.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from drivers.health import Health

MAX_UTTERANCES = 200  # enough for any session; bounded so a kiosk left running cannot grow


@dataclass(frozen=True, slots=True)
class Utterance:
    text: str
    language: str


class RecordingSpeech:
    """Implements `drivers.speech.protocol.Speech` by recording utterances (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._utterances: deque[Utterance] = deque(maxlen=MAX_UTTERANCES)

    def health(self) -> Health:
        return Health.ok()

    def say(self, text: str, language: str) -> None:
        with self._lock:
            self._utterances.append(Utterance(text, language))

    def stop(self) -> None:
        """Forget everything recorded: nothing said to a citizen outlives their session."""
        with self._lock:
            self._utterances.clear()

    def close(self) -> None:
        self.stop()

    @property
    def utterances(self) -> list[Utterance]:
        with self._lock:
            return list(self._utterances)
