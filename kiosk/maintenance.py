"""The technician's way into the maintenance screen: a hidden gesture, then a PIN. Qt-free.

The gesture: five taps within 3 s in the top-left corner of the attract screen (a square of
`CORNER_PX` pixels, where nothing is drawn). A citizen taps a button, not an empty corner five
times. Then the PIN, typed on the digit keypad. The config holds only a PBKDF2-SHA256 hash:

    [maintenance]
    pin_hash = "pbkdf2_sha256$200000$…$…"

set with `balie provision maintenance-pin --config PATH` (or printed by `python -m kiosk.maintenance`). Without a
`pin_hash` the screen opens with `DEMO_PIN` only when every device is simulated and there is
no backoffice URL (the embedded demo); on a real device it cannot open at all.

Wrong PINs: after `ATTEMPTS` in a row the gate locks for `LOCKOUT_SECONDS`, doubling with each
further lockout until a correct PIN. This is counted in memory, across openings of the screen;
a restart of the kiosk starts counting afresh (systemd restarts take seconds, so a guesser gains
at most `ATTEMPTS` tries per restart, and restarting needs the maintenance screen or power).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.health import Health
    from drivers.registry import DriverSet
    from kiosk.config import KioskConfig
    from kiosk.log_buffer import LogBuffer

DEMO_PIN = "2468"  # only for the all-simulated embedded default, never on real hardware
# hash_pin(DEMO_PIN, salt=b"balie-demo-pin!!", iterations=10_000), written out: nothing to compute at start.
DEMO_PIN_HASH = "pbkdf2_sha256$10000$YmFsaWUtZGVtby1waW4hIQ==$AxX1KbOwUwafM8O3NUSoO_C0OtDYkWS-JdShXwWbMnQ="
ATTEMPTS = 5
LOCKOUT_SECONDS = 300.0
MAX_LOCKOUT_SECONDS = 24 * 3600.0
ITERATIONS = 200_000
PIN_DIGITS = (4, 12)
# The gesture: taps in the top-left corner square of the attract screen.
CORNER_PX = 140
GESTURE_TAPS = 5
GESTURE_SECONDS = 3.0
# The exit code asking systemd (Restart=always) to start the kiosk again.
RESTART_EXIT_CODE = 75  # EX_TEMPFAIL


def hash_pin(pin: str, *, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """`pbkdf2_sha256$<iterations>$<salt>$<hash>`, salt and hash in URL-safe base64."""
    if not (pin.isdigit() and PIN_DIGITS[0] <= len(pin) <= PIN_DIGITS[1]):
        raise ValueError(f"a PIN is {PIN_DIGITS[0]} to {PIN_DIGITS[1]} digits")
    import base64
    import hashlib
    import secrets  # only when a hash is made: OpenSSL's load is not for the first frame

    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    encode = base64.urlsafe_b64encode
    return f"pbkdf2_sha256${iterations}${encode(salt).decode()}${encode(digest).decode()}"


def valid_pin_hash(pin_hash: str) -> bool:
    parts = pin_hash.split("$")
    return len(parts) == 4 and parts[0] == "pbkdf2_sha256" and parts[1].isdigit() and int(parts[1]) >= 10_000


def verify_pin(pin: str, pin_hash: str) -> bool:
    if not valid_pin_hash(pin_hash):
        return False
    import base64
    import hashlib
    import hmac

    _, iterations, salt, expected = pin_hash.split("$")
    try:
        digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), base64.urlsafe_b64decode(salt), int(iterations))
        return hmac.compare_digest(digest, base64.urlsafe_b64decode(expected))
    except ValueError:
        return False


def demo_mode(config: KioskConfig) -> bool:
    """Every device simulated and no backoffice URL: the embedded demo, where the demo PIN works."""
    hardware = config.hardware
    choices = [*hardware.by_device().values(), hardware.microphone, hardware.audio_output]
    return not config.backoffice.url and all(choice.driver == "simulated" for choice in choices)


class PinResult(StrEnum):
    OPEN = "open"
    WRONG = "wrong"
    LOCKED = "locked"  # refused without looking at the PIN: wait for the lockout to pass


class PinGate:
    """Checks PINs and counts wrong ones; lives as long as the kiosk process."""

    def __init__(self, pin_hash: str, clock: Callable[[], float] = time.monotonic) -> None:
        self._pin_hash = pin_hash
        self._clock = clock
        self.failures = 0  # wrong PINs since the last lockout or success
        self.lockouts = 0  # lockouts since the last correct PIN
        self._locked_until: float | None = None

    @classmethod
    def from_config(cls, config: KioskConfig, clock: Callable[[], float] = time.monotonic) -> PinGate | None:
        """The configured hash; the demo PIN in the demo; else None (the screen cannot open)."""
        if config.maintenance.pin_hash:
            return cls(config.maintenance.pin_hash, clock)
        if demo_mode(config):
            return cls(DEMO_PIN_HASH, clock)
        return None

    def seconds_locked(self) -> int:
        """Whole seconds until a PIN is looked at again; 0 when not locked."""
        if self._locked_until is None:
            return 0
        left = self._locked_until - self._clock()
        if left <= 0:
            self._locked_until = None
            return 0
        return int(left + 0.999)

    def try_pin(self, pin: str) -> PinResult:
        if self.seconds_locked():
            return PinResult.LOCKED
        if verify_pin(pin, self._pin_hash):
            self.failures = self.lockouts = 0
            return PinResult.OPEN
        self.failures += 1
        if self.failures >= ATTEMPTS:
            seconds = min(LOCKOUT_SECONDS * 2**self.lockouts, MAX_LOCKOUT_SECONDS)
            self._locked_until = self._clock() + seconds
            self.failures = 0
            self.lockouts += 1
            return PinResult.LOCKED
        return PinResult.WRONG

    @property
    def attempts_left(self) -> int:
        return ATTEMPTS - self.failures


class CornerTaps:
    """Counts taps in the hidden corner; says when `GESTURE_TAPS` fell within `GESTURE_SECONDS`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._taps: list[float] = []

    def tap(self, x: int, y: int) -> bool:
        if not (0 <= x < CORNER_PX and 0 <= y < CORNER_PX):
            self._taps.clear()  # a tap elsewhere breaks the sequence
            return False
        now = self._clock()
        self._taps = [t for t in self._taps if now - t <= GESTURE_SECONDS] + [now]
        if len(self._taps) >= GESTURE_TAPS:
            self._taps.clear()
            return True
        return False


