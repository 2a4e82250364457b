"""What every camera driver shares: one capture thread, and only the newest frame kept.

The drivers differ in where frames come from (a device, a file, a synthetic scene); how a
capture thread is started, stopped and joined, how the newest frame is handed out and
waited for, is the same for all and lives here once.
"""

from __future__ import annotations

import threading

from drivers.camera.protocol import Frame


class CaptureThread:
    """Base of the camera drivers. Subclasses implement `_run(stopping)` and may override
    `_on_start()` (reset per-run state) and `_current()` (which frame counts as newest)."""

    thread_name = "camera"

    def __init__(self, width: int, height: int, fps: float) -> None:
        if width < 1 or height < 1:
            raise ValueError("width and height must be at least 1 pixel")
        if not fps > 0:
            raise ValueError("fps must be more than 0")
        self.width = width
        self.height = height
        self.fps = fps
        self._condition = threading.Condition()
        self._latest: Frame | None = None
        self._next_index = 0  # index of the next frame; restarts at start()
        self._delivered = 0
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
        """Stop the capture thread and forget the last frame.

        The frame may show a citizen's face or document; it must not outlive the screen
        that needed it.
        """
        with self._condition:
            thread, self._thread = self._thread, None
            stopping = self._stopping
        if thread is not None:
            stopping.set()
            thread.join()
        with self._condition:
            self._latest = None
            self._on_stop()
            self._condition.notify_all()

    def latest_frame(self) -> Frame | None:
        with self._condition:
            return self._current()

    def wait_for_frame(self, after_index: int = -1, timeout: float = 1.0) -> Frame | None:
        """The newest frame once its index is above `after_index`, or None after `timeout`.

        With the default, any frame (waiting only for the first). Tests pass a frame's index
        (or what a simulator's fault switch returned) to see a change without sleeping.
        """
        with self._condition:
            self._condition.wait_for(lambda: self._newer_than(after_index), timeout)
            return self._current() if self._newer_than(after_index) else None

    @property
    def frames_delivered(self) -> int:
        """Frames published since this camera was made (over every start)."""
        with self._condition:
            return self._delivered

    @property
    def running(self) -> bool:
        with self._condition:
            return self._thread is not None

    # -- for subclasses (called with the condition held) ----------------------------------
    def _run(self, stopping: threading.Event) -> None:
        raise NotImplementedError

    def _on_start(self) -> None:
        """Reset what one run of the capture thread keeps."""

    def _on_stop(self) -> None:
        """Forget what the last run knew."""

    def _current(self) -> Frame | None:
        return self._latest

    def _newer_than(self, after_index: int) -> bool:
        latest = self._current()
        return latest is not None and latest.index > after_index
