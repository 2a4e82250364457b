"""Config: defaults, the documented example, and one clear line for every mistake."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from drivers import registry
from kiosk.config import Orientation, default_config, load_config
from kiosk.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "provisioning" / "example-kiosk.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_documents_the_defaults() -> None:
    example, default = load_config(EXAMPLE), default_config()
    assert dataclasses.replace(example, hardware=default.hardware) == default
    for device, choice in example.hardware.by_device().items():
        assert choice.driver == "simulated"
        assert registry.check(device, choice.driver, choice.options) == registry.check(device, "simulated", {})


def test_every_default_device_is_simulated() -> None:
    config = default_config()
    assert {c.driver for c in config.hardware.by_device().values()} == {"simulated"}


def test_valid_partial_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, '[device]\norientation = "landscape"\ntasks = ["opening_hours"]\n'))
    assert config.device.orientation is Orientation.LANDSCAPE
    assert config.device.tasks == ["opening_hours"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[device]\ncolour = 'red'\n", "device.colour: unknown key"),
        ("[gadgets]\n", "gadgets: unknown key"),
        (
            "[session]\nidle_seconds = 'long'\n",
            "line 2: session.idle_seconds: must be a whole number, not 'long' (text)",
        ),
        ("[session]\nwarning_seconds = 10\n", "session.warning_seconds: must be from 20 to 120 seconds (got 10)"),
        (
            "[device]\norientation = 'diagonal'\n",
            "device.orientation: must be one of 'portrait', 'landscape', not 'diagonal'",
        ),
        ("[device]\ntasks = ['juggling']\n", "device.tasks[0]: unknown task 'juggling'"),
        ("[device]\nlanguages = ['nl', 'xx']\n", "device.languages[1]: language 'xx' has no translation"),
        ("[opening_hours]\nmonday = '9 to 5'\n", "opening_hours.monday: '9 to 5' is not like"),
        ("[hardware.printer]\ndriver = 'teleport'\n", "hardware.printer.driver:"),
        ("[hardware.printer]\noptions = { paper = 'plenty' }\n", "hardware.printer.options.paper:"),
        (
            "[device\n",
            "line 1: not valid TOML at column 8: expected ']' at the end of a table declaration (a [section]",
        ),
    ],
)
def test_bad_config_names_key_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    assert expected in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "file not found"),
        ("[device]\nrole = 42\n", "line 2: device.role: must be text in quotes, not 42"),
        (
            "[hardware.camera]\nflavour = 'x'\n",
            "line 2: hardware.camera.flavour: unknown key (known here: driver, options)",
        ),
    ],
)
def test_cli_reports_one_line_and_exit_2(tmp_path: Path, text: str | None, expected: str) -> None:
    path = tmp_path / "kiosk.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "kiosk", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("balie: config error: ")
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_trust_store_is_found_next_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "csca").mkdir()
    config = load_config(write(tmp_path, '[identity]\ntrust_store = "csca"\n'))
    assert config.identity.trust_store == str(tmp_path / "csca")
    with pytest.raises(ConfigError, match=r"identity.trust_store: .*nowhere does not exist"):
        load_config(write(tmp_path, '[identity]\ntrust_store = "nowhere"\n'))


TOPIC = '[[queue.topics]]\nletter = "{letter}"\nname.nl = "Paspoort"\nwait_area.nl = "Wachtruimte A"\n'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the second of two array tables: the line of its own key, not of the first topic's
        (TOPIC.format(letter="A") + "\n" + TOPIC.format(letter="b"),
         "line 7: queue.topics[1].letter: 'b' must be one capital letter"),
        # an inline table: the line that holds it
        ("# printer by the door\n[hardware.printer]\ndriver = 'escpos'\n"
         "options = { port = '/dev/ttyS0', flow = 'rts' }\n",
         "line 4: hardware.printer.options.flow: must be one of 'none', 'rtscts', 'xonxoff', 'dsrdtr', "
         "not 'rts' (text) (did you mean 'rtscts'?)"),
        # one entry of a table of texts: msgspec says "somewhere in opening_hours", the message says which
        ("[opening_hours]\nmonday = '09:00-17:00'\ntuesday = 9\n",
         "line 3: opening_hours.tuesday: must be text in quotes, not 9"),
        # a dotted key under a table
        ("[hardware]\ncamera.driver = 'opencv'\ncamera.options.widht = 640\n",
         "line 3: hardware.camera.options.widht: unknown option (did you mean 'width'? "),
        # a key in a multi-line string is not a key
        ('[device]\nlocation = """\ndriver = "x"\n"""\nlanguages = "nl"\n',
         "line 5: device.languages: must be a list in [ ], not 'nl' (text)"),
        ("[device]\nlocation = 'A'\nlocation = 'B'\n",
         "line 3: not valid TOML at column 15: cannot overwrite a value (this key is already set above"),
    ],
)  # fmt: skip
def test_a_mistake_is_told_with_the_line_it_is_on(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}, {expected}")
