"""The call's media between two real aiortc peers: picture and tone each way, newest-frame
behaviour, and the fallbacks when the camera or the microphone is not there."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from aiortc.mediastreams import VIDEO_CLOCK_RATE

from drivers.camera.simulator import SimulatedCamera
from drivers.health import HealthState
from drivers.microphone.simulator import SimulatedMicrophone
from drivers.pcm import SAMPLE_RATE
from drivers.unavailable import UnavailableAudioOutput, UnavailableCamera, UnavailableMicrophone
from kiosk.call.media import (
    MAX_AUDIO_BACKLOG,
    CameraVideoTrack,
    MicrophoneAudioTrack,
    RemoteMedia,
    RemoteMediaStats,
    fitted_size,
    video_available,
)
from tests.call.call_peers import TIMEOUT, call, wait_until

KIOSK_TONE = 440.0
CASEWORKER_TONE = 880.0
# Opus at 20 ms frames keeps a steady tone's pitch; the estimate itself is good to ~1 Hz.
PITCH_TOLERANCE = 5.0
HALF_A_SECOND = SAMPLE_RATE // 2


@pytest.fixture
def two_colour_picture(tmp_path: Path) -> str:
    """A 320×240 picture, red on the left and blue on the right: a far end that sees these
    where they belong sees the kiosk's camera, in the right colour order."""
    image = np.zeros((240, 320, 3), np.uint8)
    image[:, :160] = (0, 0, 255)  # BGR red
    image[:, 160:] = (255, 0, 0)  # BGR blue
    path = tmp_path / "two-colours.png"
    cv2.imwrite(str(path), image)
    return str(path)


@pytest.fixture
def kiosk_camera(two_colour_picture: str):
    camera = SimulatedCamera(width=320, height=240, fps=30.0, source=two_colour_picture)
    camera.start()
    yield camera
    camera.stop()


@pytest.fixture
def kiosk_microphone():
    microphone = SimulatedMicrophone(frequency=KIOSK_TONE)
    microphone.start()
    yield microphone
    microphone.stop()


@pytest.fixture
def caseworker_microphone():
    microphone = SimulatedMicrophone(frequency=CASEWORKER_TONE, level=0.5)
    microphone.start()
    yield microphone
    microphone.stop()


def mean_rgb(region: np.ndarray) -> tuple[float, float, float]:
    red, green, blue = region.reshape(-1, 3).mean(axis=0)
    return float(red), float(green), float(blue)


def test_a_call_carries_the_camera_picture_and_the_tones_both_ways(
    kiosk_camera, kiosk_microphone, caseworker_microphone
):
    async def scenario() -> None:
        video = CameraVideoTrack(kiosk_camera, fps=30.0)
        audio = MicrophoneAudioTrack(kiosk_microphone)
        async with call([video, audio], [MicrophoneAudioTrack(caseworker_microphone)]) as (kiosk, far):
            await wait_until(lambda: far.remote.stats.video_frames >= 10, "ten frames at the far end")
            await wait_until(lambda: far.output.samples_played >= 2 * HALF_A_SECOND, "the kiosk's tone")
            await wait_until(lambda: kiosk.output.samples_played >= 2 * HALF_A_SECOND, "the caseworker's tone")

            image = far.remote.latest_image()
            assert image is not None
            assert (image.width, image.height) == (320, 240)
            assert image.rgb.dtype == np.uint8 and image.rgb.flags.c_contiguous
            left_red, left_green, left_blue = mean_rgb(image.rgb[40:200, 20:140])
            right_red, right_green, right_blue = mean_rgb(image.rgb[40:200, 180:300])
            assert left_red > 200 and left_green < 50 and left_blue < 50, "left half should be red"
            assert right_blue > 200 and right_red < 50 and right_green < 50, "right half should be blue"
            # A screen gets the picture at the size it paints, keeping its shape, scaled with the colours.
            fitted = far.remote.latest_image(fit=(160, 200))
            assert fitted is not None and (fitted.width, fitted.height) == (160, 120)
            assert mean_rgb(fitted.rgb[20:100, 10:70])[0] > 200 and mean_rgb(fitted.rgb[20:100, 90:150])[2] > 200

            assert far.output.dominant_frequency(0.5) == pytest.approx(KIOSK_TONE, abs=PITCH_TOLERANCE)
            assert kiosk.output.dominant_frequency(0.5) == pytest.approx(CASEWORKER_TONE, abs=PITCH_TOLERANCE)
            # 0.3 and 0.5 peak sines: RMS 0.21 and 0.35, kept within a decibel or so through Opus.
            assert far.output.level(0.5) == pytest.approx(0.3 / np.sqrt(2), rel=0.15)
            assert kiosk.output.level(0.5) == pytest.approx(0.5 / np.sqrt(2), rel=0.15)

            # The screen's thread waits for the next picture without polling.
            newer = await asyncio.to_thread(far.remote.wait_for_image, image.index, TIMEOUT)
            assert newer is not None and newer.index > image.index

            assert far.kinds() == ["audio", "video"]
            assert kiosk.kinds() == ["audio"]
            assert kiosk.remote.latest_image() is None  # the caseworker sent no video here
            assert audio.silent_frames < audio.frames_sent / 4  # the microphone kept up with the clock
            assert video.black_frames == 0

    asyncio.run(scenario())


