"""Reading DG1, a 20 kB DG2 and EF.SOD under secure messaging, beside the same reads in the clear.

For each channel (the virtual chip in-process, and the same chip through real pcscd + vpcd +
pyscard when pcscd can be started), each access protocol (BAC: 3DES; PACE: AES-128) and each
length mode (short, extended), the reader first authenticates (not timed), then reads the three
files under secure messaging. The floor is the very same sequence of plain READ BINARY APDUs
(same count, offsets and lengths) sent to the same chip with secure messaging switched off, in
the same run. Target: secure messaging ≤ 1.3× the floor. The APDU count of each read is reported.

In-process, both sides' cryptography is on the clock (the chip is Python too), so that ratio is
the worst case; through pcscd the transport dominates as it does with a real reader.

Run: .venv/bin/python benchmarks/chip.py [--rounds 5] [--no-pcscd]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from drivers.cardreader.emrtd.chip import VirtualPassport
from drivers.cardreader.emrtd.factory import build_virtual_document
from drivers.cardreader.icao.document import MrzKey
from drivers.cardreader.icao.lds import DataGroup
from drivers.cardreader.icao.reader import EMRTD_AID, ChipSession, authenticate

FILES = (("DG1", DataGroup.DG1.sfi), ("DG2", DataGroup.DG2.sfi), ("EF.SOD", DataGroup.SOD.sfi))
TARGET = 1.3
VPCD_READER = "Virtual PCD 00 00"

Transmit = Callable[[bytes], bytes]


class RecordingSession(ChipSession):
    """Keeps the plain commands it sends, so the floor can replay exactly the same reads."""

    def __init__(self, transmit: Transmit, *, extended_length: bool) -> None:
        super().__init__(transmit, extended_length=extended_length)
        self.recorded: list[bytes] = []

    def command(self, apdu: bytes) -> bytes:
        self.recorded.append(apdu)
        return super().command(apdu)


def protected_read(chip: VirtualPassport, transmit: Transmit, key: MrzKey, extended: bool) -> tuple[float, list[bytes]]:
    chip.reset()
    session = RecordingSession(transmit, extended_length=extended)
    authenticate(session, key, lambda step, fraction: None)
    session.recorded.clear()
    started = time.perf_counter()
    for name, sfi in FILES:
        content = session.read_file(sfi, name)
        assert content is not None
    return time.perf_counter() - started, list(session.recorded)


def plain_read(chip: VirtualPassport, transmit: Transmit, commands: list[bytes]) -> float:
    chip.reset()
    assert transmit(bytes.fromhex("00A4040C07") + EMRTD_AID)[-2:] == b"\x90\x00"
    started = time.perf_counter()
    for command in commands:
        response = transmit(command)
        assert response[-2:] in (b"\x90\x00", b"\x62\x82"), response[-2:].hex()
    return time.perf_counter() - started


@contextmanager
def in_process(chip: VirtualPassport) -> Iterator[Transmit]:
    from drivers.cardreader.simulator import SimulatedCardReader

    reader = SimulatedCardReader()
    reader.insert(chip)
    yield reader.transmit


@contextmanager
def through_pcscd(chip: VirtualPassport) -> Iterator[Transmit]:
    from drivers.cardreader.pcsc import PcscCardReader
    from drivers.cardreader.transport import ApduTransport
    from drivers.cardreader.vpcd import VpcdBridge

    bridge = VpcdBridge(chip)
    bridge.start()
    reader = PcscCardReader(VPCD_READER)
    try:
        deadline = time.monotonic() + 10
        while not reader.card_present():
            if time.monotonic() > deadline:
                raise RuntimeError("the virtual chip did not appear in pcscd")
            time.sleep(0.05)
        transport = ApduTransport(reader, extended_length=True)

        def transmit(apdu: bytes) -> bytes:
            response = transport.transmit(apdu)
            return response.data + bytes([response.sw1, response.sw2])

        yield transmit
    finally:
        reader.close()
        bridge.stop()
        time.sleep(0.6)  # pcscd notices the card leaving at its next poll


@contextmanager
def pcscd_running() -> Iterator[bool]:
    from drivers.cardreader.pcsc import list_readers

    if VPCD_READER in list_readers():
        yield True
        return
    if shutil.which("pcscd") is None:
        yield False
        return
    process = subprocess.Popen(["pcscd", "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while VPCD_READER not in list_readers() and time.monotonic() < deadline:
            time.sleep(0.1)
        yield VPCD_READER in list_readers()
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(channel: str, access: str, extended: bool, rounds: int) -> tuple[int, float, float]:
    document = build_virtual_document("passport", access=access, extended_length=extended)
    chip = document.chip
    key = document.specimen.access_key
    opener = in_process if channel == "in-process" else through_pcscd
    protected_times: list[float] = []
    plain_times: list[float] = []
    with opener(chip) as transmit:
        commands: list[bytes] = []
        for _ in range(rounds):
            chip.profile.require_secure_messaging = True
            elapsed, commands = protected_read(chip, transmit, key, extended)
            protected_times.append(elapsed)
            chip.profile.require_secure_messaging = False
            plain_times.append(plain_read(chip, transmit, commands))
    return len(commands), statistics.median(protected_times), statistics.median(plain_times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-pcscd", action="store_true", help="only the in-process channel")
    args = parser.parse_args()

    document = build_virtual_document("passport")
    sizes = {name: len(document.chip.profile.files[0x0100 + sfi if sfi < 0x1D else 0x011D]) for name, sfi in FILES}
    print("files: " + ", ".join(f"{name} {size} bytes" for name, size in sizes.items()))
    print(f"{'channel':<11} {'access':<6} {'length':<8} {'APDUs':>5} {'SM ms':>9} {'floor ms':>9} {'ratio':>6}")
    channels = ["in-process"]
    with pcscd_running() as pcscd:
        if pcscd and not args.no_pcscd:
            channels.append("pcscd")
        elif not args.no_pcscd:
            print("(pcscd with vpcd not available: only the in-process channel)")
        for channel in channels:
            rounds = args.rounds if channel == "in-process" else max(1, args.rounds // 2)
            for access in ("bac", "pace"):
                for extended in (False, True):
                    count, protected, plain = measure(channel, access, extended, rounds)
                    ratio = protected / plain
                    verdict = "ok" if ratio <= TARGET else "OVER"
                    print(
                        f"{channel:<11} {'BAC' if access == 'bac' else 'PACE':<6} "
                        f"{'extended' if extended else 'short':<8} {count:>5} {protected * 1000:>9.1f} "
                        f"{plain * 1000:>9.1f} {ratio:>5.2f}× {verdict}"
                    )


if __name__ == "__main__":
    main()
