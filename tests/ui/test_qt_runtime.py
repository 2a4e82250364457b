"""Guards against known faults in the Qt binding itself, which would crash a kiosk in use."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    happened = Signal(object)


def test_emitting_a_signal_keeps_reference_counts_intact() -> None:
    """PySide6 6.12.0 drops a reference to True on each emit: at 30 preview frames a
    second, Python's True is freed within minutes and the process aborts."""
    emitter = Emitter()
    emitter.happened.connect(lambda _value: None)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(100):
        emitter.happened.emit(1)
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
