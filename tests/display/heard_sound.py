"""The display's simulated voice and speaker, with the order of what was heard kept: each sentence
notes how much sound the speaker had played when it was said, so a test can tell the chime came first."""

from __future__ import annotations

from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.speech.recorder import RecordingSpeech
from kiosk.display.chime import two_tone_chime

CHIME_SAMPLES = sum(len(frame.samples) for frame in two_tone_chime())


class SpeechAfterSound(RecordingSpeech):
    """The speech recorder (the speech log), also noting the speaker's samples played at each sentence."""

    def __init__(self, output: RecordingAudioOutput) -> None:
        super().__init__()
        self.output = output
        self.sound_before: list[int] = []

    def say(self, text: str, language: str) -> None:
        self.sound_before.append(self.output.samples_played)
        super().say(text, language)
