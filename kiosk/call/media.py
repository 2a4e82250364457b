"""The media of a kiosk-to-caseworker video call: aiortc tracks over the kiosk's drivers.

Everything here runs on the call's asyncio thread, never on Qt's. The rule throughout is the
camera driver's: the newest picture, never a queue. A video call that falls behind must
catch up by dropping frames, not by showing the caseworker the citizen of three seconds
ago; sound keeps its order but drops its oldest frames past a small backlog for the same
reason. Nothing here starts or stops a driver: the call's owner starts the microphone and
audio output for the call and stops them after, and the camera follows the call screen
(which shows the citizen's own picture too), so one owner never stops a device another
still uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import av
import numpy as np
from aiortc.mediastreams import VIDEO_CLOCK_RATE, MediaStreamError, MediaStreamTrack

from drivers.pcm import FRAME_SAMPLES, FRAME_SECONDS, SAMPLE_RATE, PcmFrame, silence

if TYPE_CHECKING:
    import numpy.typing as npt

    from drivers.audio_output.protocol import AudioOutput
    from drivers.camera.protocol import Camera
    from drivers.microphone.protocol import Microphone

log = logging.getLogger(__name__)

# 30 fps: lips and signing hands stay readable, and the product's target is at least 25 fps at
# 640×480. VP8 at 640×480/30 costs about 36 % of one core for both ends together on the 2-core
# test machine (benchmarks/call_media.py); 15 fps halves that where a kiosk PC is too weak.
DEFAULT_FPS = 30.0
# Sound queued past this (60 ms) is dropped oldest first, so latency stays near one frame.
MAX_AUDIO_BACKLOG = 3
# A sender stalled longer than this (the event loop was busy) skips ahead instead of bursting.
_MAX_LATE = 0.1

VIDEO_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_RATE)
AUDIO_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)


def video_available(camera: Camera) -> bool:
    """Whether the call can offer video; without it the call is audio-only (no video track)."""
    return camera.health().usable


class _Pacer:
    """Deadlines `interval` apart on the monotonic clock, skipping missed ones after a stall."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.start: float | None = None
        self._ticks = 0
        self.skipped = 0

    async def tick(self) -> int:
        """Wait for the next deadline; returns its number (0 for the first, at once)."""
        now = time.monotonic()
        if self.start is None:
            self.start = now
            return 0
        self._ticks += 1
        late = now - (self.start + self._ticks * self.interval)
        if late < 0:
            await asyncio.sleep(-late)
        elif late > _MAX_LATE:
            missed = int(late / self.interval)
            self._ticks += missed
            self.skipped += missed
        return self._ticks


class CameraVideoTrack(MediaStreamTrack):
    """Sends the camera's newest frame `fps` times a second.

    Before the camera's first frame nothing is sent (the receiver waits, as for a camera
    warming up). If frames stop mid-call, black frames of the same size follow: the
    caseworker must see that the picture is gone, not a frozen citizen who seems to listen.
    """

    kind = "video"

    def __init__(self, camera: Camera, fps: float = DEFAULT_FPS) -> None:
        if not fps > 0:
            raise ValueError("fps must be more than 0")
        super().__init__()
        self.camera = camera
        self.fps = fps
        self._pacer = _Pacer(1.0 / fps)
        self._size: tuple[int, int] | None = None
        self.frames_sent = 0
        self.black_frames = 0
        self.last_sent_index = -1  # the camera's index of the newest frame sent
        self._last_pts = -1

    async def recv(self) -> av.VideoFrame:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            await self._pacer.tick()
            frame = self.camera.latest_frame()
            taken = time.monotonic()
            if frame is not None:
                out = av.VideoFrame.from_ndarray(frame.image, format="bgr24")
                self._size = (frame.width, frame.height)
                self.last_sent_index = frame.index
                break
            if self._size is not None:
                out = av.VideoFrame.from_ndarray(np.zeros((self._size[1], self._size[0], 3), np.uint8), format="bgr24")
                self.black_frames += 1
                break
        # The timestamp is the moment the picture was taken, not its deadline: the far end's
        # jitter buffer sizes itself by how unevenly frames arrive against their timestamps, so a
        # tick that fired late (the event loop busy, the GIL held elsewhere) would be counted as
        # network jitter and every later frame held back for it (benchmarks/call.py).
        assert self._pacer.start is not None
        pts = round((taken - self._pacer.start) * VIDEO_CLOCK_RATE)
        out.pts = self._last_pts = max(pts, self._last_pts + 1)
        out.time_base = VIDEO_TIME_BASE
        self.frames_sent += 1
        return out


