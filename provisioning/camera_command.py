"""`balie camera …`: the technician's check that a camera sees, and reads QR codes.

Output is one line per result and the exit code says whether it worked, because other
tools (the self-test, scripts) run these commands and read them: `read-qr` prints the
payload as its last line. Qt is never imported here.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drivers.camera.opencv_camera import OpenCVCamera
    from drivers.camera.protocol import Frame

EXIT_OK, EXIT_CAMERA = 0, 1
STOP_WAIT = 2.0  # seconds to let the camera thread release the device before exiting anyway
POLL = 0.2  # seconds between looks at the camera's health while no frame comes


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    camera = commands.add_parser("camera", help="read a QR code or save a snapshot with a camera")
    actions = camera.add_subparsers(dest="action", required=True, metavar="ACTION")

    def source(parser: argparse.ArgumentParser, timeout: float) -> None:
        parser.add_argument(
            "--source", required=True, help="camera index (0), device (/dev/video0), stream URL, or video/image file"
        )
        parser.add_argument("--timeout", type=float, default=timeout, help=f"seconds to try (default {timeout:g})")

    read_qr = actions.add_parser("read-qr", help="print the payload of the first QR code the camera sees")
    source(read_qr, 10.0)
    read_qr.set_defaults(run=_read_qr)

    snapshot = actions.add_parser("snapshot", help="save one frame as PNG")
    source(snapshot, 5.0)
    snapshot.add_argument("--out", type=Path, required=True, metavar="PNG", help="where to save the frame")
    snapshot.set_defaults(run=_snapshot)


def _read_qr(args: argparse.Namespace) -> int:
    from drivers.camera.vision.qr_decoder import QrDecoder, appointment_code

    if not args.timeout > 0:
        return _fail("--timeout must be more than 0 seconds")
    decoder = QrDecoder()
    started = time.monotonic()
    camera = _camera(args)
    seen = 0
    try:
        last = -1
        while (frame := _next_frame(camera, last, started + args.timeout)) is not None:
            last = frame.index
            seen += 1
            result = decoder.decode(frame.image)
            if result is None:
                continue
            code = appointment_code(result.payload)
            notes = [f"appointment code {code}" if code else "not an appointment code"]
            if result.truncated:
                notes.append(f"payload cut at {len(result.payload)} characters")
            payload = _one_line(result.payload)
            if payload != result.payload:
                notes.append("control characters shown escaped")
            _reconfigure_stdout()
            print(f"QR code after {time.monotonic() - started:.1f} s ({result.strategy}): {'; '.join(notes)}")
            print(payload)
            return EXIT_OK
        problem = _camera_problem(camera) if seen == 0 else None
        return _fail(problem or f"no QR code found in {args.timeout:g} s")
    finally:
        _stop(camera)


def _snapshot(args: argparse.Namespace) -> int:
    from drivers.camera.preview import png_bytes

    if not args.timeout > 0:
        return _fail("--timeout must be more than 0 seconds")
    camera = _camera(args)
    try:
        frame = _next_frame(camera, -1, time.monotonic() + args.timeout)
        if frame is None:
            return _fail(_camera_problem(camera) or f"no picture from camera {args.source} in {args.timeout:g} s")
    finally:
        _stop(camera)
    try:
        encoded = png_bytes(frame)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        args.out.write_bytes(encoded)
    except OSError as exc:
        return _fail(f"cannot write {args.out} ({exc.strerror or exc.__class__.__name__})")
    print(f"saved a {frame.width}x{frame.height} frame to {args.out}")
    return EXIT_OK


def _camera(args: argparse.Namespace) -> OpenCVCamera:
    import os

    from drivers.camera.factories import camera_source
    from drivers.camera.opencv_camera import OpenCVCamera
    from drivers.camera.preview import quiet_opencv_logging

    # OpenCV's and FFmpeg's own warnings ("can't open camera by index", "Connection
    # refused") would bury the one line this command prints about the same problem.
    quiet_opencv_logging()
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET, read when a stream opens
    # A file plays at 30 fps like a webcam; open_timeout bounds network streams only.
    camera = OpenCVCamera(camera_source(args.source), open_timeout=args.timeout, read_timeout=2.0)
    camera.start()
    return camera


def _next_frame(camera: OpenCVCamera, after: int, deadline: float) -> Frame | None:
    """The next new frame before `deadline`; None at the deadline or as soon as the camera
    is known not to open (no point waiting out the timeout for a camera that is not there)."""
    from drivers.camera.opencv_camera import cannot_open

    while (left := deadline - time.monotonic()) > 0:
        frame = camera.wait_for_frame(after, timeout=min(left, POLL))
        if frame is not None:
            return frame
        if camera.health().reason == cannot_open(camera.source):
            return None
    return None


def _camera_problem(camera: OpenCVCamera) -> str | None:
    health = camera.health()
    return None if health.usable else _lower(health.reason)


def _stop(camera: OpenCVCamera) -> None:
    """Stop the camera, but do not hang on a device or stream stuck inside OpenCV: after
    STOP_WAIT the process exits anyway, and its capture thread (a daemon) with it."""
    stopper = threading.Thread(target=camera.stop, name="camera-stop", daemon=True)
    stopper.start()
    stopper.join(STOP_WAIT)


def _one_line(payload: str) -> str:
    """The payload as one printable line: unchanged unless it holds line breaks or other
    control characters, which are then written as Python escapes (\\n, \\x00), backslashes
    doubled, so scripts reading the last line get all of it."""
    if all(ch.isprintable() for ch in payload):
        return payload
    return "".join(ch if ch.isprintable() and ch != "\\" else ascii(ch)[1:-1] for ch in payload)


def _reconfigure_stdout() -> None:
    """A payload in any script must print even where stdout is not UTF-8."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def _fail(problem: str) -> int:
    print(f"balie: {problem}", file=sys.stderr)
    return EXIT_CAMERA


def _lower(text: str) -> str:
    """ "Camera 3 cannot be opened" reads "balie: camera 3 cannot be opened"."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or text[1:2] == " " else text
