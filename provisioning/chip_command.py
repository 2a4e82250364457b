"""`balie chip …`: read a passport or ID card through any PC/SC reader, list readers, serve the virtual chip.

`balie chip read --json` prints one JSON object and is a contract: other tools run it against
real and emulated chips. Failures print one line on stderr and exit non-zero, never a traceback:

    0  read (the JSON's ``authenticity`` says whether the data is genuine)
    1  the chip or reader misbehaved
    2  usage
    3  access denied: wrong document number, dates or CAN
    4  no reader, or the PC/SC service is not running
    5  no card on the reader, or it was removed during reading
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.cardreader.icao.reader import ChipRead

EXIT_OK, EXIT_CHIP, EXIT_USAGE, EXIT_ACCESS_DENIED, EXIT_NO_READER, EXIT_NO_CARD = 0, 1, 2, 3, 4, 5
YYMMDD = re.compile(r"^\d{6}$")
CAN_PATTERN = re.compile(r"^\d{6}$")
DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9<]{1,9}$")
DEFAULT_TRUST_STORE = Path("/etc/balie/csca")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    chip = commands.add_parser("chip", help="read a passport or ID-card chip, list readers, run the virtual chip")
    actions = chip.add_subparsers(dest="action", required=True, metavar="ACTION")

    readers = actions.add_parser("readers", help="list the PC/SC readers pcscd knows")
    readers.set_defaults(run=_readers)

    read = actions.add_parser("read", help="read and verify a chip (ICAO 9303)")
    read.add_argument("--reader", default="", help="reader name or part of it (default: the first reader)")
    read.add_argument("--document-number", default="", help="as printed in the MRZ, e.g. SPECI2014")
    read.add_argument("--date-of-birth", default="", help="YYMMDD")
    read.add_argument("--date-of-expiry", default="", help="YYMMDD")
    read.add_argument("--can", default="", help="the 6-digit card access number (PACE cards), instead of the MRZ data")
    read.add_argument(
        "--trust-store",
        type=Path,
        default=None,
        help=f"folder or file of CSCA certificates / ICAO master lists (default {DEFAULT_TRUST_STORE} if present)",
    )
    read.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each answer of the chip")
    read.add_argument("--json", action="store_true", help="print one JSON object")
    read.set_defaults(run=_read)

    simulate = actions.add_parser("simulate", help="serve the virtual chip to pcscd's virtual reader (vpcd)")
    simulate.add_argument("--document", default="passport", choices=("passport", "id-card"))
    simulate.add_argument(
        "--access", default="pace", choices=("pace", "bac"), help="PACE with BAC fallback, or BAC only"
    )
    simulate.add_argument("--port", type=int, default=35963, help="vpcd port (35963 is 'Virtual PCD 00 00')")
    simulate.add_argument("--trust-store-out", type=Path, help="write the test CSCA certificate into this folder")
    simulate.add_argument("--seconds", type=float, default=0, help="stop after this long (default: until Ctrl+C)")
    simulate.set_defaults(run=_simulate)


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code


def _reader_problem(reason: str) -> str:
    """The reader's reason with the fix: start the PC/SC service, or pick a reader that is there."""
    if "service" in reason.lower():
        return f"{reason} (apt-get install pcscd; systemctl enable --now pcscd.socket)"
    if "matching" in reason:
        return f"{reason} (`balie chip readers` lists the readers; --reader takes part of a name)"
    if reason.startswith("No card reader"):
        return f"{reason} (plug it in; `balie chip readers` lists the readers pcscd sees)"
    return reason


def _readers(args: argparse.Namespace) -> int:
    from drivers.cardreader.pcsc import PcscCardReader, list_readers

    names = list_readers()
    if not names:
        probe = PcscCardReader()
        try:
            reason = probe.health().reason or "no card readers found"
        finally:
            probe.close()
        return _fail(_reader_problem(reason if "service" in reason else "No card reader found"), EXIT_NO_READER)
    for name in names:
        print(name)
    return EXIT_OK


def _access_key(args: argparse.Namespace) -> Any:
    from drivers.cardreader.icao.document import CanKey, MrzKey

    if args.can:
        if not CAN_PATTERN.match(args.can):
            raise ValueError("--can must be 6 digits")
        return CanKey(args.can)
    number = args.document_number.upper().replace(" ", "")
    if not (number and args.date_of_birth and args.date_of_expiry):
        raise ValueError("give --document-number, --date-of-birth and --date-of-expiry, or --can")
    if not DOCUMENT_NUMBER.match(number):
        raise ValueError("--document-number is up to 9 letters and digits")
    for option, value in (("--date-of-birth", args.date_of_birth), ("--date-of-expiry", args.date_of_expiry)):
        if not YYMMDD.match(value):
            raise ValueError(f"{option} must be YYMMDD, e.g. 850101")
    return MrzKey(number, args.date_of_birth, args.date_of_expiry)


