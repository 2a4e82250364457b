"""Call media between two aiortc peers in one process: how soon and how smoothly it flows.

The kiosk end sends the simulated camera (synthetic desk, --width×--height at 30 fps) at
--fps and a 440 Hz tone from the simulated microphone; the far end takes both with
RemoteMedia, as the kiosk takes the caseworker's. Measures: time from the offer to the
first decoded picture and the first sound, received frames per second and audio samples
per second over --seconds, whether the tone survived Opus, how old the newest picture is
when a 30 Hz screen pulls it, and the process's CPU time per second of call (both ends,
encode and decode).
Host candidates only, no STUN (FIELD-NOTES.md, WebRTC).

Run: .venv/bin/python benchmarks/call_media.py [--seconds 10] [--width 640 --height 480 --fps 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable

from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import MediaStreamTrack

from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.camera.simulator import SimulatedCamera
from drivers.microphone.simulator import SimulatedMicrophone
from drivers.pcm import SAMPLE_RATE
from kiosk.call.media import CameraVideoTrack, MicrophoneAudioTrack, RemoteMedia


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise TimeoutError
        await asyncio.sleep(0.002)
    return time.monotonic()


async def measure(args: argparse.Namespace) -> None:
    camera = SimulatedCamera(width=args.width, height=args.height, fps=30.0)
    microphone = SimulatedMicrophone(frequency=440.0)
    output = RecordingAudioOutput()
    camera.start()
    microphone.start()
    output.start()
    kiosk = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    far = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    remote = RemoteMedia(output)

    @far.on("track")
    def on_track(track: MediaStreamTrack) -> None:
        remote.add_track(track)

    video = CameraVideoTrack(camera, fps=args.fps)
    kiosk.addTrack(video)
    kiosk.addTrack(MicrophoneAudioTrack(microphone))
    try:
        began = time.monotonic()
        await kiosk.setLocalDescription(await kiosk.createOffer())
        await far.setRemoteDescription(kiosk.localDescription)
        await far.setLocalDescription(await far.createAnswer())
        await kiosk.setRemoteDescription(far.localDescription)
        first_picture = await until(lambda: remote.stats.video_frames > 0) - began
        first_sound = await until(lambda: output.samples_played > 0) - began

        await asyncio.sleep(1.0)  # past the encoders' start-up
        start_stats, start_samples = remote.stats, output.samples_played
        window_began, cpu_window = time.monotonic(), time.process_time()
        lateness: list[float] = []
        seen = -1
        while time.monotonic() - window_began < args.seconds:
            image = remote.latest_image()  # what a 30 Hz screen would pull
            if image is not None and image.index != seen:
                seen = image.index
                lateness.append(time.monotonic() - image.received_at)
            await asyncio.sleep(1 / 30)
        elapsed = time.monotonic() - window_began
        cpu = (time.process_time() - cpu_window) / elapsed
        stats = remote.stats
        fps = (stats.video_frames - start_stats.video_frames) / elapsed
        samples_per_second = (output.samples_played - start_samples) / elapsed
        tone = output.dominant_frequency(0.5)
        image = remote.latest_image()
    finally:
        await remote.stop()
        await kiosk.close()
        await far.close()
        camera.stop()
        microphone.stop()
        output.stop()

    size = f"{image.width}×{image.height}" if image else "none"
    print(f"setup                        : {args.width}×{args.height} camera, {args.fps:g} fps sent, VP8 + Opus")
    print(f"first decoded picture        : {first_picture * 1000:6.0f} ms after the offer began")
    print(f"first sound at the far end   : {first_sound * 1000:6.0f} ms")
    print(f"pictures received            : {fps:6.1f} per second ({size}; target {args.fps:g})")
    print(f"sound received               : {samples_per_second / SAMPLE_RATE * 100:6.1f} % of real time")
    print(f"tone at the far end          : {tone:6.1f} Hz (sent 440 Hz)")
    if lateness:
        print(f"picture age when pulled      : mean {statistics.mean(lateness) * 1000:4.1f} ms")
    print(f"CPU, both ends               : {cpu * 100:6.1f} % of one core")
    print(f"black frames sent            : {video.black_frames}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=float, default=15.0)
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
