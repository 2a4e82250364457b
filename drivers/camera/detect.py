"""Which V4L2 cameras are attached, and at which picture sizes: `balie provision detect`.

Asked of the kernel directly with three V4L2 ioctls (QUERYCAP, ENUM_FMT, ENUM_FRAMESIZES)
rather than by opening each device in OpenCV and trying sizes: that would start streaming,
take seconds per camera and could only guess at the sizes. The struct layouts and request
numbers are those of linux/videodev2.h (the V4L2 UAPI, "ioctl VIDIOC_QUERYCAP" etc.); they
are the same on every 64- and 32-bit Linux because the structs hold only fixed-size fields.
A UVC webcam shows up as two nodes, one for pictures and one for metadata; only nodes that
can capture video are listed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr; dir: 1 write, 2 read.
_IOC_WRITE, _IOC_READ = 1, 2


def _ioc(direction: int, number: int, size: int) -> int:
    return (direction << 30) | (size << 16) | (ord("V") << 8) | number


# struct v4l2_capability: driver[16] card[32] bus_info[32] version capabilities device_caps reserved[3]
CAPABILITY = struct.Struct("=16s32s32sIII12x")
# struct v4l2_fmtdesc: index type flags description[32] pixelformat mbus_code reserved[3]
FMTDESC = struct.Struct("=III32sII12x")
# struct v4l2_frmsizeenum: index pixel_format type, a 24-byte union (discrete: width height;
# stepwise: min_width max_width step_width min_height max_height step_height), reserved[2]
FRMSIZE = struct.Struct("=III24s8x")

VIDIOC_QUERYCAP = _ioc(_IOC_READ, 0, CAPABILITY.size)  # 0x80685600
VIDIOC_ENUM_FMT = _ioc(_IOC_READ | _IOC_WRITE, 2, FMTDESC.size)  # 0xc0405602
VIDIOC_ENUM_FRAMESIZES = _ioc(_IOC_READ | _IOC_WRITE, 74, FRMSIZE.size)  # 0xc02c564a

V4L2_CAP_VIDEO_CAPTURE = 0x00000001
V4L2_CAP_DEVICE_CAPS = 0x80000000
V4L2_BUF_TYPE_VIDEO_CAPTURE = 1
V4L2_FRMSIZE_TYPE_DISCRETE = 1

MAX_FORMATS = 64  # a bound, so a driver that never says EINVAL cannot keep us asking
MAX_SIZES = 128
# What the kiosk asks for by default (drivers/camera/factories.py): a page is readable at 720p and
# the preview stays smooth; more costs CPU on a small PC for no better QR reading.
PREFERRED_SIZE = (1280, 720)


class V4l2Device(Protocol):
    def ioctl(self, request: int, buffer: bytearray) -> None:
        """Run one ioctl that fills `buffer` in place; raises OSError as the kernel answers."""

    def close(self) -> None: ...


class _DeviceNode:
    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)

    def ioctl(self, request: int, buffer: bytearray) -> None:
        fcntl.ioctl(self._fd, request, buffer, True)

    def close(self) -> None:
        os.close(self._fd)


@dataclass(frozen=True, slots=True)
class PixelFormat:
    fourcc: str  # "MJPG", "YUYV"
    description: str
    sizes: tuple[tuple[int, int], ...]  # discrete sizes; for a stepwise range, its largest


@dataclass(frozen=True, slots=True)
class V4l2Camera:
    device: str
    card: str  # the product's name as the driver gives it
    driver: str  # "uvcvideo"
    bus: str  # "usb-0000:00:14.0-2"
    formats: tuple[PixelFormat, ...]

    @property
    def sizes(self) -> list[tuple[int, int]]:
        """Every picture size in any format, largest first."""
        return sorted({size for fmt in self.formats for size in fmt.sizes}, key=lambda s: s[0] * s[1], reverse=True)

    def proposed_size(self) -> tuple[int, int] | None:
        """The kiosk's 1280×720 when offered, else the largest below it, else the smallest."""
        sizes = self.sizes
        if not sizes:
            return None
        if PREFERRED_SIZE in sizes:
            return PREFERRED_SIZE
        area = PREFERRED_SIZE[0] * PREFERRED_SIZE[1]
        below = [size for size in sizes if size[0] * size[1] <= area]
        return below[0] if below else sizes[-1]


