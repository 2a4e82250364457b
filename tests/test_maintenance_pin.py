"""The maintenance PIN, its lockout and the hidden gesture, without Qt."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.config import DriverChoice, KioskConfig, MaintenanceSettings, default_config, parse_config
from kiosk.errors import ConfigError
from kiosk.maintenance import (
    DEMO_PIN,
    DEMO_PIN_HASH,
    LOCKOUT_SECONDS,
    CornerTaps,
    MaintenanceAccess,
    PinGate,
    PinResult,
    hash_pin,
    verify_pin,
)
from kiosk.session import Phase, SessionMachine
from tests.conftest import FakeClock

PIN_HASH = hash_pin("975310", iterations=10_000)


def test_hash_verifies_only_its_pin_and_holds_no_pin() -> None:
    assert "975310" not in PIN_HASH
    assert verify_pin("975310", PIN_HASH)
    assert not verify_pin("975311", PIN_HASH)
    assert not verify_pin("975310", "plain")
    with pytest.raises(ValueError):
        hash_pin("12ab")


def test_five_wrong_pins_lock_out_and_the_lockout_doubles() -> None:
    clock = FakeClock()
    gate = PinGate(PIN_HASH, clock)
    for _ in range(4):
        assert gate.try_pin("000000") is PinResult.WRONG
    assert gate.try_pin("000000") is PinResult.LOCKED
    assert gate.try_pin("975310") is PinResult.LOCKED  # the right PIN is not even looked at
    clock.advance(LOCKOUT_SECONDS - 1)
    assert gate.try_pin("975310") is PinResult.LOCKED
    clock.advance(1)
    for _ in range(5):
        gate.try_pin("000000")
    assert gate.seconds_locked() == 2 * LOCKOUT_SECONDS
    clock.advance(2 * LOCKOUT_SECONDS)
    assert gate.try_pin("975310") is PinResult.OPEN
    assert gate.lockouts == 0 and gate.attempts_left == 5


def test_no_pin_opens_only_the_all_simulated_demo() -> None:
    assert verify_pin(DEMO_PIN, DEMO_PIN_HASH)
    assert PinGate.from_config(default_config()) is not None
    demo = PinGate.from_config(default_config())
    assert demo is not None and demo.try_pin(DEMO_PIN) is PinResult.OPEN
    real = replace(default_config(), hardware=replace(default_config().hardware, printer=DriverChoice(driver="none")))
    assert PinGate.from_config(real) is None
    configured = replace(real, maintenance=MaintenanceSettings(pin_hash=PIN_HASH))
    gate = PinGate.from_config(configured)
    assert gate is not None and gate.try_pin(DEMO_PIN) is PinResult.WRONG


def test_config_refuses_a_plain_pin() -> None:
    with pytest.raises(ConfigError, match=r"maintenance\.pin_hash: not a PIN hash"):
        parse_config({"maintenance": {"pin_hash": "1234"}})
    config = parse_config({"maintenance": {"pin_hash": PIN_HASH, "idle_seconds": 90}})
    assert isinstance(config, KioskConfig) and config.maintenance.idle_seconds == 90


def test_corner_taps_need_five_quick_taps_in_the_corner() -> None:
    clock = FakeClock()
    taps = CornerTaps(clock)
    assert not any(taps.tap(10, 10) for _ in range(4))
    clock.advance(3.5)  # too slow: the first ones no longer count
    assert not taps.tap(10, 10)
    assert not any(taps.tap(10, 10) for _ in range(3))
    assert taps.tap(10, 10)
    assert not any(taps.tap(10, 10) for _ in range(4))
    assert not taps.tap(500, 500)  # elsewhere: start again
    assert not taps.tap(10, 10)


def test_maintenance_phases_in_the_session_machine() -> None:
    clock = FakeClock()
    access = MaintenanceAccess(PinGate(PIN_HASH, clock), idle_seconds=60)
    machine = SessionMachine(default_config().session, ["nl", "en"], clock=clock, maintenance=access)
    assert machine.maintenance_gesture()
    assert machine.phase is Phase.MAINTENANCE_PIN and machine.citizen is None
    assert machine.enter_pin("975310") is PinResult.OPEN
    assert machine.phase is Phase.MAINTENANCE
    clock.advance(59)
    machine.touch()
    clock.advance(59)
    machine.tick()
    assert machine.phase is Phase.MAINTENANCE
    clock.advance(1)
    machine.tick()
    assert machine.phase is Phase.ATTRACT
    machine.start()
    assert not machine.maintenance_gesture()  # not during a citizen's session
    assert machine.phase is Phase.MENU


def test_without_a_pin_the_gesture_does_nothing() -> None:
    machine = SessionMachine(default_config().session, ["nl"], maintenance=MaintenanceAccess(None))
    assert not machine.maintenance_gesture()
    assert machine.phase is Phase.ATTRACT


def test_pin_hash_line_for_the_config(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import getpass

    from kiosk.maintenance import main

    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "975310")
    assert main() == 0
    out = capsys.readouterr().out
    assert "975310" not in out
    line = out.splitlines()[1]
    assert line.startswith('pin_hash = "pbkdf2_sha256$')
    pin_hash = line.split('"')[1]
    assert verify_pin("975310", pin_hash)
    assert parse_config({"maintenance": {"pin_hash": pin_hash}}).maintenance.pin_hash == pin_hash
