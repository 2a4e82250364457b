"""`balie provision …`: the technician's steps, in order: init, detect, selftest, enroll, lockdown.

This module holds `enroll` itself and the argument parsing of the others, whose work lives in
provisioning/init_config.py, detect.py, selftest.py and lockdown.py.

`balie provision enroll` ties this device to a backoffice with a one-time code.
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
    provision = commands.add_parser(
        "provision",
        help="set up this device: init, detect, selftest, enroll with a backoffice, lockdown, maintenance-pin",
    )
    actions = provision.add_subparsers(dest="action", required=True, metavar="ACTION")
    _add_init(actions)
    _add_detect(actions)
    _add_selftest(actions)
    _add_lockdown(actions)
    from provisioning import maintenance_pin

    maintenance_pin.add_parser(actions)
    enroll = actions.add_parser("enroll", help="enroll this device with a one-time code from the backoffice")
    enroll.add_argument("--backoffice", required=True, help="the backoffice's address, e.g. https://balie.gemeente.nl")
    enroll.add_argument("--code", required=True, help="the code from `balie backoffice enroll-code`")
    enroll.add_argument("--config", required=True, type=Path, help="the device config to write the credential into")
    enroll.add_argument("--name", default="", help="how the fleet page names this device (default: host name)")
    enroll.set_defaults(run=_enroll)


def _add_init(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init = actions.add_parser(
        "init",
        help="write a new device config from flags, or answer questions with --guided",
        description="Write a validated device config. Without flags: the embedded default (every device "
        "simulated). Device flags take 'simulated', 'none' or what names the real device.",
    )
    init.add_argument("--config", required=True, type=Path, help="the file to write, e.g. /etc/balie/kiosk.toml")
    init.add_argument("--force", action="store_true", help="replace an existing file (its [backoffice] is kept)")
    init.add_argument("--guided", action="store_true", help="ask for every setting; flags become the suggestions")
    init.add_argument("--municipality", help='e.g. "Gemeente Zwolle"')
    init.add_argument("--location", help='the location\'s name, e.g. "Stadhuis Zwolle"')
    init.add_argument(
        "--role", choices=("kiosk", "counter", "display"), help="counter and display also need `provision enroll`"
    )
    init.add_argument("--orientation", choices=("portrait", "landscape"))
    init.add_argument("--languages", help="offered languages, the first is the default, e.g. nl,en")
    init.add_argument("--tasks", help="menu tasks in order, e.g. checkin,ticket,identify,scan,opening_hours")
    init.add_argument(
        "--hours", action="append", default=[], metavar="DAYS=HOURS",
        help="opening hours, e.g. monday-friday=09:00-17:00 or sat=closed (repeat for more days)",
    )  # fmt: skip
    init.add_argument(
        "--counter-text", action="append", default=[], metavar="LANG=TEXT",
        help="where the staffed counter is, per language, e.g. nl=\"Loop naar de balie …\"",
    )  # fmt: skip
    init.add_argument("--camera", help="simulated, none, or a camera such as /dev/video0")
    init.add_argument("--camera-size", help="the camera's picture size, e.g. 1280x720")
    init.add_argument("--reader", help="simulated, none, pcsc (the first PC/SC reader) or part of a reader's name")
    init.add_argument("--printer", help="simulated, none, or a port: /dev/ttyUSB0, socket://192.168.1.20:9100")
    init.add_argument("--printer-baud", choices=("9600", "19200", "38400", "57600", "115200"))
    init.add_argument("--printer-flow", choices=("none", "rtscts", "xonxoff", "dsrdtr"))
    init.add_argument("--paper", choices=("80", "58"), help="paper width in mm")
    init.add_argument("--speech", choices=("simulated", "none", "espeak"))
    init.add_argument("--microphone", help="simulated, none, or an ALSA device such as default")
    init.add_argument("--audio-output", help="simulated, none, or an ALSA device such as default")
    init.set_defaults(run=_init)


def _init(args: argparse.Namespace) -> int:
    from kiosk.errors import ConfigError
    from provisioning import init_config

    path: Path = args.config
    if path.is_dir():
        return _fail(f"{path} is a folder; give the config file's path, e.g. {path / 'kiosk.toml'}", EXIT_USAGE)
    if path.exists() and not args.force:
        return _fail(f"{path} exists; add --force to replace it (its backoffice credential is kept)")
    raw = init_config.default_raw()
    try:
        raw.update(_raw_from_flags(args, raw))
        if args.guided:
            raw = init_config.ask_all(raw, input, print, _detection_hints())
        answers = init_config.answers_from_raw(raw)
    except init_config.InitError as error:
        return _fail(str(error), EXIT_USAGE)
    except init_config.InitAborted as error:
        return _fail(str(error))
    kept = init_config.kept_backoffice(path) if path.exists() else {}
    try:
        init_config.write_config(path, init_config.render(answers, kept), private=bool(kept))
    except ConfigError as error:
        return _fail(f"not written, the config would not be valid: {error.message}", EXIT_USAGE)
    except OSError as error:
        return _fail(f"cannot write {path}: {error.strerror or type(error).__name__}")
    mode = "0600, it holds the backoffice credential" if kept else "0644"
    print(f"wrote {path} (mode {mode})")
    for device, node in _absent_nodes(answers.hardware):
        # Not refused: a config is often written on the bench before the device is plugged in.
        print(f"balie provision: note: {device} {node} is not attached now (`balie provision detect` lists what is)",
              file=sys.stderr)  # fmt: skip
    if answers.role in init_config.ENROLLED_ROLES and not kept:
        print(
            f"a {answers.role} device needs the backoffice: enroll it before it starts "
            f"(balie provision enroll --backoffice URL --code CODE --config {path})"
        )
    print(f"next: balie provision selftest --config {path}")
    return EXIT_OK


def _absent_nodes(hardware: dict[str, tuple[str, dict[str, object]]]) -> list[tuple[str, str]]:
    """The devices the new config names that are not there now: camera and printer nodes, and a
    reader name that matches none of the readers pcscd sees."""
    nodes = []
    camera_driver, camera = hardware.get("camera", ("", {}))
    if camera_driver == "opencv":
        source = str(camera.get("source", ""))
        nodes.append(("camera", f"/dev/video{source}" if source.isdigit() else source))
    printer_driver, printer = hardware.get("printer", ("", {}))
    if printer_driver == "escpos":
        nodes.append(("printer", str(printer.get("port", ""))))
    absent = [(device, node) for device, node in nodes if node.startswith("/dev/") and not os.path.exists(node)]
    reader_driver, reader = hardware.get("cardreader", ("", {}))
    pattern = str(reader.get("reader", ""))
    if reader_driver == "pcsc" and pattern:
        from drivers.cardreader.pcsc import list_readers, reader_matches

        present = list_readers()  # empty when pcscd is not running: then nothing is known either way
        if present and not any(reader_matches(pattern, name) for name in present):
            absent.append(("card reader", f"'{pattern}'"))
    return absent


def _raw_from_flags(args: argparse.Namespace, defaults: dict[str, str]) -> dict[str, str]:
    from kiosk.config import SUPPORTED_LANGUAGES, WEEKDAYS
    from provisioning import init_config

    raw: dict[str, str] = {}
    for key in ("municipality", "location", "role", "orientation", "languages", "tasks", "camera", "camera_size",
                "reader", "printer", "printer_baud", "printer_flow", "paper", "speech", "microphone",
                "audio_output"):  # fmt: skip
        value = getattr(args, key)
        if value is not None:
            raw[key] = value
    hours = {day: defaults[f"hours_{day}"] for day in WEEKDAYS}
    hours = init_config.apply_hours(args.hours, hours)
    raw.update({f"hours_{day}": value for day, value in hours.items()})
    for spec in args.counter_text:
        language, sep, text = spec.partition("=")
        if not sep or language.strip() not in SUPPORTED_LANGUAGES:
            raise init_config.InitError(
                f"--counter-text '{spec}': use LANG=TEXT with LANG one of {', '.join(SUPPORTED_LANGUAGES)}"
            )
        raw[f"counter_{language.strip()}"] = text
    return raw


def _detection_hints() -> dict[str, str]:
    """What is attached, as one line per device under the guided prompt's hardware questions."""
    from provisioning import detect

    return detect.hints(detect.detect_local())


