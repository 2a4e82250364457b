import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from drivers import registry
from drivers.camera.simulator import SimulatedCamera
from drivers.cardreader.simulator import SimulatedCardReader
from drivers.health import HealthState
from drivers.printer.document import Cut, Document, Text
from drivers.printer.protocol import PrinterError
from drivers.printer.simulated_line import SimulatedLinePrinter
from drivers.registry import DriverConfigError
from drivers.speech.espeak import EspeakSpeech
from drivers.speech.recorder import RecordingSpeech
from drivers.unavailable import UnavailablePrinter

ROOT = Path(__file__).resolve().parents[2]


def test_driver_names():
    assert registry.DEVICES == ("camera", "cardreader", "printer", "speech")
    assert registry.driver_names("camera") == ("opencv", "simulated", "none")
    assert registry.driver_names("speech") == ("espeak", "simulated", "none")
    with pytest.raises(ValueError, match="devices: camera, cardreader, printer, speech"):
        registry.driver_names("scanner")


def test_every_driver_builds_with_its_defaults():
    for device in registry.DEVICES:
        for driver in registry.driver_names(device):
            # The real printer driver needs its port; loop:// is pyserial's loopback (no printer answers).
            options = {"port": "loop://"} if (device, driver) == ("printer", "escpos") else {}
            registry.check(device, driver, options)
            built = registry.build(device, driver, options)
            assert built.health().state in set(HealthState)
            close = getattr(built, "close", None)
            if close is not None:
                close()


def test_unknown_driver_names_the_choices():
    with pytest.raises(DriverConfigError) as caught:
        registry.check("printer", "epson", {})
    assert caught.value.key == "driver"
    assert caught.value.message == "unknown printer driver 'epson' (available: escpos, simulated, none)"


@pytest.mark.parametrize(
    ("device", "driver", "options", "key", "message"),
    [
        ("printer", "simulated", {"paper": "full"}, "paper", "must be one of 'ok', 'low', 'out', not 'full' (text)"),
        ("printer", "simulated", {"cover_open": "yes"}, "cover_open", "must be true or false, not 'yes' (text)"),
        (
            "printer",
            "simulated",
            {"colour": "red"},
            "colour",
            "unknown option (options: paper, cover_open, online, present, paper_mm, native_qr, baudrate)",
        ),
        ("printer", "none", {"paper": "ok"}, "paper", "unknown option (this driver has no options)"),
        ("camera", "simulated", {"width": True}, "width", "must be a whole number from 16 to 4096, not true"),
        ("camera", "simulated", {"width": 640.0}, "width", "must be a whole number from 16 to 4096, not 640.0"),
        ("camera", "simulated", {"fps": 0}, "fps", "must be a number from 1 to 60, not 0"),
        (
            "cardreader",
            "simulated",
            {"card": "driving-licence"},
            "card",
            "must be one of 'passport', 'id-card', 'blank', 'none', not 'driving-licence' (text)",
        ),
        ("speech", "espeak", {"rate": 1000}, "rate", "must be a whole number from 80 to 450, not 1000"),
        ("speech", "espeak", {"command": ""}, "command", "must be a program name or path, not empty"),
        (
            "speech",
            "espeak",
            {"voices": "nl"},
            "voices",
            "must be a table of a two-letter language code to an espeak-ng voice name such as 'nl' or 'en-gb+f3'",
        ),
        (
            "speech",
            "espeak",
            {"voices": {"nl": "--stdout"}},
            "voices.nl",
            "must be an espeak-ng voice name such as 'nl' or 'en-gb+f3', not '--stdout' (text)",
        ),
        (
            "speech",
            "espeak",
            {"voices": {"dutch": "nl"}},
            "voices.dutch",
            "must be named by a two-letter language code",
        ),
    ],
)
def test_bad_options_name_the_key_and_what_is_allowed(device, driver, options, key, message):
    with pytest.raises(DriverConfigError) as caught:
        registry.check(device, driver, options)
    assert (caught.value.key, caught.value.message) == (key, message)
    with pytest.raises(DriverConfigError):
        registry.build(device, driver, options)