class MicrophoneAudioTrack(MediaStreamTrack):
    """Sends the microphone's sound in 20 ms frames, paced by the monotonic clock.

    The clock, not the microphone, sets the pace, so a microphone that stops (unplugged,
    failed, never there) leaves silence rather than a stalled track, and the far end's
    jitter buffer keeps working. Timestamps count samples (time base 1/48000), as RTP
    needs for Opus.
    """

    kind = "audio"

    def __init__(self, microphone: Microphone) -> None:
        super().__init__()
        self.microphone = microphone
        self._pacer = _Pacer(FRAME_SECONDS)
        self.frames_sent = 0
        self.silent_frames = 0  # sent as silence because the microphone had nothing
        self.frames_dropped = 0  # taken from the microphone and not sent, to keep latency low

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        first = self._pacer.start is None
        tick = await self._pacer.tick()
        keep = 1 if first else MAX_AUDIO_BACKLOG  # begin with what is being said now
        while self.microphone.pending() > keep:
            self.microphone.read_frame()
            self.frames_dropped += 1
        frame = self.microphone.read_frame()
        if frame is None:
            samples = silence()
            self.silent_frames += 1
        else:
            samples = frame.samples
        # Both channels the same: aiortc's Opus encoder takes stereo, and FFmpeg's own
        # mono-to-stereo step would lower the citizen's voice by 3 dB.
        out = av.AudioFrame.from_ndarray(np.repeat(samples, 2).reshape(1, -1), format="s16", layout="stereo")
        out.sample_rate = SAMPLE_RATE
        out.pts = tick * FRAME_SAMPLES
        out.time_base = AUDIO_TIME_BASE
        self.frames_sent += 1
        return out


@dataclass(frozen=True, slots=True, eq=False)
class RemoteImage:
    """The far end's newest picture: an H×W×3 uint8 array in RGB order (what Qt's
    QImage.Format_RGB888 takes), with the count of frames received when it came."""

    rgb: npt.NDArray[np.uint8]
    index: int
    received_at: float  # time.monotonic()

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


@dataclass(frozen=True, slots=True)
class RemoteMediaStats:
    video_frames: int  # decoded frames taken from the remote video track
    images_converted: int  # of those, turned into RGB because someone asked for the newest
    audio_frames: int
    audio_samples: int  # handed to the audio output (48 kHz mono)


