"""Whether espeak-ng has the voice for a language, asked without making a sound.

The speech driver's health says only that espeak-ng is installed; a missing voice package
(or a typo in `voices`) would leave a citizen with silence in that language. `-q` makes
espeak-ng synthesise nothing audible, and it exits non-zero for a voice it does not have.
"""

from __future__ import annotations

import subprocess


def voice_available(command: str, voice: str, timeout: float = 10.0) -> bool:
    try:
        result = subprocess.run(
            [command, "-q", "-v", voice, "test"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
