"""What every microphone driver shares: one capture thread and a short queue that drops the oldest.

The drivers differ in where sound comes from (a sound card, a tone generator); starting,
stopping and joining the thread, the bounded queue and waiting on it live here once, the
same way drivers/camera/capture.py does it for pictures.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import TYPE_CHECKING

from drivers.pcm import FRAME_SAMPLES, PcmFrame

if TYPE_CHECKING:
    from drivers.pcm import Samples

# 200 ms: enough to ride out a consumer's hiccup (or a sound card that hands over a whole
# ALSA period at once), little enough that a stalled call never plays old sound.
DEFAULT_QUEUE_FRAMES = 10


class AudioCapture:
    """Base of the microphone drivers. Subclasses implement `_run(stopping)`, calling
    `_publish()` with each FRAME_SAMPLES-long block, and may override `_on_start()`."""

    thread_name = "microphone"

    def __init__(self, queue_frames: int = DEFAULT_QUEUE_FRAMES) -> None:
        if queue_frames < 1:
            raise ValueError("the queue must hold at least one frame")
        self.queue_frames = queue_frames
        self._condition = threading.Condition()
        self._queue: deque[PcmFrame] = deque(maxlen=queue_frames)
        self._next_index = 0
        self._captured = 0
        self._dropped = 0
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def start(self) -> None:
        with self._condition:
            if self._thread is not None:
                return
            stopping = threading.Event()
            thread = threading.Thread(target=self._run, args=(stopping,), name=self.thread_name, daemon=True)
            self._stopping = stopping
            self._thread = thread
            self._next_index = 0
            self._on_start()
        thread.start()

    def stop(self) -> None:
        with self._condition:
            thread, self._thread = self._thread, None
            stopping = self._stopping
        if thread is not None:
            stopping.set()
            thread.join()
        with self._condition:
            self._queue.clear()
            self._on_stop()
            self._condition.notify_all()

    def read_frame(self, timeout: float = 0.0) -> PcmFrame | None:
        with self._condition:
            if timeout > 0:
                self._condition.wait_for(lambda: bool(self._queue), timeout)
            return self._queue.popleft() if self._queue else None

    def pending(self) -> int:
        with self._condition:
            return len(self._queue)

    def wait_for_captured(self, count: int, timeout: float = 1.0) -> bool:
        """True once `count` frames were captured since this driver was made; for tests
        and the technician's check, which must not sleep."""
        with self._condition:
            return self._condition.wait_for(lambda: self._captured >= count, timeout)

    @property
    def frames_captured(self) -> int:
        with self._condition:
            return self._captured

    @property
    def frames_dropped(self) -> int:
        """Frames pushed out of the full queue unread: how far behind the consumer fell."""
        with self._condition:
            return self._dropped

    @property
    def running(self) -> bool:
        with self._condition:
            return self._thread is not None

    # -- for subclasses ---------------------------------------------------------------------

    def _run(self, stopping: threading.Event) -> None:
        raise NotImplementedError

    def _on_start(self) -> None:
        """Reset what one run of the capture thread keeps (called with the condition held)."""

    def _on_stop(self) -> None:
        """Forget what the last run knew (called with the condition held)."""

    def _publish(self, samples: Samples, stopping: threading.Event) -> None:
        if len(samples) != FRAME_SAMPLES:
            raise ValueError(f"a microphone frame is {FRAME_SAMPLES} samples, not {len(samples)}")
        with self._condition:
            if stopping.is_set():
                return
            if len(self._queue) == self.queue_frames:
                self._dropped += 1
            self._queue.append(PcmFrame(samples, self._next_index, time.monotonic()))
            self._next_index += 1
            self._captured += 1
            self._on_publish()
            self._condition.notify_all()

    def _on_publish(self) -> None:
        """Note a delivered frame (called with the condition held)."""