def test_volume_of_the_audio_output_applies_to_the_far_ends_voice(caseworker_microphone):
    async def scenario() -> None:
        silent_kiosk = SimulatedMicrophone(frequency=0.0)
        async with call([MicrophoneAudioTrack(silent_kiosk)], [MicrophoneAudioTrack(caseworker_microphone)]) as (
            kiosk,
            _,
        ):
            await wait_until(lambda: kiosk.output.samples_played >= 2 * HALF_A_SECOND, "the caseworker's tone")
            loud = kiosk.output.level(0.3)
            kiosk.output.volume = 0.25
            heard = kiosk.output.samples_played
            await wait_until(lambda: kiosk.output.samples_played >= heard + HALF_A_SECOND, "more of the tone")
            assert kiosk.output.level(0.3) == pytest.approx(loud * 0.25, rel=0.1)
            assert kiosk.output.dominant_frequency(0.3) == pytest.approx(CASEWORKER_TONE, abs=PITCH_TOLERANCE)

    asyncio.run(scenario())


def test_the_track_sends_the_newest_camera_frame_not_the_next_one():
    camera = SimulatedCamera(width=64, height=48, fps=200.0)
    camera.start()
    try:

        async def scenario() -> None:
            track = CameraVideoTrack(camera, fps=30.0)
            first = await track.recv()
            assert (first.width, first.height) == (64, 48)
            sent = track.last_sent_index
            # A slow encoder: the camera runs on for a dozen frames before the next recv().
            assert camera.wait_for_frame(after_index=sent + 12, timeout=TIMEOUT) is not None
            second = await track.recv()
            assert track.last_sent_index >= sent + 12  # skipped ahead; no backlog was kept
            assert second.pts > first.pts
            assert second.time_base == first.time_base
            track.stop()

        asyncio.run(scenario())
    finally:
        camera.stop()


def test_a_frame_is_timestamped_when_it_was_taken_not_when_it_was_due():
    """The far end's jitter buffer reads timestamps against arrival: a tick the busy event loop
    served late must not look like network jitter, so the timestamp says when the frame was taken."""
    camera = SimulatedCamera(width=64, height=48, fps=200.0)
    camera.start()
    try:

        async def scenario() -> None:
            track = CameraVideoTrack(camera, fps=30.0)
            first = await track.recv()
            time.sleep(0.07)  # the loop busy past the next deadline (33 ms), not long enough to skip one
            second = await track.recv()
            third = await track.recv()  # its deadline (67 ms) has passed too: taken at once
            assert (second.pts - first.pts) / VIDEO_CLOCK_RATE >= 0.07
            assert 0 < (third.pts - second.pts) / VIDEO_CLOCK_RATE < 0.02
            track.stop()

        asyncio.run(scenario())
    finally:
        camera.stop()


def test_a_screen_that_never_looks_does_not_make_received_video_pile_up(kiosk_camera, kiosk_microphone):
    async def scenario() -> None:
        async with call([CameraVideoTrack(kiosk_camera, fps=30.0)]) as (_, far):
            await wait_until(lambda: far.remote.stats.video_frames >= 1, "the first frame")
            (track,) = far.received
            backlog = []
            start = far.remote.stats.video_frames
            while far.remote.stats.video_frames < start + 30:  # a second of video nobody shows
                # aiortc's remote track queues every decoded frame without limit; RemoteMedia
                # must keep taking them. (Its queue is private: measured, not relied on.)
                backlog.append(track._queue.qsize())  # type: ignore[attr-defined]
                await asyncio.sleep(0.02)
            assert max(backlog) <= 5, backlog  # a frame or two in flight; a pile-up would be ~30
            stats = far.remote.stats
            assert stats.images_converted == 0  # nothing converted for a screen that did not ask
            image = far.remote.latest_image()
            assert image is not None and image.index >= stats.video_frames - 1
            assert far.remote.latest_image() is image  # asked twice, converted once
            assert far.remote.stats.images_converted == 1

    asyncio.run(scenario())


@pytest.mark.parametrize("camera", [SimulatedCamera(present=False), UnavailableCamera()], ids=["unplugged", "none"])
def test_without_a_camera_the_call_is_audio_only(camera, kiosk_microphone):
    assert not video_available(camera)

    async def scenario() -> None:
        sends = [MicrophoneAudioTrack(kiosk_microphone)]
        if video_available(camera):
            sends.append(CameraVideoTrack(camera))
        async with call(sends) as (_, far):
            await wait_until(lambda: far.output.samples_played >= 2 * HALF_A_SECOND, "the kiosk's tone")
            assert far.kinds() == ["audio"]
            assert far.output.dominant_frequency(0.5) == pytest.approx(KIOSK_TONE, abs=PITCH_TOLERANCE)
            assert far.remote.latest_image() is None
            assert far.remote.stats.video_frames == 0

    asyncio.run(scenario())