def fitted_size(width: int, height: int, box: tuple[int, int]) -> tuple[int, int]:
    """The largest size of width×height's shape inside `box`, in even pixels (what the colour
    conversion rounds to anyway), never below 2×2."""
    scale = min(box[0] / width, box[1] / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class RemoteMedia:
    """Takes the caseworker's tracks: video to one newest RGB picture, sound to the speaker.

    aiortc queues every decoded frame of a remote track until someone reads it, without
    limit; so each track is read as fast as it decodes, on the call's event loop, and only
    the newest video frame is kept. Turning it into RGB waits until a reader asks
    (`latest_image()`, from the Qt side's thread), so frames no one shows cost no
    conversion; a reader that passes `fit` gets it already scaled to the size it paints, in
    the same FFmpeg step as the colour conversion, which runs without the GIL. (Scaling in
    Qt's paint instead holds the GIL on the UI thread for milliseconds a frame, and the
    call's thread waits that long to send the citizen's picture: benchmarks/call.py.)
    Add tracks from the peer connection's "track" event; `stop()` before the loop ends.
    """

    def __init__(self, audio_output: AudioOutput) -> None:
        self.audio_output = audio_output
        self._condition = threading.Condition()
        self._tasks: set[asyncio.Task[None]] = set()
        self._newest: av.VideoFrame | None = None
        self._newest_index = -1
        self._newest_at = 0.0
        self._image: RemoteImage | None = None
        self._video_frames = 0
        self._converted = 0
        self._audio_frames = 0
        self._audio_samples = 0
        self._stopped = False

    def add_track(self, track: MediaStreamTrack) -> None:
        """Start reading `track` (call on the event loop, e.g. in @pc.on("track"))."""
        if self._stopped:
            raise RuntimeError("RemoteMedia is stopped")
        if track.kind == "video":
            task = asyncio.get_running_loop().create_task(self._read_video(track), name="call-remote-video")
        elif track.kind == "audio":
            task = asyncio.get_running_loop().create_task(self._read_audio(track), name="call-remote-audio")
        else:
            log.warning("ignoring a remote %s track", track.kind)
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def stop(self) -> None:
        """Stop reading and forget the last picture (it shows a person)."""
        self._stopped = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with self._condition:
            self._newest = None
            self._image = None
            self._condition.notify_all()

    # -- for the screen (any thread) ---------------------------------------------------------

    def latest_image(self, fit: tuple[int, int] | None = None) -> RemoteImage | None:
        """The newest picture, as large as fits in `fit` (width, height) keeping its shape;
        its own size without."""
        return self._convert_newest(fit)

    def wait_for_image(
        self, after_index: int = -1, timeout: float = 1.0, fit: tuple[int, int] | None = None
    ) -> RemoteImage | None:
        """The newest picture once its index is above `after_index`; None after `timeout`.
        Not on the event loop's own thread, which it would block."""
        with self._condition:
            if not self._condition.wait_for(lambda: self._newest_index > after_index or self._stopped, timeout):
                return None
        image = self._convert_newest(fit)
        return image if image is not None and image.index > after_index else None

    @property
    def stats(self) -> RemoteMediaStats:
        with self._condition:
            return RemoteMediaStats(self._video_frames, self._converted, self._audio_frames, self._audio_samples)

    def _convert_newest(self, fit: tuple[int, int] | None) -> RemoteImage | None:
        """RGB of the newest frame, converted once however often it is asked (at one size). The
        conversion (a few milliseconds at 720p) runs outside the lock, so the event loop, which
        takes the lock for every frame it receives, is never kept waiting for a screen."""
        with self._condition:
            frame, index, received_at, cached = self._newest, self._newest_index, self._newest_at, self._image
        if frame is None:
            return None
        size = (frame.width, frame.height) if fit is None else fitted_size(frame.width, frame.height, fit)
        if cached is not None and cached.index == index and (cached.width, cached.height) == size:
            return cached
        if size == (frame.width, frame.height):
            converted = frame.reformat(format="rgb24")
        else:
            converted = frame.reformat(width=size[0], height=size[1], format="rgb24", interpolation="BILINEAR")
        rgb = np.ascontiguousarray(converted.to_ndarray(), dtype=np.uint8)
        image = RemoteImage(rgb, index, received_at)
        with self._condition:
            if self._newest is None:  # stopped meanwhile: the picture must not outlive the call
                return None
            if self._image is None or self._image.index <= index:
                self._image = image
                self._converted += 1
        return image

    # -- readers (event loop) ----------------------------------------------------------------

    async def _read_video(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.VideoFrame):
                    continue
                with self._condition:
                    self._newest = frame
                    self._newest_index = self._video_frames
                    self._newest_at = time.monotonic()
                    self._video_frames += 1
                    self._condition.notify_all()

    async def _read_audio(self, track: MediaStreamTrack) -> None:
        # Opus decodes to 48 kHz stereo; the speaker takes mono.
        resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
        index = 0
        with contextlib.suppress(MediaStreamError):
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.AudioFrame):
                    continue
                for block in resampler.resample(frame):
                    samples = np.ascontiguousarray(block.to_ndarray().reshape(-1), dtype=np.int16)
                    self.audio_output.play(PcmFrame(samples, index, time.monotonic()))
                    index += 1
                    with self._condition:
                        self._audio_frames += 1
                        self._audio_samples += len(samples)
