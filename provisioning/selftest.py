"""`balie provision selftest`: every configured device and service, checked the way the kiosk uses them.

The devices are built by drivers.registry from the config's own choices, so a pass means the
kiosk's code works with this hardware, not that some other tool could reach it. Each check
gives one `CheckResult`: `ok`, `warning` (works, but a technician should look: paper low, a
dark picture) or `failed` (the kiosk cannot do that part of its job). A check that raises is
a failed check with the error named, never a crashed self-test. The JSON form — one object
with a `checks` list of `name`/`status`/`detail` — is a contract: the fleet view will show
it as the device's last self-test.

Qt-free: the display is measured in a child process (provisioning/display_probe.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drivers.health import Health
    from drivers.registry import DriverSet
    from kiosk.config import KioskConfig

# Beyond these the backoffice's and this machine's clocks disagree: appointments are checked in
# "too early", tickets carry the wrong time, TLS certificates look not yet valid.
CLOCK_WARNING_SECONDS = 2.0
CLOCK_FAILURE_SECONDS = 5.0


class Status(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: Status
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail}


def ok(name: str, detail: str) -> CheckResult:
    return CheckResult(name, Status.OK, detail)


def warning(name: str, detail: str) -> CheckResult:
    return CheckResult(name, Status.WARNING, detail)


def failed(name: str, detail: str) -> CheckResult:
    return CheckResult(name, Status.FAILED, detail)


def _clock_state() -> int | None:
    from provisioning.selftest_system import kernel_clock_state

    return kernel_clock_state()


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SelftestContext:
    """What the checks share: the config, the drivers (built once), and what earlier checks found."""

    config: KioskConfig
    config_path: Path | None = None
    print_test: bool = False
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    data_dir: Path | None = None
    now: Callable[[], datetime] = _utc_now  # this machine's wall clock, aware
    clock_state: Callable[[], int | None] = _clock_state  # adjtimex(2): 5 is TIME_ERROR, not synchronised
    display_probe: Callable[[Mapping[str, str]], tuple[int, str, str]] | None = None
    health: dict[str, Health] = field(default_factory=dict)  # per device, for the heartbeat
    clock_offset: float | None = None  # backoffice minus this machine, seconds; None: not measured
    clock_uncertainty: float = 0.0
    backoffice_problem: str = ""
    _drivers: DriverSet | None = None
    _build_errors: dict[str, str] = field(default_factory=dict)
    _separate: dict[str, Any] = field(default_factory=dict)
    _extra: list[Any] = field(default_factory=list)  # devices built outside the DriverSet, closed at the end

    def driver(self, device: str) -> Any:
        """The device's driver as the kiosk builds it; raises RuntimeError when it could not be built."""
        from drivers import registry

        if self._drivers is None and not self._build_errors:
            try:
                self._drivers = registry.build_all(self.config.hardware.choices())
            except Exception:  # find out which one: the others are still worth checking
                self._build_one_by_one()
        if device in self._build_errors:
            raise RuntimeError(self._build_errors[device])
        if self._drivers is not None:
            return getattr(self._drivers, device)
        return self._separate[device]

    def _build_one_by_one(self) -> None:
        from drivers import registry

        for device, (driver, options) in self.config.hardware.choices().items():
            try:
                self._separate[device] = registry.build(device, driver, options)
                self._extra.append(self._separate[device])
            except Exception as error:
                self._build_errors[device] = f"the {driver} driver could not start: {_described(error)}"

    def call_device(self, device: str) -> Any:
        """A microphone or speaker, built as the call's owner builds it (registry.build)."""
        from drivers import registry

        driver, options = self.config.hardware.call_choices()[device]
        built = registry.build(device, driver, options)
        self._extra.append(built)
        return built

    def close(self) -> None:
        if self._drivers is not None:
            self._drivers.close()
        for device in self._extra:
            for method in ("stop", "close"):
                action = getattr(device, method, None)
                if action is not None:
                    action()


