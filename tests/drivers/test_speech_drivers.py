import shutil
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from drivers.health import HealthState
from drivers.speech.espeak import EspeakSpeech
from drivers.speech.recorder import MAX_UTTERANCES, RecordingSpeech, Utterance

TIMEOUT = 5.0

# -- RecordingSpeech --------------------------------------------------------------------


def test_recorder_keeps_what_was_said_in_order():
    speech = RecordingSpeech()
    speech.say("Welkom", "nl")
    speech.say("Welcome", "en")
    assert speech.utterances == [Utterance("Welkom", "nl"), Utterance("Welcome", "en")]
    assert speech.health().state is HealthState.OK


def test_recorder_stop_forgets_the_session():
    speech = RecordingSpeech()
    speech.say("Uw afspraak is om 10:30", "nl")
    speech.stop()
    assert speech.utterances == []


def test_recorder_is_bounded():
    speech = RecordingSpeech()
    for number in range(MAX_UTTERANCES + 5):
        speech.say(str(number), "nl")
    assert len(speech.utterances) == MAX_UTTERANCES
    assert speech.utterances[-1].text == str(MAX_UTTERANCES + 4)


def test_recorder_is_thread_safe():
    speech = RecordingSpeech()

    def talk() -> None:
        for _ in range(50):
            speech.say("x", "nl")

    threads = [threading.Thread(target=talk) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(speech.utterances) == MAX_UTTERANCES


# -- EspeakSpeech with a fake espeak-ng -------------------------------------------------


def fake_espeak(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in that logs its arguments; it "speaks" for 30 s when the text says 'long'."""
    log = tmp_path / "spoken.txt"
    script = tmp_path / "fake-espeak"
    script.write_text(
        "#!/bin/sh\n"
        f"printf '%s|' \"$@\" >> '{log}'\n"
        f"printf '\\n' >> '{log}'\n"
        'case "$6" in *long*) exec sleep 30 ;; esac\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), log


@pytest.fixture
def espeak(tmp_path):
    command, log = fake_espeak(tmp_path)
    speech = EspeakSpeech(command=command, voices={"nl": "nl", "en": "en-gb"}, rate=170)
    yield speech, log
    speech.close()


def spoken_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_espeak_runs_the_command_with_voice_rate_and_text(espeak):
    speech, log = espeak
    assert speech.health().state is HealthState.OK
    speech.say("Welkom bij de gemeente", "nl")
    assert speech.wait_idle(TIMEOUT)
    assert spoken_lines(log) == ["-v|nl|-s|170|Welkom bij de gemeente|"]


def test_espeak_uses_the_language_code_when_no_voice_is_configured(espeak):
    speech, log = espeak
    speech.say("Hallo", "fy")
    assert speech.wait_idle(TIMEOUT)
    assert spoken_lines(log) == ["-v|fy|-s|170|Hallo|"]


def test_text_starting_with_a_dash_is_not_an_option(espeak):
    speech, log = espeak
    speech.say("-5 graden", "nl")
    assert speech.wait_idle(TIMEOUT)
    assert spoken_lines(log) == ["-v|nl|-s|170| -5 graden|"]


def test_a_new_utterance_cuts_off_the_one_being_spoken(espeak):
    speech, log = espeak
    speech.say("a long explanation", "en")
    speech.say("Next screen", "en")
    # Idle well before the 30 s the long one would take: it was terminated (or never started).
    assert speech.wait_idle(TIMEOUT)
    assert spoken_lines(log)[-1] == "-v|en-gb|-s|170|Next screen|"


def test_stop_silences_at_once(espeak):
    speech, _ = espeak
    speech.say("a long goodbye", "en")
    speech.stop()
    assert speech.wait_idle(TIMEOUT)


def test_close_joins_the_worker(espeak):
    speech, _ = espeak
    speech.say("a long goodbye", "en")
    speech.close()
    assert "espeak-worker" not in {thread.name for thread in threading.enumerate()}
    speech.say("ignored after close", "nl")
    assert speech.wait_idle(0)


def test_missing_command_is_reported_and_does_not_crash(tmp_path):
    speech = EspeakSpeech(command=str(tmp_path / "no-such-espeak"))
    try:
        health = speech.health()
        assert (health.state, health.reason) == (HealthState.MISSING, "espeak-ng is not installed")
        speech.say("Welkom", "nl")
        assert speech.wait_idle(TIMEOUT)
    finally:
        speech.close()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_real_espeak_ng_speaks(tmp_path):
    speech = EspeakSpeech()
    try:
        assert speech.health().state is HealthState.OK
        speech.say("Test", "en")
        assert speech.wait_idle(15.0)
    finally:
        speech.close()


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize(
    ("text", "language", "letter"),
    [("Number A 42, desk 3", "en", "'eI"), ("Nummer A 42, balie 3", "nl", "'a:"), ("Number B 7 & C 8", "en", "b'i:")],
)
def test_a_queue_numbers_letter_is_spelled_not_read_as_a_word(text: str, language: str, letter: str) -> None:
    """Checked in espeak-ng's own phonemes (-x): English "A 42" without markup is the article "a#"."""
    arguments = EspeakSpeech(command="espeak-ng").arguments(text, language)
    phonemes = subprocess.run([*arguments, "-q", "-x"], capture_output=True, text=True, check=True).stdout
    assert letter in phonemes
    assert "a#" not in phonemes  # the weak article


def test_plain_sentences_stay_plain_text() -> None:
    """Only a letter before a number needs SSML; "A staff member" keeps its article."""
    arguments = EspeakSpeech(command="espeak-ng").arguments("A staff member will help you", "en")
    assert "-m" not in arguments and arguments[-1] == "A staff member will help you"
