"""The self-test's device checks: camera, card reader, printer, speech, microphone, speaker.

Each asks the driver the kiosk would use, through its public protocol, and turns what it
says into a line a technician acts on: a figure when it works ("1280x720, sharpness 190"),
the driver's reason and the fix when it does not. A device configured as "none" is fine
unless a task on the menu needs it; speech switched off is a warning, because citizens who
cannot read the screen depend on it (EN 301 549 §5.1.3).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from drivers.health import Health, HealthState
from provisioning.selftest import CheckResult, SelftestContext, failed, ok, warning

SPOKEN = {
    "nl": "Dit is een test van de spraak van de kiosk.",
    "en": "This is a test of the kiosk's voice.",
}
TONE_SECONDS = 0.5
# A sound device the kernel does not list: no card, or one this user may not open.
SOUND_HINT = " (plug it in; `arecord -l` and `aplay -l` list the sound cards; the kiosk user needs group audio)"


def _not_configured(context: SelftestContext, device: str) -> CheckResult:
    from kiosk.tasks import TASKS

    context.health[device] = context.driver(device).health()
    needing = [task for task in context.config.device.tasks if device in TASKS[task].needs]
    if needing:
        return warning(
            device,
            f'not configured (driver "none"), but {", ".join(needing)} on the menu needs it: that task is not offered',
        )
    return ok(device, 'not configured (driver "none")')


# -- camera ------------------------------------------------------------------------------------------


def check_camera(context: SelftestContext) -> CheckResult:
    from drivers.camera.picture_quality import measure

    choice = context.config.hardware.camera
    if choice.driver == "none":
        return _not_configured(context, "camera")
    if choice.driver == "opencv":
        from drivers.camera.preview import quiet_opencv_logging

        quiet_opencv_logging()  # the check's one line says it; OpenCV's warnings would bury it
    camera = context.driver("camera")
    source = str(getattr(camera, "source", "") or "")
    before = camera.health()
    context.health["camera"] = before
    if before.state is HealthState.MISSING:
        return failed("camera", _with_detect_hint(before.reason))
    timeout = float(getattr(camera, "open_timeout", 5.0)) + float(getattr(camera, "read_timeout", 2.0))
    camera.start()
    try:
        frame = _first_frame(camera, timeout)
        after = camera.health()
    finally:
        camera.stop()
    context.health["camera"] = after
    if frame is None:
        return failed("camera", f"no picture within {timeout:.0f} s: {after.reason or 'no reason given'}")
    quality = measure(frame.image)
    what = "simulated" if choice.driver == "simulated" else source
    figures = (
        f"{what} {frame.width}x{frame.height}, sharpness {quality.sharpness:.0f}, brightness {quality.brightness:.0f}"
    )
    if quality.black:
        return failed("camera", f"{figures}: {quality.advice()}")
    if not after.usable:
        return failed("camera", f"{figures}: {after.reason}")
    advice = quality.advice()
    return warning("camera", f"{figures}: {advice}") if advice else ok("camera", figures)


def _with_detect_hint(reason: str) -> str:
    """The driver's reason, pointing at `detect` unless it already names its fix."""
    return reason if "(" in reason else f"{reason} (`balie provision detect` lists cameras)"


def _first_frame(camera: Any, timeout: float) -> Any:
    wait = getattr(camera, "wait_for_frame", None)
    if wait is not None:
        return wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while (frame := camera.latest_frame()) is None and time.monotonic() < deadline:
        pause.wait(0.05)  # a driver without a frame signal: look again, briefly
    return frame


# -- card reader -------------------------------------------------------------------------------------


def check_cardreader(context: SelftestContext) -> CheckResult:
    choice = context.config.hardware.cardreader
    if choice.driver == "none":
        return _not_configured(context, "cardreader")
    reader = context.driver("cardreader")
    health = reader.health()
    context.health["cardreader"] = health
    if not health.usable:
        hint = ""
        if "service" in health.reason.lower():
            hint = " (apt-get install pcscd; systemctl enable --now pcscd.socket)"
        elif health.state is HealthState.MISSING and choice.driver == "pcsc":
            hint = " (plug it in; `balie provision detect` lists the readers pcscd sees)"
        return failed("cardreader", health.reason + hint)
    what = "simulated reader" if choice.driver == "simulated" else "reader ready"
    pattern = str(choice.options.get("reader", "") or "")
    if pattern:
        what += f" ({pattern})"
    atr = reader.atr()
    if atr:
        return ok("cardreader", f"{what}; card on it, ATR {atr.hex(' ').upper()}")
    return ok("cardreader", f"{what}; no card on it")


