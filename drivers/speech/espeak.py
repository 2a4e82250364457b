"""The kiosk's voice through the espeak-ng command-line synthesiser.

espeak-ng is small, offline (nothing a citizen hears leaves the machine) and has Dutch and
English voices. Each utterance is one child process, so interrupting it is terminating
that process; one worker thread starts them, so say() never blocks the UI.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import threading
from collections.abc import Mapping

from drivers.health import Health

log = logging.getLogger(__name__)

NOT_INSTALLED = "espeak-ng is not installed"
DEFAULT_VOICES: Mapping[str, str] = {"nl": "nl", "en": "en"}
# A queue number said as "A 42": a capital standing alone before digits is a letter to spell. Without
# markup espeak-ng reads English "Number A 42" with the article "a".
_LETTER_BEFORE_NUMBER = re.compile(r"\b([A-Z])(?= \d)")


def _as_ssml(text: str) -> str | None:
    """The text as SSML with letters before numbers spelled, or None when there are none."""
    if not _LETTER_BEFORE_NUMBER.search(text):
        return None
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    spelled = _LETTER_BEFORE_NUMBER.sub(r'<say-as interpret-as="characters">\1</say-as>', escaped)
    return f"<speak>{spelled}</speak>"


class EspeakSpeech:
    """Implements `drivers.speech.protocol.Speech` with espeak-ng.

    Only the newest utterance is kept waiting: a new say() replaces it and cuts off the one
    being spoken, since the kiosk always says what is on screen now. `command` can be any
    program taking espeak-ng's arguments, which is how tests run without espeak-ng.
    """

    def __init__(
        self,
        command: str = "espeak-ng",
        voices: Mapping[str, str] | None = None,
        rate: int = 150,
    ) -> None:
        self.command = command
        self.voices: dict[str, str] = dict(DEFAULT_VOICES if voices is None else voices)
        self.rate = rate
        self._condition = threading.Condition()
        self._closing = threading.Event()
        self._pending: tuple[str, str] | None = None  # the queue: at most one utterance
        self._process: subprocess.Popen[bytes] | None = None
        self._busy = False  # the worker holds an utterance (starting or speaking it)
        self._generation = 0  # bumped by say() and stop(); a started process of an older one is cut off
        self._worker: threading.Thread | None = None

    def health(self) -> Health:
        return Health.ok() if shutil.which(self.command) is not None else Health.missing(NOT_INSTALLED)

    def say(self, text: str, language: str) -> None:
        with self._condition:
            if self._closing.is_set():
                return
            self._generation += 1
            self._pending = (text, language) if text.strip() else None
            process, self._process = self._process, None
            self._ensure_worker()
            self._condition.notify_all()
        _silence(process)

    def stop(self) -> None:
        with self._condition:
            self._generation += 1
            self._pending = None
            process, self._process = self._process, None
            self._condition.notify_all()
        _silence(process)

    def close(self) -> None:
        """Fall silent and end the worker thread (Event + join)."""
        self._closing.set()
        self.stop()
        with self._condition:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.join()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is queued or being spoken; False if `timeout` passed first."""
        with self._condition:
            return self._condition.wait_for(lambda: self._pending is None and not self._busy, timeout)

    def arguments(self, text: str, language: str) -> list[str]:
        """The command line for one utterance.

        A language without a configured voice uses its code, which is an espeak-ng voice
        name. Text starting with "-" gets a leading space so it is never read as an option; a queue
        number's letter ("A 42") goes as SSML so that it is spelled, not read as a word.
        """
        voice = self.voices.get(language, language)
        ssml = _as_ssml(text)
        if ssml is not None:
            return [self.command, "-v", voice, "-s", str(self.rate), "-m", ssml]
        if text.startswith("-"):
            text = " " + text
        return [self.command, "-v", voice, "-s", str(self.rate), text]

    # -- worker -----------------------------------------------------------------------

    def _ensure_worker(self) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._run, name="espeak-worker", daemon=True)
            self._worker.start()

    def _run(self) -> None:
        while True:
            with self._condition:
                self._condition.wait_for(lambda: self._pending is not None or self._closing.is_set())
                if self._closing.is_set():
                    self._busy = False
                    self._condition.notify_all()
                    return
                assert self._pending is not None
                (text, language), self._pending = self._pending, None
                generation = self._generation
                self._busy = True
            self._speak(text, language, generation)
            with self._condition:
                self._busy = False
                self._condition.notify_all()

    def _speak(self, text: str, language: str, generation: int) -> None:
        try:
            process = subprocess.Popen(
                self.arguments(text, language),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        except OSError as exc:
            log.warning("cannot start %s: %s", self.command, exc)
            return
        with self._condition:
            current = generation == self._generation and not self._closing.is_set()
            if current:
                self._process = process
        if not current:  # replaced or stopped while it was starting
            _silence(process)
        process.wait()
        with self._condition:
            if self._process is process:
                self._process = None


def _silence(process: subprocess.Popen[bytes] | None) -> None:
    """Terminate a speaking child process; the worker reaps it (it waits on every process)."""
    if process is not None:
        process.terminate()
