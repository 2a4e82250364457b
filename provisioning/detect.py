"""`balie provision detect`: what is attached, and the `[hardware]` section that would use it.

The finding is done by the drivers' detection helpers (drivers/*/detect.py); this module
only decides what to propose and says it in the technician's terms. The proposal is a
starting point, not a verdict: it picks the first camera, the contactless slot of a reader,
a printer found on the network before a USB-serial adapter before a built-in port, and says
in a comment what it could not know (a serial printer's baud rate). It is checked with
kiosk.config before it is shown, so pasting it in gives a valid config.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from drivers.camera.detect import CameraProblem, V4l2Camera
from drivers.cardreader.detect import ReaderInfo, ReaderScan
from drivers.printer.detect import RAW_PRINT_PORT, NetworkPrinter, SerialPort
from provisioning.hardware_toml import hardware_section

Choice = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class Detection:
    cameras: list[V4l2Camera] = field(default_factory=list)
    camera_problems: list[CameraProblem] = field(default_factory=list)
    readers: ReaderScan = field(default_factory=lambda: ReaderScan(()))
    serial_ports: list[SerialPort] = field(default_factory=list)
    usb_printers: list[str] = field(default_factory=list)  # /dev/usb/lp*: USB printer class
    network_printers: list[NetworkPrinter] = field(default_factory=list)
    network_scope: str = ""  # what was scanned ("" when nothing was)
    espeak: bool = False
    microphone: bool = False
    speaker: bool = False


def _cameras() -> tuple[list[V4l2Camera], list[CameraProblem]]:
    from drivers.camera.detect import list_cameras

    return list_cameras()


def _readers() -> ReaderScan:
    from drivers.cardreader.detect import scan_readers

    return scan_readers()


def _serial_ports() -> list[SerialPort]:
    from drivers.printer.detect import list_serial_ports

    return list_serial_ports()


def _sound(direction: str) -> bool:
    from drivers.alsa import has_device

    return has_device("capture" if direction == "capture" else "playback")


def detect_local(
    cameras: Callable[[], tuple[list[V4l2Camera], list[CameraProblem]]] = _cameras,
    readers: Callable[[], ReaderScan] = _readers,
    serial_ports: Callable[[], list[SerialPort]] = _serial_ports,
    dev: Path = Path("/dev"),
) -> Detection:
    """Everything on this machine (no network): cameras, readers, ports, voice and sound."""
    found_cameras, problems = cameras()
    return Detection(
        cameras=found_cameras,
        camera_problems=problems,
        readers=readers(),
        serial_ports=serial_ports(),
        usb_printers=sorted(str(path) for path in dev.glob("usb/lp*")),
        espeak=shutil.which("espeak-ng") is not None,
        microphone=_sound("capture"),
        speaker=_sound("playback"),
    )


def with_network(detection: Detection, hosts: list[str], scope: str, port: int = RAW_PRINT_PORT) -> Detection:
    from dataclasses import replace

    from drivers.printer.detect import scan_raw_print_port

    return replace(detection, network_printers=scan_raw_print_port(hosts, port), network_scope=scope)


# -- the proposal ----------------------------------------------------------------------------------


def _preferred_reader(readers: tuple[ReaderInfo, ...]) -> ReaderInfo | None:
    """A dual reader lists a contact slot and a contactless one; passports need the contactless."""
    for reader in readers:
        if any(word in reader.name.lower() for word in ("picc", "contactless", "cl ")):
            return reader
    return readers[0] if readers else None


def propose(detection: Detection) -> tuple[dict[str, Choice], dict[str, str]]:
    """Driver choices for [hardware], and a note per device saying what they rest on."""
    choices: dict[str, Choice] = {}
    notes: dict[str, str] = {}
    if detection.cameras:
        camera = detection.cameras[0]
        options: dict[str, object] = {"source": camera.device}
        size = camera.proposed_size()
        if size is not None:
            options["width"], options["height"] = size
        choices["camera"] = ("opencv", options)
        notes["camera"] = f"{camera.card or 'camera'} at {camera.device}"
    else:
        choices["camera"] = ("none", {})
        notes["camera"] = "no camera found: tasks that need one (scan) are not offered"

    reader = _preferred_reader(detection.readers.readers)
    if reader is not None:
        choices["cardreader"] = ("pcsc", {"reader": reader.pattern})
        notes["cardreader"] = reader.name
    else:
        choices["cardreader"] = ("none", {})
        why = detection.readers.problem or "pcscd lists no reader"
        notes["cardreader"] = f"no card reader found ({why}): Identify is not offered"

    usb_serial = [port for port in detection.serial_ports if port.vid is not None]
    builtin = [port for port in detection.serial_ports if port.vid is None]
    if detection.network_printers:
        printer = detection.network_printers[0]
        choices["printer"] = ("escpos", {"port": printer.url})
        notes["printer"] = f"answers on TCP {printer.port} at {printer.host}"
    elif usb_serial or builtin:
        port = (usb_serial or builtin)[0]
        choices["printer"] = ("escpos", {"port": port.device, "baudrate": 115200})
        what = f"USB-serial {port.usb_id} {port.description}".strip() if port.vid is not None else "a built-in port"
        notes["printer"] = (
            f"{port.device}: {what}\n"
            "check a printer is on it, and set baudrate to the printer's (its self-test page shows it)"
        )
    else:
        choices["printer"] = ("none", {})
        notes["printer"] = "no serial port or network printer found: Take a number is not offered"

    choices["speech"] = ("espeak", {}) if detection.espeak else ("none", {})
    notes["speech"] = "espeak-ng is installed" if detection.espeak else "no espeak-ng (apt-get install espeak-ng)"
    for device, present, verb in (("microphone", detection.microphone, "record"),
                                  ("audio_output", detection.speaker, "play")):  # fmt: skip
        choices[device] = ("pyav", {"device": "default"}) if present else ("none", {})
        notes[device] = f"a sound card that can {verb}" if present else f"no sound card that can {verb}"
    return choices, notes


def proposed_section(detection: Detection) -> str:
    """The proposal as TOML, checked by the config's own validation first."""
    import tomllib

    from kiosk.config import parse_config

    choices, notes = propose(detection)
    text = hardware_section(choices, notes)
    parse_config(tomllib.loads(text), "proposed [hardware]")  # a ConfigError here is our bug, shown as such
    return text


