"""Two aiortc peers in one process, as the kiosk and a caseworker's browser would be.

No STUN or TURN: both ends offer host candidates only. aioice does not offer 127.0.0.1, so
the two meet on the machine's own network address (FIELD-NOTES.md, WebRTC).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack

from drivers.audio_output.recorder import RecordingAudioOutput
from kiosk.call.media import RemoteMedia

TIMEOUT = 10.0  # generous for a loaded CI machine; a healthy run takes well under a second


async def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> float:
    """Seconds until `condition` held (checked every 10 ms on the event loop); fails after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)
    return time.monotonic() - started


@dataclass
class Side:
    """One end of the call: its connection, what it hears and sees, and the tracks it got."""

    pc: RTCPeerConnection
    output: RecordingAudioOutput
    remote: RemoteMedia
    received: list[MediaStreamTrack] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return sorted(track.kind for track in self.received)


def _side() -> Side:
    output = RecordingAudioOutput()
    output.start()
    side = Side(RTCPeerConnection(RTCConfiguration(iceServers=[])), output, RemoteMedia(output))

    @side.pc.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        side.received.append(track)
        side.remote.add_track(track)

    return side


@contextlib.asynccontextmanager
async def call(
    kiosk_sends: Sequence[MediaStreamTrack], far_sends: Sequence[MediaStreamTrack] = ()
) -> AsyncIterator[tuple[Side, Side]]:
    """The kiosk offers its tracks; the far end answers, sending its own on the same m-lines."""
    kiosk, far = _side(), _side()
    try:
        for track in kiosk_sends:
            kiosk.pc.addTrack(track)
        await kiosk.pc.setLocalDescription(await kiosk.pc.createOffer())
        await far.pc.setRemoteDescription(kiosk.pc.localDescription)
        for track in far_sends:
            far.pc.addTrack(track)
        await far.pc.setLocalDescription(await far.pc.createAnswer())
        await kiosk.pc.setRemoteDescription(far.pc.localDescription)
        yield kiosk, far
    finally:
        for side in (kiosk, far):
            await side.remote.stop()
            await side.pc.close()
            side.output.stop()
