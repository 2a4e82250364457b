"""V4L2 camera detection against a fake device node that answers the ioctls as the kernel does.

The fake fills the structs byte for byte per linux/videodev2.h, so what is tested is our
packing and unpacking of the kernel's layout, and the request numbers are checked against
the values the kernel headers give.
"""

from __future__ import annotations

import errno
import struct

import pytest

from drivers.camera import detect
from drivers.camera.detect import V4l2Camera, list_cameras, video_nodes

MJPG = int.from_bytes(b"MJPG", "little")
YUYV = int.from_bytes(b"YUYV", "little")
V4L2_CAP_META_CAPTURE = 0x00800000
V4L2_CAP_STREAMING = 0x04000000


def test_request_numbers_are_the_kernels() -> None:
    # From linux/videodev2.h on x86_64 and arm64 (the same: the structs have fixed-size fields only).
    assert detect.VIDIOC_QUERYCAP == 0x80685600
    assert detect.VIDIOC_ENUM_FMT == 0xC0405602
    assert detect.VIDIOC_ENUM_FRAMESIZES == 0xC02C564A


class FakeNode:
    """One /dev/videoN: answers QUERYCAP, ENUM_FMT and ENUM_FRAMESIZES like a UVC driver."""

    def __init__(self, caps: int, formats: dict[int, tuple[str, list[tuple[int, int]] | tuple[int, ...]]]) -> None:
        self.caps = caps
        self.formats = formats  # pixelformat -> (description, discrete sizes or a stepwise 6-tuple)
        self.closed = False

    def ioctl(self, request: int, buffer: bytearray) -> None:
        if request == 0x80685600:
            struct.pack_into(
                "=16s32s32sIII", buffer, 0, b"uvcvideo", b"HD Pro Webcam C920", b"usb-0000:00:14.0-2",
                0x00060100, self.caps | 0x80000000 | 0x00000001 | V4L2_CAP_META_CAPTURE, self.caps,
            )  # fmt: skip
        elif request == 0xC0405602:
            index, kind = struct.unpack_from("=II", buffer)
            assert kind == 1, "capture formats are asked for"
            if index >= len(self.formats):
                raise OSError(errno.EINVAL, "Invalid argument")
            code = list(self.formats)[index]
            struct.pack_into("=III32sI", buffer, 0, index, 1, 0, self.formats[code][0].encode(), code)
        elif request == 0xC02C564A:
            index, code = struct.unpack_from("=II", buffer)
            sizes = self.formats[code][1]
            if isinstance(sizes, tuple):  # stepwise: one entry, type 3
                if index > 0:
                    raise OSError(errno.EINVAL, "Invalid argument")
                struct.pack_into("=III6I", buffer, 0, index, code, 3, *sizes)
            else:
                if index >= len(sizes):
                    raise OSError(errno.EINVAL, "Invalid argument")
                struct.pack_into("=IIIII", buffer, 0, index, code, 1, *sizes[index])
        else:
            raise OSError(errno.ENOTTY, "Inappropriate ioctl for device")

    def close(self) -> None:
        self.closed = True


def test_a_webcam_is_listed_with_its_sizes_and_its_metadata_node_is_not() -> None:
    capture = FakeNode(0x00000001 | V4L2_CAP_STREAMING, {
        MJPG: ("Motion-JPEG", [(1920, 1080), (1280, 720), (640, 480)]),
        YUYV: ("YUYV 4:2:2", [(640, 480), (320, 240)]),
    })  # fmt: skip
    metadata = FakeNode(V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING, {})
    nodes = {"/dev/video0": capture, "/dev/video1": metadata}
    cameras, problems = list_cameras(nodes, nodes.__getitem__)
    assert problems == []
    assert [camera.device for camera in cameras] == ["/dev/video0"]
    camera = cameras[0]
    assert (camera.card, camera.driver, camera.bus) == ("HD Pro Webcam C920", "uvcvideo", "usb-0000:00:14.0-2")
    assert [(f.fourcc, f.description, f.sizes) for f in camera.formats] == [
        ("MJPG", "Motion-JPEG", ((1920, 1080), (1280, 720), (640, 480))),
        ("YUYV", "YUYV 4:2:2", ((640, 480), (320, 240))),
    ]
    assert camera.proposed_size() == (1280, 720)
    assert capture.closed and metadata.closed


def test_a_stepwise_camera_reports_its_largest_size() -> None:
    node = FakeNode(0x00000001, {YUYV: ("YUYV", (160, 2592, 16, 120, 1944, 8))})
    cameras, _ = list_cameras(["/dev/video4"], lambda path: node)
    assert cameras[0].formats[0].sizes == ((2592, 1944),)
    assert cameras[0].proposed_size() == (2592, 1944)  # nothing at or below 720p: the smallest there is


def test_nodes_that_cannot_be_asked_are_reported_with_the_fix() -> None:
    def refuse(path: str) -> FakeNode:
        raise {"/dev/video0": PermissionError(errno.EACCES, "Permission denied"),
               "/dev/video2": OSError(errno.EBUSY, "Device or resource busy")}[path]  # fmt: skip

    cameras, problems = list_cameras(["/dev/video0", "/dev/video2"], refuse)
    assert cameras == []
    assert [(p.device, p.reason) for p in problems] == [
        ("/dev/video0", "no permission (the user is not in the 'video' group)"),
        ("/dev/video2", "in use by another program"),
    ]


def test_proposed_size_prefers_720p_else_the_largest_below() -> None:
    def camera(*sizes: tuple[int, int]) -> V4l2Camera:
        return V4l2Camera("/dev/video0", "cam", "uvcvideo", "", (detect.PixelFormat("MJPG", "", sizes),))

    assert camera((1920, 1080), (800, 600), (640, 480)).proposed_size() == (800, 600)
    assert camera().proposed_size() is None


def test_nodes_are_found_in_number_order(tmp_path: pytest.TempPathFactory) -> None:
    for name in ("video10", "video2", "video0", "vbi0", "video-not"):
        (tmp_path / name).touch()  # type: ignore[operator]
    assert [p.name for p in video_nodes(tmp_path)] == ["video0", "video2", "video10"]  # type: ignore[arg-type]


def test_this_machine_is_asked_without_failing() -> None:
    cameras, problems = list_cameras()
    assert isinstance(cameras, list) and isinstance(problems, list)  # none here; on a kiosk, its webcam
