"""`balie provision enroll`: tie this device to a backoffice with a one-time code.

The command name and options are a contract. It asks the backoffice for a device credential,
writes `[backoffice] url` and `token` into the device's config (keeping everything else in
the file, comments included) and makes the file readable by its owner only: the token is the
device's password. Failures print one line and exit non-zero; the config is left untouched.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sys
import tempfile
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    provision = commands.add_parser("provision", help="set up this device: enroll it with a backoffice")
    actions = provision.add_subparsers(dest="action", required=True, metavar="ACTION")
    enroll = actions.add_parser("enroll", help="enroll this device with a one-time code from the backoffice")
    enroll.add_argument("--backoffice", required=True, help="the backoffice's address, e.g. https://balie.gemeente.nl")
    enroll.add_argument("--code", required=True, help="the code from `balie backoffice enroll-code`")
    enroll.add_argument("--config", required=True, type=Path, help="the device config to write the credential into")
    enroll.add_argument("--name", default="", help="how the fleet page names this device (default: host name)")
    enroll.set_defaults(run=_enroll)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"balie provision: {message}", file=sys.stderr)
    return code


def with_backoffice_table(text: str, url: str, token: str) -> str:
    """The config text with its `[backoffice]` table holding `url` and `token`.

    Other keys of an existing table (e.g. `outbox`) are kept; every other table is untouched.
    """
    lines = text.splitlines()
    outside: list[str] = []
    others_in_table: list[str] = []
    inside = False
    for line in lines:
        header = TABLE_HEADER.match(line)
        if header:
            inside = header.group(1) == "backoffice"
            if inside:
                continue
        if inside:
            if not re.match(r"^\s*(url|token)\s*=", line) and line.strip():
                others_in_table.append(line)
            continue
        outside.append(line)
    table = ["[backoffice]", f"url = {_toml_string(url)}", f"token = {_toml_string(token)}", *others_in_table]
    body = "\n".join(outside).rstrip("\n")
    return (body + "\n\n" if body else "") + "\n".join(table) + "\n"


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600, so the token is never readable by others, not even briefly."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


def _enroll(args: argparse.Namespace) -> int:
    from kiosk import __version__
    from kiosk.backoffice_client import BackofficeClient, BackofficeError, BackofficeRejected
    from kiosk.config import load_config
    from kiosk.errors import ConfigError

    url = args.backoffice.rstrip("/")
    if not re.match(r"^https?://[^\s/]+", url):
        return _fail("--backoffice must be an address such as https://balie.gemeente.nl", EXIT_USAGE)
    config_path: Path = args.config
    original = ""
    if config_path.exists():
        try:
            original = config_path.read_text(encoding="utf-8")
            load_config(config_path)
        except (OSError, UnicodeDecodeError) as error:
            return _fail(f"cannot read {config_path} ({type(error).__name__})")
        except ConfigError as error:
            return _fail(f"fix the config first: {error}", EXIT_USAGE)
    client = BackofficeClient(url)
    try:
        enrollment = client.enroll(args.code, args.name or socket.gethostname(), __version__)
    except BackofficeRejected as error:
        return _fail(f"the backoffice refused the code: {str(error).split(': ', 1)[-1]}")
    except BackofficeError as error:
        return _fail(f"could not reach the backoffice at {url}: {error}")
    finally:
        client.close()
    _write_private(config_path, with_backoffice_table(original, url, enrollment.token))
    try:
        load_config(config_path)
    except ConfigError as error:  # pragma: no cover - our own writing produced a bad file
        _write_private(config_path, original)
        return _fail(f"could not write a valid config: {error}")
    print(f"enrolled at {enrollment.location} as device {enrollment.device_id}; credential stored in {config_path}")
    return EXIT_OK
