"""`balie provision maintenance-pin`: set the technician's PIN for the maintenance screen.

The config holds only the PIN's PBKDF2 hash (kiosk/maintenance.py), so the technician never
edits a hash by hand: this asks for the PIN twice (or reads it from stdin for a script), refuses
a PIN a passer-by would try first, and writes `[maintenance] pin_hash` into the config in place.
The rest of the file stays as it was, comments included, and so do its mode and owner: an
enrolled config is 0600 because it holds the device credential.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DIGITS = (4, 8)
TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-\"']+)\s*\]\]?\s*(#.*)?$")
PIN_HASH_LINE = re.compile(r"^\s*pin_hash\s*=")


class PinRefused(ValueError):
    """A PIN too easy to guess, or not a PIN at all; the message says what is wanted."""


def add_parser(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = actions.add_parser(
        "maintenance-pin",
        help="set the PIN that opens the maintenance screen (stored as a hash in the config)",
        description=f"Asks for the new PIN twice, or reads it from stdin with --pin-stdin. A PIN is "
        f"{DIGITS[0]} to {DIGITS[1]} digits, not all the same and not a run such as 1234.",
    )
    command.add_argument("--config", required=True, type=Path, help="the device config to write the PIN's hash into")
    command.add_argument("--pin-stdin", action="store_true", help="read the PIN from the first line of stdin")
    command.set_defaults(run=run)


def check_pin(pin: str) -> str:
    """The PIN if a technician may use it; raises PinRefused naming what is wrong."""
    if not pin.isdigit() or not pin.isascii():
        raise PinRefused(f"a PIN is digits only ({DIGITS[0]} to {DIGITS[1]})")
    if not DIGITS[0] <= len(pin) <= DIGITS[1]:
        raise PinRefused(f"a PIN is {DIGITS[0]} to {DIGITS[1]} digits, not {len(pin)}")
    if len(set(pin)) == 1:
        raise PinRefused("one digit throughout (such as 0000) is the first thing anyone tries")
    steps = {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(pin)}
    if steps in ({1}, {9}):
        raise PinRefused("a run of digits (such as 1234 or 4321) is the first thing anyone tries")
    return pin


def with_pin_hash(text: str, pin_hash: str) -> str:
    """The config text with `pin_hash` in its [maintenance] table: replaced where it was written,
    else added under the table's header, else a new table at the end."""
    line = f'pin_hash = "{pin_hash}"'
    lines = text.splitlines()
    header = next((i for i, raw in enumerate(lines) if _table(raw) == "maintenance"), None)
    if header is None:
        body = text.rstrip("\n")
        return (body + "\n\n" if body else "") + f"[maintenance]\n{line}\n"
    end = next((i for i in range(header + 1, len(lines)) if _table(lines[i]) is not None), len(lines))
    for index in range(header + 1, end):
        if PIN_HASH_LINE.match(lines[index]):
            lines[index] = line
            break
    else:
        lines.insert(header + 1, line)
    return "\n".join(lines) + "\n"


def _table(line: str) -> str | None:
    match = TABLE_HEADER.match(line)
    return match.group(1).strip("\"'") if match else None


def read_pin(from_stdin: bool, ask: Callable[[str], str]) -> str:
    """The new PIN: the first line of stdin, or asked twice without echo; raises PinRefused."""
    if from_stdin:
        return check_pin(sys.stdin.readline().strip())
    pin = check_pin(ask(f"New maintenance PIN ({DIGITS[0]}-{DIGITS[1]} digits): ").strip())
    if ask("The same PIN again: ").strip() != pin:
        raise PinRefused("the two PINs differ")
    return pin


def run(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.config import load_config
    from kiosk.errors import ConfigError
    from kiosk.maintenance import hash_pin, verify_pin

    path: Path = args.config
    if not path.is_file():
        return _fail(f"{path} does not exist: write it first with `balie provision init --config {path}`", EXIT_USAGE)
    try:
        text = path.read_text(encoding="utf-8")
        load_config(path)
    except (OSError, UnicodeDecodeError) as error:
        return _fail(f"cannot read {path} ({type(error).__name__})")
    except ConfigError as error:
        return _fail(f"fix the config first: {error}", EXIT_USAGE)
    try:
        pin = read_pin(args.pin_stdin, getpass.getpass)
    except PinRefused as error:
        return _fail(f"{error}; nothing changed", EXIT_USAGE)
    except (EOFError, KeyboardInterrupt):
        return _fail("no PIN given; nothing changed")
    pin_hash = hash_pin(pin)
    try:
        _replace_keeping_mode(path, with_pin_hash(text, pin_hash))
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror or type(error).__name__}")
    written = load_config(path).maintenance.pin_hash
    if not verify_pin(pin, written):  # the table was written in a form this edit does not know
        _replace_keeping_mode(path, text)
        return _fail(f"could not set the PIN in {path}: write [maintenance] as a table of its own; nothing changed")
    print(f"maintenance PIN set in {path}: it opens the maintenance screen after the kiosk restarts")
    return EXIT_OK


def _replace_keeping_mode(path: Path, text: str) -> None:
    """Write atomically, with the old file's mode and owner (0600 stays 0600: it may hold the token)."""
    status = path.stat()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, status.st_mode & 0o7777)
        if os.geteuid() == 0:
            os.fchown(handle, status.st_uid, status.st_gid)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"balie provision: {message}", file=sys.stderr)
    return code