def _trust_store(path: Path | None) -> Any:
    from drivers.cardreader.icao.trust_store import TrustStore

    if path is None:
        return TrustStore.from_path(DEFAULT_TRUST_STORE) if DEFAULT_TRUST_STORE.exists() else TrustStore.empty()
    if not path.exists():
        raise ValueError(f"--trust-store {path} does not exist")
    return TrustStore.from_path(path)


def _read(args: argparse.Namespace) -> int:
    try:
        key = _access_key(args)
        trust_store = _trust_store(args.trust_store)
    except ValueError as error:
        return _fail(str(error), EXIT_USAGE)

    from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError
    from drivers.cardreader.icao.reader import CardRemovedError, read_document
    from drivers.cardreader.pcsc import PcscCardReader
    from drivers.cardreader.protocol import CardAbsentError
    from drivers.cardreader.transport import ApduTransport, CardCommunicationError, ReaderUnavailableError

    reader = PcscCardReader(args.reader, apdu_timeout=args.timeout)
    try:
        started = time.perf_counter()
        health = reader.health()
        if not health.usable:
            return _fail(_reader_problem(health.reason), EXIT_NO_READER)
        if not reader.card_present():
            return _fail("no card on the reader", EXIT_NO_CARD)
        transport = ApduTransport(reader)
        connected_ms = round((time.perf_counter() - started) * 1000, 1)

        def transmit(apdu: bytes) -> bytes:
            response = transport.transmit(apdu)
            return response.data + bytes([response.sw1, response.sw2])

        result = read_document(transmit, key, trust_store, extended_length=transport.extended_length)
    except AuthenticationFailed as error:
        return _fail(str(error), EXIT_ACCESS_DENIED)
    except ReaderUnavailableError as error:
        return _fail(_reader_problem(str(error)), EXIT_NO_READER)
    except (CardAbsentError, CardRemovedError):
        return _fail("the card was removed during reading: place it on the reader and try again", EXIT_NO_CARD)
    except (IcaoError, CardCommunicationError) as error:
        return _fail(f"chip read failed: {error}", EXIT_CHIP)
    finally:
        reader.close()
    result.timings["connect_ms"] = connected_ms
    if args.json:
        print(json.dumps(chip_read_json(result), ensure_ascii=False))
    else:
        _print_human(result)
    return EXIT_OK


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def chip_read_json(result: ChipRead) -> dict[str, Any]:
    """The `balie chip read --json` object (a contract: add fields, never rename or remove them)."""
    mrz = result.mrz
    photo = result.photo
    return {
        "document_type": mrz.format.value,
        "document_code": mrz.document_code,
        "issuing_state": mrz.issuing_state,
        "document_number": mrz.document_number,
        "surname": mrz.surname,
        "given_names": mrz.given_names,
        "date_of_birth": _iso(mrz.date_of_birth),
        "date_of_expiry": _iso(mrz.date_of_expiry),
        "nationality": mrz.nationality,
        "sex": mrz.sex,
        "photo": (
            {"width": photo.width, "height": photo.height, "format": photo.format.value} if photo is not None else None
        ),
        "authenticity": {"status": result.authenticity.status.value, "reason": result.authenticity.reason},
        "access_control": result.access_control,
        "data_groups": list(result.data_groups),
        "apdu_count": result.apdu_count,
        "timings": result.timings,
    }


def _print_human(result: ChipRead) -> None:
    data = chip_read_json(result)
    width = max(len(key) for key in data)
    for key, value in data.items():
        print(f"{key.ljust(width)}  {value}")


def _simulate(args: argparse.Namespace) -> int:
    from drivers.cardreader.emrtd.factory import build_virtual_document
    from drivers.cardreader.vpcd import VpcdBridge

    document = build_virtual_document(args.document, access=args.access)
    if args.trust_store_out is not None:
        args.trust_store_out.mkdir(parents=True, exist_ok=True)
        target = args.trust_store_out / "csca-utopia-test.pem"
        target.write_bytes(document.csca_pem)
        print(f"test CSCA written to {target}")
    key = document.specimen.access_key
    print(
        f"virtual {args.document} on vpcd port {args.port}: --document-number {key.document_number} "
        f"--date-of-birth {key.date_of_birth} --date-of-expiry {key.date_of_expiry} --can {document.specimen.can}",
        flush=True,
    )
    bridge = VpcdBridge(document.chip, port=args.port)
    bridge.start()
    try:
        deadline = time.monotonic() + args.seconds if args.seconds > 0 else None
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()
    return EXIT_OK
