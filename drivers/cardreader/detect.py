"""Which PC/SC readers pcscd knows, and whether a card lies on one: `balie provision detect`.

One SCardListReaders and one non-blocking SCardGetStatusChange for all readers, on the
calling thread: a listing is a few local calls to pcscd, not card I/O, so it does not need
the I/O thread the reader driver keeps for APDUs. The answer also says why there is nothing
("PC/SC service not running" needs a different fix than an unplugged reader).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from smartcard import scard

from drivers.cardreader.pcsc import SERVICE_ERRORS, SERVICE_NOT_RUNNING, describe, result_code

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    name: str
    atr: bytes | None  # the card lying on it, if any

    @property
    def pattern(self) -> str:
        """What `[hardware.cardreader] options.reader` should say to find this reader again.

        pcsc-lite ends a name with the reader's slot numbers ("… 00 00"), which change when
        readers are plugged in another order, so they become a wildcard; the name's own
        brackets ("[… PICC]") are escaped, since the driver reads *, ? and [ as a glob.
        """
        stem = re.sub(r"\s+\d{2}\s+\d{2}$", "", self.name)
        escaped = re.sub(r"([*?\[])", r"[\1]", stem)
        return escaped + " *" if stem != self.name else escaped


@dataclass(frozen=True, slots=True)
class ReaderScan:
    readers: tuple[ReaderInfo, ...]
    problem: str = ""  # why there are none: the service is not running, or it failed


def scan_readers() -> ReaderScan:
    try:
        hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if result_code(hresult) in SERVICE_ERRORS:
            return ReaderScan((), SERVICE_NOT_RUNNING)
        if result_code(hresult) != scard.SCARD_S_SUCCESS:
            return ReaderScan((), f"PC/SC: {describe(hresult)}")
        try:
            return _scan(context)
        finally:
            scard.SCardReleaseContext(context)
    except Exception as error:  # the binding raises on odd states; detection reports, never crashes
        log.exception("listing PC/SC readers failed")
        return ReaderScan((), f"PC/SC: {type(error).__name__}")


def _scan(context: int) -> ReaderScan:
    hresult, names = scard.SCardListReaders(context, [])
    code = result_code(hresult)
    if code == scard.SCARD_E_NO_READERS_AVAILABLE or (code == scard.SCARD_S_SUCCESS and not names):
        return ReaderScan(())
    if code in SERVICE_ERRORS:
        return ReaderScan((), SERVICE_NOT_RUNNING)
    if code != scard.SCARD_S_SUCCESS:
        return ReaderScan((), f"PC/SC: {describe(hresult)}")
    hresult, states = scard.SCardGetStatusChange(context, 0, [(name, scard.SCARD_STATE_UNAWARE) for name in names])
    if result_code(hresult) != scard.SCARD_S_SUCCESS:
        return ReaderScan(tuple(ReaderInfo(str(name), None) for name in names))
    readers = []
    for name, event_state, atr in states:
        present = bool(event_state & scard.SCARD_STATE_PRESENT) and bool(atr)
        readers.append(ReaderInfo(str(name), bytes(atr) if present else None))
    return ReaderScan(tuple(readers))