def test_a_camera_lost_mid_call_turns_the_picture_black(kiosk_camera):
    async def scenario() -> None:
        video = CameraVideoTrack(kiosk_camera, fps=30.0)
        async with call([video]) as (_, far):
            await wait_until(lambda: far.remote.stats.video_frames >= 5, "the picture")
            image = far.remote.latest_image()
            assert image is not None and image.rgb.mean() > 50
            kiosk_camera.unplug()

            def black() -> bool:
                newest = far.remote.latest_image()
                return newest is not None and newest.rgb.mean() < 8

            await wait_until(black, "a black picture")
            assert video.black_frames > 0
            newest = far.remote.latest_image()
            assert newest is not None and (newest.width, newest.height) == (320, 240)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    "microphone", [SimulatedMicrophone(present=False), UnavailableMicrophone()], ids=["unplugged", "none"]
)
def test_without_a_microphone_health_says_so_and_the_far_end_hears_silence(microphone):
    assert microphone.health().state is HealthState.MISSING

    async def scenario() -> None:
        audio = MicrophoneAudioTrack(microphone)
        async with call([audio]) as (_, far):
            await wait_until(lambda: far.output.samples_played >= 2 * HALF_A_SECOND, "a second of sound")
            assert far.output.level(0.5) < 0.001
            assert audio.silent_frames == audio.frames_sent

    microphone.start()
    try:
        asyncio.run(scenario())
    finally:
        microphone.stop()


def test_a_failing_microphone_is_reported_and_a_recovered_one_is_heard():
    microphone = SimulatedMicrophone(frequency=KIOSK_TONE)
    microphone.fail()
    assert microphone.health().state is HealthState.FAILED
    microphone.start()
    try:

        async def scenario() -> None:
            audio = MicrophoneAudioTrack(microphone)
            async with call([audio]) as (_, far):
                await wait_until(lambda: far.output.samples_played >= HALF_A_SECOND, "sound")
                assert far.output.level(0.3) < 0.001
                microphone.fail(False)
                heard = far.output.samples_played
                await wait_until(lambda: far.output.samples_played >= heard + 2 * HALF_A_SECOND, "more sound")
                assert far.output.dominant_frequency(0.5) == pytest.approx(KIOSK_TONE, abs=PITCH_TOLERANCE)

        asyncio.run(scenario())
    finally:
        microphone.stop()


def test_the_audio_track_keeps_latency_low_when_the_microphone_ran_ahead():
    microphone = SimulatedMicrophone(frequency=KIOSK_TONE)
    microphone.start()
    try:
        # Nobody read for a while: the microphone's queue is full (200 ms of old sound).
        assert microphone.wait_for_captured(microphone.queue_frames + 2, timeout=TIMEOUT)
        assert microphone.pending() == microphone.queue_frames

        async def scenario() -> None:
            track = MicrophoneAudioTrack(microphone)
            frame = await track.recv()
            assert (frame.sample_rate, frame.samples, frame.pts) == (SAMPLE_RATE, 960, 0)
            assert microphone.pending() <= 1  # the first frame sent is what is said now
            assert track.frames_dropped >= microphone.queue_frames - 2
            for _ in range(5):
                frame = await track.recv()
                assert microphone.pending() <= MAX_AUDIO_BACKLOG
            assert frame.pts == 5 * 960  # timestamps count samples
            track.stop()

        asyncio.run(scenario())
    finally:
        microphone.stop()


def test_remote_media_stops_cleanly_and_forgets_the_picture(kiosk_camera):
    async def scenario() -> None:
        async with call([CameraVideoTrack(kiosk_camera, fps=30.0)]) as (_, far):
            await wait_until(lambda: far.remote.stats.video_frames >= 2, "the picture")
            assert far.remote.latest_image() is not None
            await far.remote.stop()
            assert far.remote.latest_image() is None
            assert far.remote.wait_for_image(timeout=0.01) is None
            with pytest.raises(RuntimeError):
                far.remote.add_track(far.received[0])
        # After both peers closed, nothing of the call is left running on the loop.
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(scenario())


def test_remote_media_ignores_a_kind_it_does_not_know():
    class DataTrack(CameraVideoTrack):
        kind = "data"

    async def scenario() -> None:
        remote = RemoteMedia(UnavailableAudioOutput())
        remote.add_track(DataTrack(UnavailableCamera()))
        await remote.stop()
        assert remote.stats == RemoteMediaStats(0, 0, 0, 0)

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("frame", "box", "fitted"),
    [
        ((640, 480), (1016, 1387), (1016, 762)),
        ((640, 480), (240, 180), (240, 180)),
        ((1280, 720), (1017, 999), (1016, 572)),
        ((640, 480), (1, 1), (2, 2)),
    ],
)
def test_a_picture_fits_its_box_in_even_pixels(
    frame: tuple[int, int], box: tuple[int, int], fitted: tuple[int, int]
) -> None:
    assert fitted_size(*frame, box) == fitted