@dataclass
class DeviceHistory:
    """Each device's last problem (state, reason, when), remembered across screen rebuilds."""

    last_problem: dict[str, tuple[str, str, float]] = field(default_factory=dict)

    def record(self, health: Mapping[str, Health], now: float) -> None:
        for device, state in health.items():
            if state.state != "ok":
                self.last_problem[device] = (state.state.value, state.reason, now)


@dataclass(frozen=True, slots=True)
class NetworkStatus:
    connected: bool  # the reporting to a backoffice (configured or embedded) is up
    embedded: bool = False
    heartbeats: int = 0  # delivered since the kiosk started


@dataclass
class MaintenanceAccess:
    """What the maintenance phases need beyond the screen, living as long as the kiosk process."""

    gate: PinGate | None  # None: no PIN configured outside the demo, the screen cannot open
    idle_seconds: float = 60.0
    history: DeviceHistory = field(default_factory=DeviceHistory)
    log: LogBuffer | None = None
    on_restart: Callable[[int], None] | None = None  # run_kiosk: quit the event loop with this code
    drivers: DriverSet | None = None  # the kiosk's own, for the self-test (a second set would collide)
    network_status: Callable[[], NetworkStatus] | None = None  # the backoffice connection
    restart_requested: int | None = None

    @classmethod
    def from_config(cls, config: KioskConfig, clock: Callable[[], float] = time.monotonic) -> MaintenanceAccess:
        return cls(PinGate.from_config(config, clock), float(config.maintenance.idle_seconds))

    def request_restart(self) -> None:
        """Quit with RESTART_EXIT_CODE; systemd's Restart=always starts the kiosk again."""
        self.restart_requested = RESTART_EXIT_CODE
        if self.on_restart is not None:
            self.on_restart(RESTART_EXIT_CODE)


def main() -> int:
    """`python -m kiosk.maintenance`: asks for a PIN twice and prints the config line."""
    import getpass

    pin = getpass.getpass("Maintenance PIN (4-12 digits): ")
    if getpass.getpass("Again: ") != pin:
        print("the two PINs differ")
        return 1
    try:
        line = hash_pin(pin)
    except ValueError as error:
        print(error)
        return 1
    print("[maintenance]")
    print(f'pin_hash = "{line}"')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