# -- printer -----------------------------------------------------------------------------------------


def check_printer(context: SelftestContext) -> CheckResult:
    from drivers.printer.protocol import PrinterError
    from drivers.printer.status import health_from_status

    choice = context.config.hardware.printer
    if choice.driver == "none":
        return _not_configured(context, "printer")
    printer = context.driver("printer")
    try:
        status = printer.status()
    except PrinterError as error:
        context.health["printer"] = Health(HealthState.MISSING, str(error))
        return failed("printer", str(error))
    context.health["printer"] = health_from_status(status)
    where = "simulated" if choice.driver == "simulated" else str(choice.options.get("port", ""))
    figures = f"{where}: {_status_figures(status)}"
    if not context.health["printer"].usable:
        return failed("printer", f"{figures}: {context.health['printer'].reason}")
    if context.print_test:
        from drivers.printer.document import DocumentError

        try:
            status = printer.print(test_ticket(context))
        except (PrinterError, DocumentError) as error:
            return failed("printer", f"{figures}; the test ticket did not print: {error}")
        context.health["printer"] = health_from_status(status)
        figures = f"{where}: {_status_figures(status)}; test ticket printed"
    if context.health["printer"].state is HealthState.DEGRADED:
        return warning("printer", f"{figures}: {context.health['printer'].reason}")
    return ok("printer", figures)


def _status_figures(status: Any) -> str:
    paper = "out" if status.paper_end else "low" if status.paper_near_end else "ok"
    cover = "open" if status.cover_open else "closed"
    return f"paper {paper}, cover {cover}, {'online' if status.online else 'offline'}"


def test_ticket(context: SelftestContext) -> Any:
    """A short slip that shows the printer, the paper and the cutter work: text in two sizes,
    a QR code (native or raster, as the printer's profile says) and a cut."""
    from drivers.printer.document import Align, Cut, Document, Feed, QrCode, Text

    stamp = context.now().astimezone().strftime("%Y-%m-%d %H:%M")
    return Document(
        (
            Text("Balie", Align.CENTER, bold=True, size=2),
            Text("Testbon / test ticket", Align.CENTER),
            Feed(1),
            Text(context.config.device.location, Align.CENTER),
            Text(stamp, Align.CENTER),
            Feed(1),
            QrCode("balie selftest", module_dots=4),
            Feed(2),
            Cut(),
        )
    )


# -- speech ------------------------------------------------------------------------------------------


def check_speech(context: SelftestContext) -> CheckResult:
    from drivers.alsa import has_device
    from drivers.speech.espeak import EspeakSpeech
    from drivers.speech.recorder import RecordingSpeech
    from drivers.speech.voices import voice_available

    choice = context.config.hardware.speech
    speech = context.driver("speech")
    health = speech.health()
    context.health["speech"] = health
    if choice.driver == "none":
        return warning("speech", 'switched off (driver "none"): citizens who cannot read the screen hear nothing')
    if not health.usable:
        return failed("speech", f"{health.reason} (apt-get install espeak-ng)")
    languages = context.config.device.languages
    first = languages[0]
    if isinstance(speech, EspeakSpeech):
        missing = [lang for lang in languages if not voice_available(speech.command, speech.voices.get(lang, lang))]
        if missing:
            voices = ", ".join(f"{lang} ({speech.voices.get(lang, lang)})" for lang in missing)
            return failed("speech", f"espeak-ng has no voice for {voices}: check [hardware.speech] voices")
        speech.say(SPOKEN.get(first, SPOKEN["en"]), first)
        speech.wait_idle(15.0)
        if not has_device("playback"):
            return warning("speech", f"voices for {', '.join(languages)} work, but there is no sound card to hear them")
        return ok("speech", f"espeak-ng, voices for {', '.join(languages)}; said a test sentence in {first}")
    speech.say(SPOKEN.get(first, SPOKEN["en"]), first)
    if isinstance(speech, RecordingSpeech):
        heard = speech.utterances
        speech.stop()
        if not heard:
            return failed("speech", "the simulated voice recorded nothing")
        return ok("speech", f"simulated: recorded a test sentence in {heard[-1].language}")
    return ok("speech", f"said a test sentence in {first}")


