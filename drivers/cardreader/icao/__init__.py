"""ICAO Doc 9303 Part 11: access control and secure messaging for eMRTD chips.

Modules are named after the standard's concepts so the spec is the map:
``bac`` (Basic Access Control, §4.3), ``secure_messaging`` (§9.8), ``errors``.
"""

from drivers.cardreader.icao.bac import BacKeys, MutualAuthentication, SessionKeys, mrz_information
from drivers.cardreader.icao.errors import AuthenticationFailed, IcaoError, SecureMessagingError
from drivers.cardreader.icao.secure_messaging import SecureMessaging

__all__ = [
    "AuthenticationFailed",
    "BacKeys",
    "IcaoError",
    "MutualAuthentication",
    "SecureMessaging",
    "SecureMessagingError",
    "SessionKeys",
    "mrz_information",
]
