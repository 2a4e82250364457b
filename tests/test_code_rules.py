"""The rules the code keeps, checked like any other behaviour: lint, types, the Qt boundary."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def tool(name: str) -> str:
    found = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed (pip install -e '.[test]')")
    return str(found)


def test_ruff_lint_and_format_are_clean() -> None:
    lint = run(tool("ruff"), "check", ".")
    assert lint.returncode == 0, lint.stdout
    form = run(tool("ruff"), "format", "--check", ".")
    assert form.returncode == 0, form.stdout


def test_session_logic_and_drivers_do_not_import_qt() -> None:
    contracts = run(tool("lint-imports"))
    assert contracts.returncode == 0, contracts.stdout


def test_core_runs_headless_without_qt_loaded() -> None:
    probe = (
        "import sys\n"
        "from kiosk.config import default_config\n"
        "from kiosk.session import SessionMachine\n"
        "from drivers.registry import build_all\n"
        "config = default_config()\n"
        "machine = SessionMachine(config.session, config.device.languages)\n"
        "machine.start(); machine.choose_task('opening_hours'); machine.finish()\n"
        "drivers = build_all(config.hardware.choices()); drivers.health(); drivers.close()\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_types_are_strict() -> None:
    result = run(tool("mypy"))
    assert result.returncode == 0, result.stdout
