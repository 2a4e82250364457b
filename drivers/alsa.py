"""What PyAV needs to reach ALSA on Debian, and which sound devices the kernel has.

PyAV's wheel carries its own libasound, built to read its configuration from
/tmp/vendor/share/alsa (its build folder): without help every PCM name, even "default",
"hw:0" and "null", fails with "Unknown PCM". Pointing ALSA_CONFIG_DIR at Debian's
/usr/share/alsa (package libasound2-data) fixes that for the names alsa.conf defines and
the cards the kernel has. Names that need a plugin library from Debian (PipeWire's or
PulseAudio's "default") are not reachable this way: use "plughw:CARD=…,DEV=…" on such
a machine (see provisioning/example-kiosk.toml).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Literal

log = logging.getLogger(__name__)

SYSTEM_CONFIG_DIR = Path("/usr/share/alsa")
PCM_LIST = Path("/proc/asound/pcm")

Direction = Literal["capture", "playback"]


def use_system_config() -> bool:
    """Let PyAV's libasound read Debian's ALSA configuration; False when there is none.

    Runs before the first device opens (libasound reads the variable then and caches the
    result). A value already set by the technician or a test wins.
    """
    if "ALSA_CONFIG_DIR" in os.environ:
        return True
    if not (SYSTEM_CONFIG_DIR / "alsa.conf").is_file():
        log.warning("%s/alsa.conf is missing (install libasound2-data): sound devices cannot open", SYSTEM_CONFIG_DIR)
        return False
    os.environ["ALSA_CONFIG_DIR"] = str(SYSTEM_CONFIG_DIR)
    return True


def has_device(direction: Direction, pcm_list: Path = PCM_LIST) -> bool:
    """Whether the kernel lists any sound device that can capture (or play).

    /proc/asound/pcm has one line per device, e.g.
    "00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1"; it is absent without
    any sound card.
    """
    try:
        text = pcm_list.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(f" {direction} " in f" {field.strip()} " for line in text.splitlines() for field in line.split(":"))