# -- the report ------------------------------------------------------------------------------------


def _sizes(camera: V4l2Camera) -> str:
    parts = []
    for fmt in camera.formats:
        sizes = ", ".join(f"{w}x{h}" for w, h in sorted(fmt.sizes, key=lambda s: s[0] * s[1], reverse=True)[:6])
        more = f" (+{len(fmt.sizes) - 6})" if len(fmt.sizes) > 6 else ""
        parts.append(f"{fmt.fourcc}: {sizes or '?'}{more}")
    return "; ".join(parts) or "no picture formats"


def report(detection: Detection) -> list[str]:
    lines = ["cameras (V4L2)"]
    for camera in detection.cameras:
        where = ", ".join(part for part in (camera.driver, camera.bus) if part)
        lines.append(f"  {camera.device}  {camera.card} ({where})  {_sizes(camera)}")
    for unreadable in detection.camera_problems:
        lines.append(f"  {unreadable.device}  {unreadable.reason}")
    if not detection.cameras and not detection.camera_problems:
        lines.append("  none found")

    lines.append("card readers (PC/SC)")
    for reader in detection.readers.readers:
        card = f"  card: {reader.atr.hex(' ').upper()}" if reader.atr else "  no card"
        lines.append(f"  {reader.name}{card}")
    if not detection.readers.readers:
        problem = detection.readers.problem
        hint = " (apt-get install pcscd; systemctl start pcscd)" if "not running" in problem else ""
        lines.append(f"  none found{': ' + problem + hint if problem else ''}")

    lines.append("serial ports")
    for port in detection.serial_ports:
        if port.vid is not None:
            what = " ".join(part for part in (f"USB-serial {port.usb_id}", port.manufacturer, port.product) if part)
        else:
            what = "built-in" + (f" ({port.description})" if port.description else "")
        access = "" if port.accessible else "  no permission (the user is not in the 'dialout' group)"
        lines.append(f"  {port.device}  {what}{access}")
    if not detection.serial_ports:
        lines.append("  none found")
    if detection.usb_printers:
        lines.append("USB printers (printer class; the escpos driver needs a serial or network connection)")
        lines += [f"  {device}" for device in detection.usb_printers]

    if detection.network_scope:
        lines.append(f"network printers ({detection.network_scope})")
        lines += [f"  {printer.url}" for printer in detection.network_printers] or ["  none answered"]
    else:
        lines.append("network printers: not scanned (add --subnet 192.168.1.0/24 or --address HOST)")
    return lines


def hints(detection: Detection) -> dict[str, str]:
    """One line per device for the guided `init`: what it could choose."""
    found: dict[str, str] = {}
    if detection.cameras:
        found["camera"] = ", ".join(f"{c.device} ({c.card})" for c in detection.cameras)
    if detection.readers.readers:
        found["cardreader"] = ", ".join(reader.name for reader in detection.readers.readers)
    ports = [p.device + (f" (USB {p.usb_id})" if p.vid is not None else "") for p in detection.serial_ports]
    if ports:
        found["printer"] = ", ".join(ports)
    return found
