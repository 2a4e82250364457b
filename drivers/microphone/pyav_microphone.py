"""A real microphone through PyAV (FFmpeg's ALSA input): a USB or built-in sound card.

Everything that touches the device runs on the microphone's own thread: the ALSA capture is
opened, read and closed there, as the camera drivers do with theirs. FFmpeg hands over
whatever the card gives (its rate, its channels, an ALSA period at a time); an
AudioResampler turns that into the kiosk's one format, 48 kHz mono 16-bit in 20 ms frames.
A pulled USB microphone is not an exception for the call to handle: health turns MISSING
and the thread opens the device again every `reconnect_interval` until it is back or the
microphone is stopped. A read blocks for at most one ALSA period, so stop() returns within
tens of milliseconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import av
import av.error
import numpy as np

from drivers import alsa
from drivers.health import Health
from drivers.microphone.capture import DEFAULT_QUEUE_FRAMES, AudioCapture
from drivers.pcm import FRAME_SAMPLES, SAMPLE_RATE

log = logging.getLogger(__name__)

NO_DEVICE = "No microphone found"
NOT_CONNECTED = "Microphone not connected"


def cannot_open(device: str) -> str:
    return f"Microphone {device} cannot be opened"


class PyAVMicrophone(AudioCapture):
    """Implements `drivers.microphone.protocol.Microphone` with `av.open(device, format="alsa")`.

    `device` is an ALSA PCM name: "default", "plughw:CARD=Device,DEV=0" (a USB microphone by
    its card name, which survives re-plugging into another port), "hw:1,0".
    """

    thread_name = "microphone-pyav"

    def __init__(
        self,
        device: str = "default",
        queue_frames: int = DEFAULT_QUEUE_FRAMES,
        open_timeout: float = 3.0,
        read_timeout: float = 1.0,
        reconnect_interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not (open_timeout > 0 and read_timeout > 0 and reconnect_interval > 0):
            raise ValueError("timeouts and the reconnect interval must be more than 0")
        super().__init__(queue_frames)
        self.device = device
        self.open_timeout = open_timeout
        self.read_timeout = read_timeout
        self.reconnect_interval = reconnect_interval
        self._clock = clock
        self._started_at: float | None = None
        self._last_frame_at: float | None = None
        self._problem: str | None = None
        alsa.use_system_config()

    def health(self) -> Health:
        """OK while sound flows; MISSING when it does not, with the reason.

        While stopped (all day but during calls) the last known problem is reported, else
        whether the kernel lists any capture device at all.
        """
        with self._condition:
            now = self._clock()
            if self._thread is None or self._started_at is None:
                return Health.missing(self._problem) if self._problem else self._presence()
            if self._last_frame_at is not None and now - self._last_frame_at <= self.read_timeout:
                return Health.ok()
            if self._problem:
                return Health.missing(self._problem)
            if self._last_frame_at is not None:
                return Health.missing(NOT_CONNECTED)
            if now - self._started_at > self.open_timeout:
                return Health.missing(cannot_open(self.device))
            return self._presence()  # still opening

    def _presence(self) -> Health:
        return Health.ok() if alsa.has_device("capture") else Health.missing(NO_DEVICE)

    def _on_start(self) -> None:
        self._started_at = self._clock()
        self._last_frame_at = None
        self._problem = None

    def _on_stop(self) -> None:
        self._started_at = None

    def _on_publish(self) -> None:
        self._last_frame_at = self._clock()
        self._problem = None

    # -- capture thread -----------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                self._capture(stopping)
            except (av.error.FFmpegError, OSError) as exc:
                log.warning("microphone %s: %s", self.device, exc)
                with self._condition:
                    self._problem = cannot_open(self.device) if self._last_frame_at is None else NOT_CONNECTED
                    self._condition.notify_all()
            stopping.wait(self.reconnect_interval)

    def _capture(self, stopping: threading.Event) -> None:
        # Asking for 48 kHz mono lets ALSA's plug layer convert when the card can; the
        # resampler covers a card ("hw:…") that insists on its own rate or channels.
        container = av.open(self.device, format="alsa", options={"sample_rate": str(SAMPLE_RATE), "channels": "1"})
        try:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE, frame_size=FRAME_SAMPLES)
            for packet in container.demux(stream):
                if stopping.is_set():
                    return
                for frame in packet.decode():
                    for block in resampler.resample(frame):
                        samples = np.ascontiguousarray(block.to_ndarray().reshape(-1), dtype=np.int16)
                        if len(samples) == FRAME_SAMPLES:
                            self._publish(samples, stopping)
        finally:
            container.close()