# -- microphone and speaker (video calls) ------------------------------------------------------------


def check_microphone(context: SelftestContext) -> CheckResult:
    from drivers import pcm

    choice = context.config.hardware.microphone
    if choice.driver == "none":
        context.health["microphone"] = Health.missing("No microphone configured")
        return ok("microphone", 'not configured (driver "none"): calls fall back to text chat')
    microphone = context.call_device("microphone")
    what = "simulated" if choice.driver == "simulated" else str(choice.options.get("device", "default"))
    before = microphone.health()
    if before.state is HealthState.MISSING and choice.driver != "simulated":
        context.health["microphone"] = before
        return failed("microphone", f"{what}: {before.reason}{SOUND_HINT}")
    microphone.start()
    try:
        frames: list[Any] = []
        deadline = time.monotonic() + 3.0
        while len(frames) < round(TONE_SECONDS / pcm.FRAME_SECONDS) and time.monotonic() < deadline:
            frame = microphone.read_frame(timeout=0.5)
            if frame is not None:
                frames.append(frame.samples)
        health = microphone.health()
    finally:
        microphone.stop()
    context.health["microphone"] = health
    if not frames:
        return failed("microphone", f"{what}: no sound within 3 s: {health.reason or 'no reason given'}")
    import numpy as np

    level = pcm.rms(np.concatenate(frames))
    figures = f"{what}: {len(frames) * pcm.FRAME_SECONDS:.1f} s of sound, level {_dbfs(level)}"
    if level < 1e-4:
        return warning("microphone", f"{figures}: silent, is it muted or unplugged?")
    return ok("microphone", figures)


def check_audio_output(context: SelftestContext) -> CheckResult:
    from drivers import pcm
    from drivers.audio_output.recorder import RecordingAudioOutput

    choice = context.config.hardware.audio_output
    if choice.driver == "none":
        context.health["audio_output"] = Health.missing("No speaker configured")
        return ok("audio_output", 'not configured (driver "none"): the caseworker\'s voice is not heard')
    output = context.call_device("audio_output")
    what = "simulated" if choice.driver == "simulated" else str(choice.options.get("device", "default"))
    before = output.health()
    if before.state is HealthState.MISSING and choice.driver != "simulated":
        context.health["audio_output"] = before
        return failed("audio_output", f"{what}: {before.reason}{SOUND_HINT}")
    output.start()
    try:
        pace = threading.Event()
        for index, samples in enumerate(_tone(TONE_SECONDS)):
            output.play(pcm.PcmFrame(samples, index, time.monotonic()))
            pace.wait(pcm.FRAME_SECONDS)  # at the sound card's pace: a burst would be dropped as a backlog
        health = output.health()
        played = output.frames_played if isinstance(output, RecordingAudioOutput) else None
    finally:
        output.stop()
    context.health["audio_output"] = health
    if not health.usable:
        return failed("audio_output", f"{what}: {health.reason}")
    if played == 0:
        return failed("audio_output", f"{what}: nothing was played")
    return ok("audio_output", f"{what}: played a {TONE_SECONDS:.1f} s test tone")


def _tone(seconds: float) -> list[Any]:
    """A 440 Hz beep at a quarter of full scale, in 20 ms frames."""
    import numpy as np

    from drivers import pcm

    count = round(seconds / pcm.FRAME_SECONDS)
    t = np.arange(count * pcm.FRAME_SAMPLES) / pcm.SAMPLE_RATE
    samples = (np.sin(2 * np.pi * 440.0 * t) * pcm.FULL_SCALE * 0.25).astype(np.int16)
    return [samples[i * pcm.FRAME_SAMPLES : (i + 1) * pcm.FRAME_SAMPLES] for i in range(count)]


def _dbfs(level: float) -> str:
    import math

    return f"{20 * math.log10(level):.0f} dBFS" if level > 0 else "silence"
