"""Config text that `init` writes and `detect` proposes, in the shape example-kiosk.toml has.

Python reads TOML but has no writer, and the values here are few and simple (text, numbers,
flags, lists, small tables), so a short emitter beats a dependency. Every text goes through
`toml_value`, which escapes as TOML 1.0 §String requires, so a location name with quotes or
a backslash cannot break the file; the result is always parsed back by kiosk.config before
anyone relies on it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

DriverChoices = Mapping[str, tuple[str, Mapping[str, object]]]

HARDWARE_ORDER = ("camera", "cardreader", "printer", "speech", "microphone", "audio_output")
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_string(text: str) -> str:
    """A basic string; control characters as escapes (TOML 1.0: they may not appear raw)."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def hardware_section(choices: DriverChoices, notes: Mapping[str, str] | None = None) -> str:
    """`[hardware.<device>]` tables in the usual order; `notes` adds a comment line per device."""
    tables = []
    for device in sorted(choices, key=lambda d: HARDWARE_ORDER.index(d) if d in HARDWARE_ORDER else 99):
        driver, options = choices[device]
        lines = [f"[hardware.{device}]"]
        if notes and notes.get(device):
            lines.extend(f"# {line}" for line in notes[device].splitlines())
        lines += [f"driver = {toml_string(driver)}", f"options = {toml_value(dict(options))}"]
        tables.append("\n".join(lines))
    return "\n\n".join(tables) + "\n"