def _add_detect(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    detect = actions.add_parser(
        "detect",
        help="list the cameras, card readers, serial ports and network printers attached, and propose [hardware]",
    )
    detect.add_argument("--subnet", help="also look for network printers in this subnet, e.g. 192.168.1.0/24")
    detect.add_argument(
        "--address", action="append", default=[], metavar="HOST", help="also try this printer address (repeatable)"
    )
    detect.add_argument("--port", type=int, default=9100, help="the printers' raw print port (default 9100)")
    detect.set_defaults(run=_detect)


def _detect(args: argparse.Namespace) -> int:
    from drivers.printer.detect import ScanError, hosts_to_scan
    from provisioning import detect

    if not 0 < args.port < 65536:
        return _fail("--port must be from 1 to 65535", EXIT_USAGE)
    try:
        hosts = hosts_to_scan(args.subnet, args.address)
    except ScanError as error:
        return _fail(str(error), EXIT_USAGE)
    found = detect.detect_local()
    if hosts:
        where = " and ".join(part for part in (args.subnet or "", ", ".join(args.address)) if part)
        count = f"{len(hosts)} address{'es' if len(hosts) != 1 else ''}"
        found = detect.with_network(found, hosts, f"TCP {args.port} on {where}: {count}", args.port)
    for line in detect.report(found):
        print(line)
    print()
    print("proposed [hardware] section (check it, then put it in the config):")
    print()
    print(detect.proposed_section(found), end="")
    return EXIT_OK


def _add_selftest(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    selftest = actions.add_parser(
        "selftest",
        help="check every configured device, the backoffice, clock, disk and display; exit 0 when all pass",
        description="Checks the devices through the kiosk's own drivers (stop the kiosk first: a camera "
        "opens only once). Exit 0 when nothing failed (warnings allowed), 1 when a check failed, 2 for a bad config.",
    )
    selftest.add_argument("--config", type=Path, help="the device config; without it the embedded default")
    selftest.add_argument("--json", action="store_true", help="print one JSON object (progress goes to stderr)")
    selftest.add_argument("--print-test", action="store_true", help="also print a test ticket")
    selftest.set_defaults(run=_selftest)


def _selftest(args: argparse.Namespace) -> int:
    import json

    from kiosk.config import load_config
    from provisioning import selftest

    config = load_config(args.config)  # a ConfigError is one line and exit 2, as for `balie kiosk`
    context = selftest.SelftestContext(config, args.config, print_test=args.print_test)
    progress = sys.stderr if args.json else sys.stdout

    def show(index: int, total: int, result: selftest.CheckResult, seconds: float) -> None:
        print(selftest.progress_line(index, total, result, seconds), file=progress, flush=True)

    report = selftest.run_selftest(context, show)
    sent = selftest.send_report(config, report)  # for the fleet page; one line on stderr when it cannot go
    if sent is not None:
        print(f"balie provision: {sent}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print()
        for line in selftest.table(report):
            print(line)
        for check in report.checks:  # what failed, again on stderr: the line a script or a log keeps
            if check.status is selftest.Status.FAILED:
                _fail(f"{check.name} failed: {check.detail}")
    return EXIT_OK if report.passed else EXIT_FAILED


def _add_lockdown(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    lockdown = actions.add_parser(
        "lockdown",
        help="make this Debian machine a kiosk appliance (a kiosk user, cage at boot, watchdog, no escapes)",
        description="Installs the kiosk as an appliance; needs root. With --dry-run --out DIR it writes every "
        "file under DIR at its target path, and DIR/lockdown.sh with the commands, and changes nothing else.",
    )
    lockdown.add_argument(
        "--config", type=Path, default=Path("/etc/balie/kiosk.toml"),
        help="the device config to install as /etc/balie/kiosk.toml (default: that file itself)",
    )  # fmt: skip
    lockdown.add_argument("--dry-run", action="store_true", help="write the files to --out instead of installing")
    lockdown.add_argument("--out", type=Path, help="with --dry-run: the folder to write into")
    lockdown.add_argument("--user", default="balie", help="the kiosk's unprivileged user (default: balie)")
    lockdown.add_argument("--tty", default="tty1", help="the console the kiosk takes (default: tty1)")
    lockdown.add_argument(
        "--rotate", type=int, default=0, choices=(0, 90, 180, 270), help="turn the picture clockwise (degrees)"
    )
    lockdown.add_argument("--watchdog", type=int, default=30, help="seconds a hung kiosk may stay (default: 30)")
    lockdown.set_defaults(run=_lockdown)


def _lockdown(args: argparse.Namespace) -> int:
    from kiosk.config import load_config
    from kiosk.errors import ConfigError
    from provisioning import lockdown

    if args.dry_run != (args.out is not None):
        return _fail("--dry-run and --out DIR go together", EXIT_USAGE)
    source: Path = args.config
    if not source.exists():
        return _fail(f"{source} does not exist: write it with `balie provision init --config {source}`", EXIT_USAGE)
    try:
        load_config(source)
    except ConfigError as error:
        return _fail(f"fix the config first: {error}", EXIT_USAGE)
    app, balie = lockdown.installed_app()
    options = lockdown.LockdownOptions(
        app_dir=app,
        balie=balie,
        source_config=source.resolve(),
        user=args.user,
        tty=args.tty,
        rotate=args.rotate,
        watchdog_seconds=args.watchdog,
    )
    try:
        plan = lockdown.plan(options)
    except lockdown.LockdownError as error:
        return _fail(str(error), EXIT_USAGE)
    blocked = lockdown.unreadable_parents(app.parent)
    if args.dry_run:
        written = lockdown.write_dry_run(plan, args.out)
        for path in written:
            print(f"wrote {path}")
        for folder in blocked:
            print(f"note: {folder} is closed to other users: the kiosk user could not reach {app}")
        print(f"nothing installed; to install: sudo {args.out / 'lockdown.sh'} (or run lockdown without --dry-run)")
        return EXIT_OK
    if os.geteuid() != 0:
        return _fail("lockdown changes the system: run it as root (sudo), or see it first with --dry-run --out DIR")
    if blocked:
        return _fail(f"the kiosk user cannot reach {app}: {blocked[0]} is closed to others; install under /opt")
    try:
        lockdown.install(plan)
    except lockdown.LockdownError as error:
        return _fail(str(error))
    print("locked down: reboot to start the kiosk (or: systemctl start balie-kiosk)")
    return EXIT_OK


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
