"""Microphone drivers the registry can build, with their options; imports no driver until used.

Nothing here imports av or numpy: checking a config must stay cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import DriverFactory, Flag, Number, Text

if TYPE_CHECKING:
    from drivers.microphone.pyav_microphone import PyAVMicrophone
    from drivers.microphone.simulator import SimulatedMicrophone
    from drivers.unavailable import UnavailableMicrophone


def _pyav(device: str) -> PyAVMicrophone:
    from drivers.microphone.pyav_microphone import PyAVMicrophone

    return PyAVMicrophone(device=device)


def _simulated(frequency: float, level: float, present: bool) -> SimulatedMicrophone:
    from drivers.microphone.simulator import SimulatedMicrophone

    return SimulatedMicrophone(frequency=frequency, level=level, present=present)


def _none() -> UnavailableMicrophone:
    from drivers.unavailable import UnavailableMicrophone

    return UnavailableMicrophone("No microphone configured")


pyav = DriverFactory(
    _pyav,
    {
        "device": Text("default", hint="an ALSA device name such as 'default' or 'plughw:CARD=Device,DEV=0'"),
    },
)
simulated = DriverFactory(
    _simulated,
    {
        # 440 Hz (concert A): clearly a test tone to a caseworker, easy to find in a spectrum.
        "frequency": Number(440.0, 0.0, 20_000.0),
        "level": Number(0.3, 0.0, 1.0),
        "present": Flag(True),
    },
)
none = DriverFactory(_none)
