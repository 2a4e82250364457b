"""Errors raised while talking to an eMRTD chip (ICAO 9303-11).

Messages are plain words; the screen or CLI decides how to show them to a citizen.
"""

from __future__ import annotations


class IcaoError(Exception):
    """Base class for everything that goes wrong in ICAO 9303 chip access."""


class AuthenticationFailed(IcaoError):
    """Basic Access Control did not prove that chip and terminal share the document keys."""


class SecureMessagingError(IcaoError):
    """A secure-messaging response could not be trusted or decoded (ICAO 9303-11 §9.8)."""


class MalformedSecurityObject(IcaoError):
    """EF.SOD or a CSCA master list is not the CMS SignedData ICAO 9303-10 §4.6 / 9303-12 §9 prescribe."""


class MalformedDataError(IcaoError):
    """A file read from the chip does not have the structure ICAO 9303-10 prescribes.

    Raised by the TLV and LDS parsers (and by the builders when asked to encode something
    the structure cannot hold), so a damaged or hostile chip never surfaces as IndexError.
    """


class PaceError(IcaoError):
    """PACE (ICAO 9303-11 §4.4) could not be completed for a reason other than a wrong password."""


class SecurityInfosError(IcaoError):
    """EF.CardAccess or DG14 does not hold well-formed SecurityInfos (ICAO 9303-11 §9.2)."""