def _described(error: BaseException) -> str:
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


Check = tuple[str, Callable[[SelftestContext], CheckResult]]


def checks() -> list[Check]:
    from provisioning import selftest_devices as devices
    from provisioning import selftest_system as system

    return [
        ("config", system.check_config),
        ("camera", devices.check_camera),
        ("cardreader", devices.check_cardreader),
        ("printer", devices.check_printer),
        ("speech", devices.check_speech),
        ("microphone", devices.check_microphone),
        ("audio_output", devices.check_audio_output),
        ("backoffice", system.check_backoffice),
        ("clock", system.check_clock),
        ("disk", system.check_disk),
        ("display", system.check_display),
    ]


@dataclass(frozen=True)
class SelftestReport:
    checks: list[CheckResult]
    finished_at: datetime
    seconds: float
    config_path: Path | None

    @property
    def passed(self) -> bool:
        return all(check.status is not Status.FAILED for check in self.checks)

    def as_json(self) -> dict[str, Any]:
        from kiosk import __version__

        return {
            "passed": self.passed,
            "checks": [check.as_json() for check in self.checks],
            "finished_at": self.finished_at.isoformat(timespec="seconds"),
            "duration_seconds": round(self.seconds, 2),
            "config": str(self.config_path) if self.config_path else None,
            "version": __version__,
        }


Progress = Callable[[int, int, CheckResult, float], None]


def run_selftest(context: SelftestContext, progress: Progress | None = None) -> SelftestReport:
    started = time.monotonic()
    results: list[CheckResult] = []
    planned = checks()
    try:
        for index, (name, check) in enumerate(planned, start=1):
            began = time.monotonic()
            try:
                result = check(context)
            except Exception as error:  # a check's own bug or a driver's surprise: reported, not raised
                result = failed(name, f"the check itself failed: {_described(error)}")
            results.append(result)
            if progress is not None:
                progress(index, len(planned), result, time.monotonic() - began)
    finally:
        context.close()
    return SelftestReport(results, context.now(), time.monotonic() - started, context.config_path)


def send_report(config: KioskConfig, report: SelftestReport) -> str | None:
    """Send the report to the device's backoffice, where the fleet page shows it; None when sent or
    when there is no backoffice to send to (the embedded default), else why it did not go."""
    from kiosk.backoffice_client import BackofficeClient, BackofficeError

    if not (config.backoffice.url and config.backoffice.token):
        return None
    client = BackofficeClient(config.backoffice.url, config.backoffice.token, timeout=5.0)
    try:
        client.send_selftest(report.as_json())
    except BackofficeError as error:
        return f"the report did not reach the backoffice ({error}); run the self-test again when it is reachable"
    finally:
        client.close()
    return None


def progress_line(index: int, total: int, result: CheckResult, seconds: float) -> str:
    width = len(str(total))
    return f"[{index:>{width}}/{total}] {result.name:<12} {result.status.value:<7} ({seconds:.1f} s)"


def table(report: SelftestReport) -> list[str]:
    """The results as aligned columns, then one line with the verdict."""
    rows = [("check", "status", "detail")] + [(c.name, c.status.value, c.detail) for c in report.checks]
    name_width = max(len(row[0]) for row in rows)
    status_width = max(len(row[1]) for row in rows)
    lines = [f"{name:<{name_width}}  {status:<{status_width}}  {detail}".rstrip() for name, status, detail in rows]
    lines.insert(1, f"{'-' * name_width}  {'-' * status_width}  {'-' * 6}")
    warnings = [c.name for c in report.checks if c.status is Status.WARNING]
    failures = [c.name for c in report.checks if c.status is Status.FAILED]
    if failures:
        lines.append(f"selftest failed: {', '.join(failures)}")
    else:
        note = f", warnings: {', '.join(warnings)}" if warnings else ""
        lines.append(f"selftest passed: {len(report.checks)} checks{note}")
    return lines