@dataclass(frozen=True, slots=True)
class CameraProblem:
    device: str
    reason: str  # for a person: "no permission (the user is not in the 'video' group)"


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()


def _fourcc(code: int) -> str:
    return struct.pack("<I", code).decode("ascii", "replace").strip()


def video_nodes(dev: Path = Path("/dev")) -> list[Path]:
    """/dev/video0, /dev/video1, … in number order (video10 after video9)."""
    nodes = [path for path in dev.glob("video*") if re.fullmatch(r"video\d+", path.name)]
    return sorted(nodes, key=lambda path: int(path.name[5:]))


def query_camera(path: str, device: V4l2Device) -> V4l2Camera | None:
    """The camera behind one node; None when the node cannot capture pictures (a metadata node)."""
    buffer = bytearray(CAPABILITY.size)
    device.ioctl(VIDIOC_QUERYCAP, buffer)
    driver, card, bus, _version, capabilities, device_caps = CAPABILITY.unpack(buffer)
    caps = device_caps if capabilities & V4L2_CAP_DEVICE_CAPS else capabilities
    if not caps & V4L2_CAP_VIDEO_CAPTURE:
        return None
    formats = []
    for index in range(MAX_FORMATS):
        buffer = bytearray(FMTDESC.pack(index, V4L2_BUF_TYPE_VIDEO_CAPTURE, 0, b"", 0, 0))
        if not _ask(device, VIDIOC_ENUM_FMT, buffer):
            break
        _index, _type, _flags, description, pixelformat, _mbus = FMTDESC.unpack(buffer)
        formats.append(PixelFormat(_fourcc(pixelformat), _text(description), _frame_sizes(device, pixelformat)))
    return V4l2Camera(path, _text(card), _text(driver), _text(bus), tuple(formats))


def _frame_sizes(device: V4l2Device, pixelformat: int) -> tuple[tuple[int, int], ...]:
    sizes: list[tuple[int, int]] = []
    for index in range(MAX_SIZES):
        buffer = bytearray(FRMSIZE.pack(index, pixelformat, 0, b""))
        if not _ask(device, VIDIOC_ENUM_FRAMESIZES, buffer):
            break
        _index, _format, kind, union = FRMSIZE.unpack(buffer)
        if kind == V4L2_FRMSIZE_TYPE_DISCRETE:
            sizes.append(struct.unpack_from("=II", union))
        else:  # continuous or stepwise: one entry describes the whole range
            _min_w, max_w, _step_w, _min_h, max_h, _step_h = struct.unpack_from("=6I", union)
            sizes.append((max_w, max_h))
            break
    return tuple(sizes)


def _ask(device: V4l2Device, request: int, buffer: bytearray) -> bool:
    """One enumeration step; False at the end of the list (EINVAL is how V4L2 says so)."""
    try:
        device.ioctl(request, buffer)
    except OSError as error:
        if error.errno == errno.EINVAL:
            return False
        raise
    return True


def _reason(error: OSError) -> str:
    if error.errno in (errno.EACCES, errno.EPERM):
        return "no permission (the user is not in the 'video' group)"
    if error.errno == errno.EBUSY:
        return "in use by another program"
    if error.errno in (errno.ENOTTY, errno.EINVAL):
        return "not a V4L2 camera"
    return error.strerror or type(error).__name__


def list_cameras(
    nodes: Iterable[Path] | None = None, open_device: Callable[[str], V4l2Device] = _DeviceNode
) -> tuple[list[V4l2Camera], list[CameraProblem]]:
    """Capture-capable cameras, and the nodes that could not be asked (with why)."""
    cameras: list[V4l2Camera] = []
    problems: list[CameraProblem] = []
    for node in video_nodes() if nodes is None else nodes:
        path = str(node)
        try:
            device = open_device(path)
        except OSError as error:
            problems.append(CameraProblem(path, _reason(error)))
            continue
        try:
            camera = query_camera(path, device)
        except OSError as error:
            problems.append(CameraProblem(path, _reason(error)))
            continue
        finally:
            device.close()
        if camera is not None:
            cameras.append(camera)
    return cameras, problems
