"""A call is announced with the two-tone chime through the speaker first, then the sentences through
the voice: Dutch, then the citizen's language, one call after another."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.pcm import FRAME_SAMPLES, SAMPLE_RATE, dominant_frequency, rms
from drivers.speech.espeak import EspeakSpeech
from drivers.speech.recorder import RecordingSpeech, Utterance
from kiosk.display.announcer import Announcer
from kiosk.display.board import BoardCall
from kiosk.display.chime import HIGH_HZ, HIGH_SECONDS, LOW_HZ, LOW_SECONDS, two_tone_chime
from tests.display.heard_sound import CHIME_SAMPLES, SpeechAfterSound


def call(call_id: int, label: str, desk: str, language: str | None = None) -> BoardCall:
    return BoardCall(call_id, label, desk, "call", language, datetime.now(UTC))


def test_the_chime_falls_from_e_to_c_and_starts_and_ends_quietly() -> None:
    frames = two_tone_chime()
    assert all(len(frame.samples) == FRAME_SAMPLES for frame in frames)
    samples = np.concatenate([frame.samples for frame in frames])
    high_end = round(HIGH_SECONDS * SAMPLE_RATE)
    assert abs(dominant_frequency(samples[:high_end]) - HIGH_HZ) < 3
    assert abs(dominant_frequency(samples[high_end : high_end + round(LOW_SECONDS * SAMPLE_RATE)]) - LOW_HZ) < 3
    assert 0.1 < rms(samples[:high_end]) < 0.5  # clearly heard, far from clipping
    assert abs(int(samples[0])) < 200 and abs(int(samples[-1])) < 200  # no click at either end


def test_chime_then_dutch_then_english_for_each_call_in_order() -> None:
    output = RecordingAudioOutput()
    speech = SpeechAfterSound(output)
    chime = CHIME_SAMPLES
    announcer = Announcer(speech, output)
    announcer.start()
    try:
        announcer.announce(call(1, "A042", "3", "en"))
        announcer.announce(call(2, "K7M", "4"))
        assert announcer.wait_announced(2, timeout=10)
    finally:
        announcer.close()
    assert speech.utterances == [
        Utterance("Nummer A 42, balie 3", "nl"),
        Utterance("Number A 42, desk 3", "en"),
        Utterance("Afspraak K 7 M, balie 4", "nl"),
    ]
    # Each call's whole chime had sounded before its first word, and none played during speech.
    assert speech.sound_before == [chime, chime, 2 * chime]
    assert output.samples_played == 2 * chime


def test_closing_mid_chime_says_nothing_and_releases_the_speaker() -> None:
    output = RecordingAudioOutput()
    speech = RecordingSpeech()
    announcer = Announcer(speech, output)
    announcer.start()
    announcer.announce(call(1, "A042", "3"))
    assert output.wait_for_samples(FRAME_SAMPLES, timeout=5)
    announcer.close()
    assert output.samples_played < sum(len(frame.samples) for frame in two_tone_chime())
    assert speech.utterances == []
    output.play(two_tone_chime()[0])  # stopped: what comes after close is not played
    assert output.samples_played < sum(len(frame.samples) for frame in two_tone_chime())


def test_a_real_voice_finishes_each_sentence_before_the_next_call_or_language(tmp_path: Path) -> None:
    """espeak-ng cuts off what it says when given something new: the announcer waits for it to finish."""
    log = tmp_path / "spoken.txt"
    script = tmp_path / "slow-espeak"
    # Takes espeak-ng's arguments (-v voice -s rate [-m] text; the text last, as SSML when it holds a queue
    # number) and logs the words; speaks English for longer than the next chime.
    script.write_text(
        "#!/bin/sh\nfor text; do :; done\ntext=$(echo \"$text\" | sed 's/<[^>]*>//g')\n"
        f"echo \"start $2 $text\" >> '{log}'\n"
        'case "$2" in en) sleep 2.5 ;; *) sleep 0.3 ;; esac\n'
        f"echo \"end $2 $text\" >> '{log}'\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    speech = EspeakSpeech(command=str(script))
    output = RecordingAudioOutput()
    announcer = Announcer(speech, output)
    announcer.start()
    try:
        announcer.announce(call(1, "A042", "3", "en"))
        announcer.announce(call(2, "B001", "1"))
        assert announcer.wait_announced(2, timeout=15)
    finally:
        announcer.close()
        speech.close()
    assert log.read_text().splitlines() == [
        "start nl Nummer A 42, balie 3",
        "end nl Nummer A 42, balie 3",
        "start en Number A 42, desk 3",
        "end en Number A 42, desk 3",
        "start nl Nummer B 1, balie 1",
        "end nl Nummer B 1, balie 1",
    ]