def test_options_reach_the_driver():
    camera = registry.build("camera", "simulated", {"width": 32, "height": 24, "fps": 30, "present": False})
    assert isinstance(camera, SimulatedCamera)
    assert (camera.width, camera.height, camera.fps) == (32, 24, 30.0)
    assert camera.health().reason == "Camera not connected"
    reader = registry.build("cardreader", "simulated", {"card": "blank"})
    assert isinstance(reader, SimulatedCardReader) and reader.card_present()
    speech = registry.build("speech", "espeak", {"command": "/bin/true", "rate": 200, "voices": {"nl": "nl+f3"}})
    assert isinstance(speech, EspeakSpeech)
    assert speech.arguments("Hoi", "nl") == ["/bin/true", "-v", "nl+f3", "-s", "200", "Hoi"]
    speech.close()


def test_simulated_printer_is_the_real_driver_over_a_pty():
    printer = registry.build("printer", "simulated", {"paper": "out"})
    assert isinstance(printer, SimulatedLinePrinter)
    try:
        assert printer.simulator.port.startswith("/dev/pts/")
        with pytest.raises(PrinterError, match="Paper is out"):
            printer.print(Document((Text("ticket"), Cut())))
        printer.simulator.set_paper("ok")
        printer.print(Document((Text("ticket"), Cut())))
        assert printer.simulator.wait_for_receipts(1, timeout=5)
        assert [line.text for line in printer.simulator.receipts[0].lines] == ["ticket"]
    finally:
        printer.close()


def test_build_all_defaults_to_simulated_and_reports_health():
    drivers = registry.build_all({"printer": ("none", {}), "speech": ("simulated", {})})
    try:
        assert isinstance(drivers.camera, SimulatedCamera)
        assert isinstance(drivers.printer, UnavailablePrinter)
        assert isinstance(drivers.speech, RecordingSpeech)
        health = drivers.health()
        assert list(health) == list(registry.DEVICES)
        assert health["printer"].state is HealthState.MISSING
        assert health["cardreader"].state is HealthState.OK
    finally:
        drivers.close()


def test_build_all_checks_everything_before_building():
    with pytest.raises(DriverConfigError, match="paper"):
        registry.build_all({"printer": ("simulated", {"paper": "full"})})
    with pytest.raises(ValueError, match="unknown device 'scanner'"):
        registry.build_all({"scanner": ("simulated", {})})


def test_driver_set_close_stops_camera_and_speech():
    drivers = registry.build_all({})
    drivers.camera.start()
    drivers.speech.say("Welkom", "nl")
    drivers.close()
    assert drivers.camera.latest_frame() is None
    assert drivers.speech.utterances == []


def test_a_failing_health_check_is_reported_not_raised():
    class Broken:
        def health(self):
            raise RuntimeError("boom")

    drivers = registry.build_all({"printer": ("none", {})})
    broken = registry.DriverSet(drivers.camera, drivers.cardreader, Broken(), drivers.speech)  # type: ignore[arg-type]
    assert broken.health()["printer"].state is HealthState.FAILED
    drivers.close()


def test_registry_and_check_import_no_driver():
    code = textwrap.dedent(
        """
        import sys
        import drivers.registry as registry
        loaded = {name for name in sys.modules if name.startswith("drivers.")}
        registry.check("printer", "simulated", {"paper": "low"})
        registry.check("camera", "simulated", {"fps": 10})
        registry.check("speech", "espeak", {})
        after_check = {name for name in sys.modules if name.startswith("drivers.")}
        simulators = {
            "drivers.printer.simulator", "drivers.camera.simulator",
            "drivers.cardreader.simulator", "drivers.speech.espeak", "drivers.unavailable",
        }
        assert not loaded & simulators, loaded & simulators
        assert not after_check & simulators, after_check & simulators
        registry.build("printer", "simulated", {})
        assert "drivers.printer.simulator" in sys.modules
        """
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
