"""A real speaker through PyAV (FFmpeg's ALSA output): the kiosk's built-in or USB speaker.

Chosen over an `aplay` child process because PyAV is already there for the call (aiortc
needs it) and needs no extra Debian package or sound daemon. The device is opened, written
and closed on the output's own thread; play() only queues. Frames are written as they
come, in real time, so ALSA's buffer never holds more than the last few frames: latency
stays low, and when the network starves the queue ALSA plays silence (an underrun, which
FFmpeg recovers from) instead of the queue filling with stale sound.
"""

from __future__ import annotations

import fractions
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

import av
import av.error

from drivers import alsa, pcm
from drivers.health import Health
from drivers.pcm import SAMPLE_RATE, PcmFrame

log = logging.getLogger(__name__)

NO_DEVICE = "No speaker found"
NOT_CONNECTED = "Speaker not connected"
DEFAULT_QUEUE_FRAMES = 10  # 200 ms, as for the microphone
_WAKE = 0.1  # seconds: how often an idle writer looks at the stop event


def cannot_open(device: str) -> str:
    return f"Speaker {device} cannot be opened"


class PyAVAudioOutput:
    """Implements `drivers.audio_output.protocol.AudioOutput` with `av.open(device, "w", format="alsa")`.

    `device` is an ALSA PCM name, as for the microphone ("default", "plughw:CARD=…,DEV=0").
    """

    thread_name = "audio-output-pyav"

    def __init__(
        self,
        device: str = "default",
        volume: float = 1.0,
        queue_frames: int = DEFAULT_QUEUE_FRAMES,
        reconnect_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if queue_frames < 1 or not reconnect_interval > 0:
            raise ValueError("the queue must hold a frame and the reconnect interval be more than 0")
        self.device = device
        self.reconnect_interval = reconnect_interval
        self._volume = pcm.checked_volume(volume)
        self._clock = clock
        self._condition = threading.Condition()
        self._queue: deque[PcmFrame] = deque(maxlen=queue_frames)
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._opened = False
        self._problem: str | None = None
        self._written = 0
        self._dropped = 0
        alsa.use_system_config()

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = pcm.checked_volume(value)

    def health(self) -> Health:
        """OK while the device is open; MISSING with the reason when it cannot be; while
        stopped, the last problem or whether the kernel lists any playback device."""
        with self._condition:
            if self._problem:
                return Health.missing(self._problem)
            if self._thread is not None and self._opened:
                return Health.ok()
            return Health.ok() if alsa.has_device("playback") else Health.missing(NO_DEVICE)

    def start(self) -> None:
        with self._condition:
            if self._thread is not None:
                return
            stopping = threading.Event()
            thread = threading.Thread(target=self._run, args=(stopping,), name=self.thread_name, daemon=True)
            self._stopping = stopping
            self._thread = thread
            self._opened = False
            self._problem = None
        thread.start()

    def stop(self) -> None:
        with self._condition:
            thread, self._thread = self._thread, None
            stopping = self._stopping
            stopping.set()
            self._queue.clear()
            self._condition.notify_all()
        if thread is not None:
            thread.join()
        with self._condition:
            self._queue.clear()
            self._opened = False

    def play(self, frame: PcmFrame) -> None:
        with self._condition:
            if self._thread is None:
                return
            if len(self._queue) == self._queue.maxlen:
                self._dropped += 1
            self._queue.append(frame)
            self._condition.notify_all()

    @property
    def frames_written(self) -> int:
        with self._condition:
            return self._written

    @property
    def frames_dropped(self) -> int:
        with self._condition:
            return self._dropped

    def wait_for_written(self, count: int, timeout: float = 1.0) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: self._written >= count, timeout)

    # -- writer thread ------------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self._write(stopping)
            except (av.error.FFmpegError, OSError) as exc:
                log.warning("speaker %s: %s", self.device, exc)
                with self._condition:
                    self._problem = NOT_CONNECTED if self._opened else cannot_open(self.device)
                    self._opened = False
                    self._condition.notify_all()
            stopping.wait(self.reconnect_interval)

    def _write(self, stopping: threading.Event) -> None:
        container = av.open(self.device, mode="w", format="alsa")
        try:
            stream = container.add_stream("pcm_s16le", rate=SAMPLE_RATE, layout="mono")
            container.start_encoding()  # opens the ALSA device now, not at the first frame
            with self._condition:
                self._opened = True
                self._problem = None
                self._condition.notify_all()
            position = 0
            while True:
                with self._condition:
                    self._condition.wait_for(lambda: bool(self._queue) or stopping.is_set(), _WAKE)
                    if stopping.is_set():
                        return
                    if not self._queue:
                        continue
                    frame = self._queue.popleft()
                samples = pcm.scaled(frame.samples, self._volume)
                out = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
                out.sample_rate = SAMPLE_RATE
                out.pts = position
                out.time_base = fractions.Fraction(1, SAMPLE_RATE)
                position += len(samples)
                for packet in stream.encode(out):
                    container.mux(packet)
                with self._condition:
                    self._written += 1
                    self._condition.notify_all()
        finally:
            container.close()
