"""`balie camera read-qr|snapshot`: the technician's commands against image and video files
standing in for a camera, as the driver allows."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from drivers.camera.scenes import Placement, compose, desk_background, letter_with_qr, phone_with_qr

ROOT = Path(__file__).resolve().parent.parent
URL = "https://afspraak.example.nl/bevestiging/K7Q29XZD"


def balie(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def letter_frame(payload: str = URL) -> np.ndarray:
    frame, _ = compose(desk_background(), letter_with_qr(payload), Placement(scale=0.95, noise_sigma=2.0))
    return frame


@pytest.fixture
def letter_png(tmp_path: Path) -> Path:
    path = tmp_path / "letter.png"
    assert cv2.imwrite(str(path), letter_frame())
    return path


def test_read_qr_from_an_image_prints_the_payload_last(letter_png: Path) -> None:
    result = balie("camera", "read-qr", "--source", str(letter_png), "--timeout", "10")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == URL
    assert "appointment code K7Q29XZD" in lines[0]
    assert result.stderr == ""


def test_read_qr_from_a_video_where_the_code_comes_after_blank_frames(tmp_path: Path) -> None:
    path = tmp_path / "counter.avi"
    size = (640, 360)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15.0, size)
    assert writer.isOpened()
    desk = desk_background(*size, seed=3)
    phone, _ = compose(desk, phone_with_qr("K7Q2-9XZD"), Placement(scale=0.95))
    for _ in range(20):
        writer.write(desk)
    for _ in range(10):
        writer.write(phone)
    writer.release()
    result = balie("camera", "read-qr", "--source", str(path), "--timeout", "10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "K7Q2-9XZD"


def test_a_payload_with_line_breaks_stays_on_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "lines.png"
    assert cv2.imwrite(str(path), letter_frame("BEGIN:VCARD\nFN:Balie\\Test\nEND:VCARD"))
    result = balie("camera", "read-qr", "--source", str(path), "--timeout", "10")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == r"BEGIN:VCARD\nFN:Balie\\Test\nEND:VCARD"
    assert "not an appointment code" in result.stdout and "escaped" in result.stdout


def test_no_code_before_the_timeout_is_one_line_and_exit_1(tmp_path: Path) -> None:
    path = tmp_path / "desk.png"
    assert cv2.imwrite(str(path), desk_background())
    started = time.monotonic()
    result = balie("camera", "read-qr", "--source", str(path), "--timeout", "2")
    assert time.monotonic() - started < 2 + 3
    assert result.returncode == 1
    assert result.stderr == "balie: no QR code found in 2 s\n"
    assert result.stdout == ""


def test_a_source_that_does_not_exist_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.png"
    started = time.monotonic()
    result = balie("camera", "read-qr", "--source", str(missing), "--timeout", "20")
    assert time.monotonic() - started < 10  # told at once, not after the timeout
    assert result.returncode == 1
    assert result.stderr == f"balie: camera {missing} cannot be opened\n"


@pytest.mark.skipif(Path("/dev/video7").exists(), reason="this machine has a /dev/video7")
def test_a_camera_index_that_does_not_exist_is_named() -> None:
    result = balie("camera", "read-qr", "--source", "7", "--timeout", "5")
    assert result.returncode == 1
    assert (
        result.stderr
        == "balie: camera 7 does not exist (is it plugged in? `balie provision detect` lists the cameras)\n"
    )


def test_snapshot_saves_a_png_of_the_frame(letter_png: Path, tmp_path: Path) -> None:
    out = tmp_path / "snap.png"
    result = balie("camera", "snapshot", "--source", str(letter_png), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"saved a 1280x720 frame to {out}"
    saved = cv2.imread(str(out))
    assert saved is not None and np.array_equal(saved, cv2.imread(str(letter_png)))


def test_snapshot_failures_are_one_line(letter_png: Path, tmp_path: Path) -> None:
    no_camera = balie("camera", "snapshot", "--source", str(tmp_path / "none.avi"), "--out", str(tmp_path / "a.png"))
    assert (no_camera.returncode, no_camera.stderr) == (1, f"balie: camera {tmp_path / 'none.avi'} cannot be opened\n")
    unwritable = tmp_path / "no-such-folder" / "snap.png"
    no_folder = balie("camera", "snapshot", "--source", str(letter_png), "--out", str(unwritable))
    assert no_folder.returncode == 1
    assert no_folder.stderr == f"balie: cannot write {unwritable} (No such file or directory)\n"


def test_the_commands_do_not_load_qt(letter_png: Path, tmp_path: Path) -> None:
    source, out = str(letter_png), str(tmp_path / "s.png")
    probe = (
        "import sys\n"
        "from kiosk.cli import main\n"
        f"assert main(['camera', 'read-qr', '--source', {source!r}, '--timeout', '10']) == 0\n"
        f"assert main(['camera', 'snapshot', '--source', {source!r}, '--out', {out!r}]) == 0\n"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
