"""Audio output drivers the registry can build, with their options; imports no driver until used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.options import DriverFactory, Flag, Number, Text

if TYPE_CHECKING:
    from drivers.audio_output.pyav_output import PyAVAudioOutput
    from drivers.audio_output.recorder import RecordingAudioOutput
    from drivers.unavailable import UnavailableAudioOutput

# Loud enough in a town hall, with headroom so a shouting caseworker does not clip.
_VOLUME = Number(0.8, 0.0, 1.0)


def _pyav(device: str, volume: float) -> PyAVAudioOutput:
    from drivers.audio_output.pyav_output import PyAVAudioOutput

    return PyAVAudioOutput(device=device, volume=volume)


def _simulated(volume: float, present: bool) -> RecordingAudioOutput:
    from drivers.audio_output.recorder import RecordingAudioOutput

    return RecordingAudioOutput(volume=volume, present=present)


def _none() -> UnavailableAudioOutput:
    from drivers.unavailable import UnavailableAudioOutput

    return UnavailableAudioOutput("No speaker configured")


pyav = DriverFactory(
    _pyav,
    {
        "device": Text("default", hint="an ALSA device name such as 'default' or 'plughw:CARD=Device,DEV=0'"),
        "volume": _VOLUME,
    },
)
simulated = DriverFactory(_simulated, {"volume": _VOLUME, "present": Flag(True)})
none = DriverFactory(_none)
