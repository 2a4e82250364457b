"""The whole video call, kiosk to caseworker, measured end to end against its targets.

A real backoffice (`balie backoffice serve` on a temporary SQLite file), a caseworker signed in to
/console in Chromium (fake media flags, FIELD-NOTES.md), and the kiosk's CallEngine with simulated
drivers; the simulated camera runs at 640×480/30 fps and the engine sends 30 fps (`video_fps`).

Method:
- tap-to-ringing: `engine.place_call()` until the console's "Answer" button is visible
  (Playwright's wait; a few ms of its own overhead included).
- answer-to-first-frame: the wall time just before clicking "Answer" until the first frame of the
  kiosk presented in #remote-video (requestVideoFrameCallback, Date.now()). Target < 1.5 s.
- frame rate: framesDecoded (window.balieConsole.stats()) over --seconds at 640×480. Target ≥ 25.
- latency: the kiosk's camera is wrapped so each frame the call takes (`latest_frame()`, just
  before it is encoded) carries the wall clock in ms (mod 2^24) as two rows of 24 black/white
  blocks at the top, the second row inverted as a check. The console page draws each presented
  frame of #remote-video on a canvas, reads the blocks back and subtracts from Date.now() (same
  machine, same clock): median and p95 over --seconds.
- Chromium pair, same run: two pages of the same browser, RTCPeerConnection in each, SDP handed
  over through Playwright; the sender draws a moving 640×480 scene with the same blocks on a
  canvas (captureStream, 30 fps), the receiver measures latency and fps the same way. Target: the
  kiosk's median latency ≤ 1.5× the pair's.
- UI input latency during the call: not the kiosk's Qt call screen (kiosk/ui/screens/call.py needs
  the whole kiosk built around it) but a Qt button in the kiosk's process, made before the call;
  during the 10 s window Qt's event loop runs on the main thread, a click is posted every 100 ms
  and the delay to the button's clicked slot is taken: median and max, target < 100 ms.
  --no-ui leaves Qt out (the main thread sleeps instead).

The kiosk call and the Chromium pair run one after the other in the same browser, not at once, so
a change in the machine's load between them moves the ratio.

Latest figures (2 cores, other agents' test suites running meanwhile, load average 3–6):
  tap-to-ringing 40–135 ms; answer-to-first-frame 280–1040 ms (PASS, < 1.5 s);
  kiosk→console 640×480 at 23.4–30.0 fps (PASS but once, at load 5); Chromium pair 24.6–29.5 fps.
  Latency without Qt (--no-ui, 5 runs): kiosk median 22–61 ms, p95 55–86 ms; pair median 35–42 ms,
  p95 53–60 ms; ratio 0.56–1.74× (PASS 4 of 5). With the Qt loop turning in the kiosk's process
  (5 runs): kiosk median 83–295 ms, p95 97–387 ms, ratio 2.1–8.9× (OVER); posted click to slot
  median 1.1–3.8 ms, max 10–38 ms (PASS). The console's jitter buffer shows why in part: it holds
  the kiosk's frames 67 ms on average with Qt turning beside the call, 12 ms without (the pair: 7–8
  ms), so the kiosk's packets leave more unevenly when the main thread runs Qt (GIL hand-over
  between Qt's thread and the call's, presumably); the rest of the rise is on the kiosk's side.

Run: .venv/bin/python benchmarks/call.py [--seconds 10] [--no-ui]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import playwright.sync_api as playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drivers import registry
from drivers.audio_output.recorder import RecordingAudioOutput
from drivers.camera.protocol import Frame
from drivers.camera.simulator import SimulatedCamera
from drivers.cardreader.icao.trust_store import TrustStore
from drivers.microphone.simulator import SimulatedMicrophone
from kiosk.backoffice_client import BackofficeClient
from kiosk.call.driver_services import DriverCallServices
from kiosk.call.engine import CallDevices, CallEngine
from kiosk.call.services import CallPhase, CallUpdate
from tests.live_backoffice import CHROMIUM_CALL_ARGS, LiveBackoffice, balie

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
CHROMIUM_ARGS = [
    *CHROMIUM_CALL_ARGS,
    "--autoplay-policy=no-user-gesture-required",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--disable-features=WebRtcHideLocalIpsWithMdns",  # host candidates between the two pages
]
WIDTH, HEIGHT, FPS = 640, 480, 30.0
BITS, BLOCK_W, BLOCK_H, LEFT = 24, 24, 16, 8
MODULO = 1 << BITS
_CONSTANTS = {
    "W": WIDTH,
    "H": HEIGHT,
    "BH": BLOCK_H,
    "BW": BLOCK_W,
    "BITS": BITS,
    "LEFT": LEFT,
    "MOD": MODULO,
    "FPS": FPS,
}


def with_constants(js: str) -> str:
    """The page's script with the pattern's sizes (K.W, K.BITS, ...) defined where it says /*K*/."""
    return js.replace("/*K*/", f"const K = {json.dumps(_CONSTANTS)};")


# The timestamp pattern, read back in the browser; shared by the console and the pair's receiver.
DECODER_JS = with_constants("""
window.__bench = (() => {
  /*K*/
  const bench = { lat: [], presented: 0, first: null, undecoded: 0 };
  const canvas = document.createElement("canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  function decode(w, h) {
    const sx = w / K.W, sy = h / K.H;
    const rows = Math.ceil(K.BH * 2 * sy);
    const data = ctx.getImageData(0, 0, w, rows).data;
    const g = (x, y) => data[(y * w + x) * 4 + 1];
    let v = 0;
    for (let i = 0; i < K.BITS; i++) {
      const x = Math.floor((K.LEFT + i * K.BW + K.BW / 2) * sx);
      const a = g(x, Math.floor(K.BH / 2 * sy)) > 128, b = g(x, Math.floor(K.BH * 1.5 * sy)) > 128;
      if (a === b) return null;
      v = v * 2 + (a ? 1 : 0);
    }
    return v;
  }
  bench.watch = (video) => {
    const cb = () => {
      const now = Date.now();
      if (bench.first === null) bench.first = now;
      bench.presented++;
      const w = video.videoWidth, h = video.videoHeight;
      if (w && h) {
        if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
        ctx.drawImage(video, 0, 0, w, h);
        const v = decode(w, h);
        if (v === null) bench.undecoded++;
        else bench.lat.push(((now % K.MOD) - v + K.MOD) % K.MOD);
      }
      video.requestVideoFrameCallback(cb);
    };
    video.requestVideoFrameCallback(cb);
  };
  return bench;
})();
""")

SENDER_JS = with_constants("""
async () => {
  /*K*/
  const canvas = document.createElement("canvas");
  canvas.width = K.W; canvas.height = K.H;
  document.body.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  let n = 0;
  const draw = () => {
    n++;
    const grad = ctx.createLinearGradient(0, 0, K.W, K.H);
    grad.addColorStop(0, `hsl(${n % 360}, 40%, 45%)`);
    grad.addColorStop(1, `hsl(${(n * 3) % 360}, 50%, 60%)`);
    ctx.fillStyle = grad; ctx.fillRect(0, 0, K.W, K.H);
    ctx.fillStyle = "#c84"; ctx.fillRect(100 + (n * 4) % 400, 150, 120, 160);
    ctx.fillStyle = "#246"; ctx.beginPath(); ctx.arc(320, 300 + 60 * Math.sin(n / 10), 70, 0, 7); ctx.fill();
    const v = Date.now() % K.MOD;
    for (let i = 0; i < K.BITS; i++) {
      const bit = (v >> (K.BITS - 1 - i)) & 1;
      ctx.fillStyle = bit ? "#fff" : "#000"; ctx.fillRect(K.LEFT + i * K.BW, 0, K.BW, K.BH);
      ctx.fillStyle = bit ? "#000" : "#fff"; ctx.fillRect(K.LEFT + i * K.BW, K.BH, K.BW, K.BH);
    }
  };
  draw();
  setInterval(draw, 1000 / K.FPS);
  const stream = canvas.captureStream(K.FPS);
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__pc = pc;
  for (const t of stream.getTracks()) pc.addTrack(t, stream);
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => { if (pc.iceGatheringState === "complete") r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r(); setTimeout(r, 3000); });
  return pc.localDescription.sdp;
}
""")

RECEIVER_JS = with_constants("""
async (sdp) => {
  /*K*/
  const video = document.createElement("video");
  video.autoplay = true; video.muted = true; video.playsInline = true;
  video.width = K.W; video.height = K.H;
  document.body.appendChild(video);
  window.__bench.watch(video);
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.__pc = pc;
  pc.ontrack = (e) => { video.srcObject = e.streams[0] || new MediaStream([e.track]); };
  await pc.setRemoteDescription({ type: "offer", sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise((r) => { if (pc.iceGatheringState === "complete") r();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && r(); setTimeout(r, 3000); });
  return pc.localDescription.sdp;
}
""")

# The console keeps its peer connection to itself: remember every one made, for getStats().
KEEP_PCS_JS = """
(() => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Original(...args); window.__pcs.push(pc); return pc;
  };
  window.RTCPeerConnection.prototype = Original.prototype;
})();
"""

# Seconds held in the receiver's jitter buffer, summed, and frames that left it.
JITTER_JS = """
async () => {
  const pc = window.__pc || window.__pcs[window.__pcs.length - 1];
  let delay = 0, count = 0;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") {
      delay += r.jitterBufferDelay || 0; count += r.jitterBufferEmittedCount || 0;
    }
  });
  return [delay, count];
}
"""


def jitter_ms(before: list[float], after: list[float]) -> float:
    frames = after[1] - before[1]
    return (after[0] - before[0]) / frames * 1000 if frames > 0 else float("nan")


PAIR_STATS_JS = """
async () => {
  let frames = 0, w = 0, h = 0;
  (await window.__pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") {
      frames += r.framesDecoded || 0; w = r.frameWidth; h = r.frameHeight;
    }
  });
  return { framesDecoded: frames, width: w, height: h };
}
"""


def stamp(image: np.ndarray, value: int) -> None:
    """Draw `value` (BITS bits, most significant first) as blocks into the top rows of a BGR image."""
    for i in range(BITS):
        bit = (value >> (BITS - 1 - i)) & 1
        x = LEFT + i * BLOCK_W
        image[0:BLOCK_H, x : x + BLOCK_W] = 255 if bit else 0
        image[BLOCK_H : 2 * BLOCK_H, x : x + BLOCK_W] = 0 if bit else 255


class StampingCamera:
    """The simulated camera, each frame taken stamped with the wall clock (ms mod 2^24)."""

    def __init__(self, camera: SimulatedCamera) -> None:
        self._camera = camera

    def __getattr__(self, name: str) -> Any:
        return getattr(self._camera, name)

    def latest_frame(self) -> Frame | None:
        frame = self._camera.latest_frame()
        if frame is None:
            return None
        image = frame.image.copy()
        stamp(image, int(time.time() * 1000) % MODULO)
        return replace(frame, image=image)


class Updates:
    def __init__(self) -> None:
        self.seen: list[CallUpdate] = []

    def call_update(self, update: CallUpdate) -> None:
        self.seen.append(update)

    def phase(self, phase: CallPhase) -> CallUpdate | None:
        return next((u for u in reversed(self.seen) if u.phase is phase), None)


def wait_for(condition: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise TimeoutError(f"timed out waiting for {what}")


def latency_figures(lat: list[float]) -> tuple[float, float, int]:
    if len(lat) < 2:
        return float("nan"), float("nan"), len(lat)
    return statistics.median(lat), statistics.quantiles(lat, n=20)[18], len(lat)


def kiosk_call(browser: playwright.Browser, seconds: float, folder: Path, ui: bool) -> dict[str, Any]:
    clicker = QtClicker() if ui else None
    backoffice = LiveBackoffice(folder)
    backoffice.start()
    secret = folder / "password"
    secret.write_text(PASSWORD + "\n")
    balie("backoffice", "add-user", "--username", "carla", "--role", "caseworker", "--password-file", str(secret),
          "--database", str(backoffice.database))  # fmt: skip
    client = BackofficeClient(backoffice.url)
    token = client.enroll(backoffice.enrollment_code("Stadhuis Zuid"), "kiosk-bench", "0.1.0").token
    client.close()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(KEEP_PCS_JS)
    page.goto(f"{backoffice.url}/console?lang=en")
    page.get_by_label("Username").fill("carla")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/console*")
    page.get_by_role("radio", name="Available").check()
    page.get_by_text("Nobody is waiting.").wait_for()
    page.evaluate(DECODER_JS)
    page.evaluate("window.__bench.watch(document.getElementById('remote-video'))")

    drivers = registry.build_all({})
    camera = SimulatedCamera(width=WIDTH, height=HEIGHT, fps=FPS)
    camera.start()
    microphone = SimulatedMicrophone(frequency=440.0)
    microphone.start()
    speaker = RecordingAudioOutput()
    speaker.start()
    services = DriverCallServices(drivers, TrustStore.empty(), None)
    updates = Updates()
    devices = CallDevices(StampingCamera(camera), microphone, speaker)
    engine = CallEngine(backoffice.url, token, devices, services, updates, video_fps=FPS)
    result: dict[str, Any] = {}
    try:
        answer = page.get_by_role("button", name="Answer")
        started = time.monotonic()
        engine.place_call("Paspoort", "nl")
        answer.wait_for(timeout=20_000)
        result["ringing"] = time.monotonic() - started
        clicked = time.time() * 1000
        answer.click()
        first = wait_for(lambda: page.evaluate("window.__bench.first"), "the console's first kiosk frame")
        result["first_frame"] = (first - clicked) / 1000
        time.sleep(1.0)  # past the start-up of the encoder and jitter buffer
        stats0, t0 = page.evaluate("window.balieConsole.stats()"), time.monotonic()
        jitter0 = page.evaluate(JITTER_JS)
        page.evaluate("window.__bench.lat = []; window.__bench.undecoded = 0")
        if clicker is not None:
            result["ui"] = clicker.run(seconds)  # the Qt event loop runs while the call's media flows
        else:
            result["ui"] = []
            time.sleep(seconds)
        stats1, t1 = page.evaluate("window.balieConsole.stats()"), time.monotonic()
        result["jitter"] = jitter_ms(jitter0, page.evaluate(JITTER_JS))
        bench = page.evaluate("({lat: window.__bench.lat, undecoded: window.__bench.undecoded})")
        result["fps"] = (stats1["framesDecoded"] - stats0["framesDecoded"]) / (t1 - t0)
        result["latency"] = latency_figures(bench["lat"])
        result["undecoded"] = bench["undecoded"]
        result["size"] = page.evaluate(
            "[document.getElementById('remote-video').videoWidth, document.getElementById('remote-video').videoHeight]"
        )
    finally:
        engine.close()
        camera.stop()
        microphone.stop()
        speaker.stop()
        drivers.close()
        page.close()
        backoffice.stop()
    return result


def chromium_pair(browser: playwright.Browser, seconds: float) -> dict[str, Any]:
    sender = browser.new_page()
    receiver = browser.new_page()
    result: dict[str, Any] = {}
    try:
        receiver.evaluate(DECODER_JS)
        offer = sender.evaluate(SENDER_JS)
        answer = receiver.evaluate(RECEIVER_JS, offer)
        sender.evaluate("(sdp) => window.__pc.setRemoteDescription({ type: 'answer', sdp })", answer)
        wait_for(lambda: receiver.evaluate("window.__bench.first"), "the pair's first frame")
        time.sleep(1.0)
        stats0, t0 = receiver.evaluate(PAIR_STATS_JS), time.monotonic()
        jitter0 = receiver.evaluate(JITTER_JS)
        receiver.evaluate("window.__bench.lat = []; window.__bench.undecoded = 0")
        time.sleep(seconds)
        stats1, t1 = receiver.evaluate(PAIR_STATS_JS), time.monotonic()
        result["jitter"] = jitter_ms(jitter0, receiver.evaluate(JITTER_JS))
        bench = receiver.evaluate("({lat: window.__bench.lat, undecoded: window.__bench.undecoded})")
        result["fps"] = (stats1["framesDecoded"] - stats0["framesDecoded"]) / (t1 - t0)
        result["latency"] = latency_figures(bench["lat"])
        result["undecoded"] = bench["undecoded"]
        result["size"] = [stats1["width"], stats1["height"]]
    finally:
        sender.close()
        receiver.close()
    return result


class QtClicker:
    """A Qt button in this process, set up before the call (as the kiosk's screen is): `run()` turns
    Qt's event loop for `seconds`, posting a click every 100 ms, and gives the delays (s) from
    posting to the button's clicked slot. The call engine runs on its own thread meanwhile, as in
    the kiosk, so this is how long the call's work in this process keeps Qt from an input event."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication, QPushButton

        self.app = QApplication.instance() or QApplication([])
        self.button = QPushButton("Tik")
        self.button.resize(200, 100)
        self.button.show()
        self.posted: list[float] = []
        self.delays: list[float] = []
        self.button.clicked.connect(self._clicked)
        self.app.processEvents()

    def _clicked(self) -> None:
        if self.posted:
            self.delays.append(time.perf_counter() - self.posted[-1])

    def _post(self) -> None:
        from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
        from PySide6.QtGui import QMouseEvent
        from PySide6.QtWidgets import QApplication

        centre = QPointF(QPoint(100, 50))
        left, none, plain = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
        press = QMouseEvent(QEvent.Type.MouseButtonPress, centre, centre, left, left, plain)
        release = QMouseEvent(QEvent.Type.MouseButtonRelease, centre, centre, left, none, plain)
        self.posted.append(time.perf_counter())
        QApplication.postEvent(self.button, press)
        QApplication.postEvent(self.button, release)

    def run(self, seconds: float) -> list[float]:
        from PySide6.QtCore import QTimer

        ticker = QTimer()
        ticker.timeout.connect(self._post)
        ticker.start(100)
        QTimer.singleShot(int(seconds * 1000), self.app.quit)
        self.app.exec()
        ticker.stop()
        return self.delays


def verdict(ok: bool) -> str:
    return "PASS" if ok else "OVER"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--no-ui", action="store_true", help="no Qt event loop (posted clicks) during the call")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        sys.exit("Chromium is missing: apt-get install chromium")
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="balie-call-bench-") as tmp, playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            kiosk = kiosk_call(browser, args.seconds, Path(tmp), not args.no_ui)
            pair = chromium_pair(browser, args.seconds)
        finally:
            browser.close()
    k_med, k_p95, k_n = kiosk["latency"]
    ui = kiosk["ui"]
    ui_med, ui_max = (statistics.median(ui), max(ui)) if ui else (float("nan"), float("nan"))
    p_med, p_p95, p_n = pair["latency"]
    ratio = k_med / p_med if p_med == p_med and p_med > 0 else float("nan")
    rows = [
        ("tap-to-ringing", f"{kiosk['ringing'] * 1000:.0f} ms", "—", ""),
        ("answer-to-first-frame", f"{kiosk['first_frame'] * 1000:.0f} ms", "< 1500 ms",
         verdict(kiosk["first_frame"] < 1.5)),
        (f"kiosk→console fps ({kiosk['size'][0]}×{kiosk['size'][1]})", f"{kiosk['fps']:.1f}", "≥ 25",
         verdict(kiosk["fps"] >= 25)),
        ("kiosk→console latency median", f"{k_med:.0f} ms (n={k_n}, unread {kiosk['undecoded']})", "", ""),
        ("kiosk→console latency p95", f"{k_p95:.0f} ms", "", ""),
        ("  of it in the console's jitter buffer", f"{kiosk['jitter']:.0f} ms (mean)", "", ""),
        (f"Chromium pair fps ({pair['size'][0]}×{pair['size'][1]})", f"{pair['fps']:.1f}", "(reference)", ""),
        ("Chromium pair latency median", f"{p_med:.0f} ms (n={p_n}, unread {pair['undecoded']})", "(reference)", ""),
        ("Chromium pair latency p95", f"{p_p95:.0f} ms", "(reference)", ""),
        ("  of it in the receiver's jitter buffer", f"{pair['jitter']:.0f} ms (mean)", "(reference)", ""),
        ("kiosk / pair median latency", f"{ratio:.2f}×", "≤ 1.5×", verdict(ratio <= 1.5)),
        *(
            [
                ("UI: posted click → slot, median", f"{ui_med * 1000:.1f} ms (n={len(ui)})", "", ""),
                ("UI: posted click → slot, max", f"{ui_max * 1000:.1f} ms", "< 100 ms", verdict(ui_max < 0.1)),
            ]
            if ui
            else [("UI input latency", "not measured (--no-ui)", "< 100 ms", "")]
        ),
    ]  # fmt: skip
    print(f"video call benchmark, {args.seconds:.0f} s windows, load average {load_before:.1f} → "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")  # fmt: skip
    for name, value, target, mark in rows:
        print(f"  {name:<40} {value:<32} {target:<12} {mark}")


if __name__ == "__main__":
    main()
