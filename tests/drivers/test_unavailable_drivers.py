import pytest

from drivers.cardreader.protocol import CardAbsentError
from drivers.health import HealthState
from drivers.printer.protocol import PrinterError
from drivers.unavailable import (
    UnavailableCamera,
    UnavailableCardReader,
    UnavailablePrinter,
    UnavailableSpeech,
)


@pytest.mark.parametrize("kind", [UnavailableCamera, UnavailableCardReader, UnavailablePrinter, UnavailableSpeech])
def test_health_is_missing_with_the_reason(kind):
    assert kind().health().reason == "Not configured"
    health = kind("Removed for repair").health()
    assert (health.state, health.reason) == (HealthState.MISSING, "Removed for repair")


def test_camera_gives_no_frames():
    camera = UnavailableCamera()
    camera.start()
    assert camera.latest_frame() is None
    camera.stop()


def test_card_reader_has_no_card():
    reader = UnavailableCardReader()
    assert not reader.card_present() and reader.atr() is None
    with pytest.raises(CardAbsentError):
        reader.transmit(bytes.fromhex("00A4040000"))


def test_printer_refuses_with_the_reason():
    printer = UnavailablePrinter("No printer configured")
    with pytest.raises(PrinterError, match="No printer configured"):
        printer.write(b"ticket")
    with pytest.raises(PrinterError):
        printer.status()


def test_speech_is_silent():
    speech = UnavailableSpeech()
    speech.say("Welkom", "nl")
    speech.stop()
    speech.close()
