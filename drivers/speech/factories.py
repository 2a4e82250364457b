"""Speech drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from drivers.options import DriverFactory, Table, Text, Whole

if TYPE_CHECKING:
    from drivers.speech.espeak import EspeakSpeech
    from drivers.speech.recorder import RecordingSpeech
    from drivers.unavailable import UnavailableSpeech


def _espeak(command: str, rate: int, voices: Mapping[str, str]) -> EspeakSpeech:
    from drivers.speech.espeak import EspeakSpeech

    return EspeakSpeech(command=command, voices=voices, rate=rate)


def _simulated() -> RecordingSpeech:
    from drivers.speech.recorder import RecordingSpeech

    return RecordingSpeech()


def _none() -> UnavailableSpeech:
    from drivers.unavailable import UnavailableSpeech

    return UnavailableSpeech("Speech is switched off")


espeak = DriverFactory(
    _espeak,
    {
        "command": Text("espeak-ng", hint="a program name or path"),
        # espeak-ng -s is words per minute: 80 is its documented lowest; past ~450 few can follow.
        "rate": Whole(150, 80, 450),
        "voices": Table(
            {"nl": "nl", "en": "en"},
            key_pattern=r"[a-z]{2}",
            key_hint="a two-letter language code",
            # Never starting with "-", so a voice cannot turn into an espeak-ng option.
            value_pattern=r"[A-Za-z0-9_][A-Za-z0-9_+\-/]*",
            value_hint="an espeak-ng voice name such as 'nl' or 'en-gb+f3'",
        ),
    },
)
simulated = DriverFactory(_simulated)
none = DriverFactory(_none)
