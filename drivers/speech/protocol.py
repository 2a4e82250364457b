"""Speech output: the kiosk's voice for guidance, announcements and countdowns."""

from __future__ import annotations

from typing import Protocol

from drivers.health import Health


class Speech(Protocol):
    def health(self) -> Health: ...

    def say(self, text: str, language: str) -> None:
        """Speak `text` in `language` (ISO 639-1, e.g. "nl"), without blocking.

        A new utterance interrupts the one being spoken: the kiosk always says what
        is on screen now, never a backlog.
        """

    def stop(self) -> None:
        """Fall silent and drop everything held about what was said.

        Called when a citizen's session ends, so nothing they heard outlives it.
        """

    def close(self) -> None:
        """Release the voice (end the worker thread) when the kiosk shuts down."""
