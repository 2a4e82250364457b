"""The whole video call: a real backoffice, the kiosk's call engine (and `balie call`), and a caseworker in Chromium.

Media flows both ways over real WebRTC (aiortc on the kiosk, Chromium's fake camera and microphone on the
caseworker's side); the caseworker reads the virtual chip through the console, prints a PDF on the
simulated printer, and saves an outcome that lands in the contact history with the citizen's feedback.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import playwright.sync_api as playwright
import pytest
from PIL import Image, ImageDraw

from drivers import registry
from drivers.cardreader.emrtd.specimens import passport_specimen
from drivers.cardreader.icao.trust_store import TrustStore
from drivers.registry import DriverSet
from kiosk.backoffice_client import BackofficeClient
from kiosk.call.driver_services import DriverCallServices
from kiosk.call.engine import CallDevices, CallEngine
from kiosk.call.services import CallPhase, CallUpdate, EndReason
from tests.live_backoffice import CHROMIUM, CHROMIUM_CALL_ARGS, ROOT, CuttableProxy, LiveBackoffice, balie

PASSWORD = "correct horse battery staple"
TIMEOUT = 20.0


def wait_for(condition: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: provisioning/setup-debian.sh --test installs it (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("call")
    backoffice = LiveBackoffice(folder)
    backoffice.start()
    secret = folder / "password"
    secret.write_text(PASSWORD + "\n")
    balie("backoffice", "add-user", "--username", "carla", "--role", "caseworker", "--password-file", str(secret),
          "--database", str(backoffice.database))  # fmt: skip
    try:
        yield backoffice
    finally:
        backoffice.stop()


@pytest.fixture
def device_token(service: LiveBackoffice) -> str:
    client = BackofficeClient(service.url)
    try:
        return client.enroll(service.enrollment_code("Stadhuis Zuid"), "kiosk-zuid", "0.1.0").token
    finally:
        client.close()


@pytest.fixture
def console(service: LiveBackoffice) -> Iterator[playwright.Page]:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_CALL_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{service.url}/console?lang=en")
            page.get_by_label("Username").fill("carla")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/console*")
            page.get_by_role("radio", name="Available").check()
            page.get_by_text("Nobody is waiting.").wait_for()
            yield page
        finally:
            browser.close()


class Updates:
    def __init__(self) -> None:
        self.seen: list[CallUpdate] = []

    def call_update(self, update: CallUpdate) -> None:
        self.seen.append(update)

    def phase(self, phase: CallPhase) -> CallUpdate | None:
        return next((u for u in reversed(self.seen) if u.phase is phase), None)


def a_pdf() -> bytes:
    page = Image.new("L", (600, 400), 255)
    drawing = ImageDraw.Draw(page)
    drawing.rectangle((50, 50, 550, 150), fill=0)  # a solid bar the receipt must show
    drawing.text((60, 200), "BALIE TEST 42", fill=0)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=72.0)
    return buffer.getvalue()


def browser_stats(page: playwright.Page) -> dict[str, Any]:
    stats: dict[str, Any] = page.evaluate("window.balieConsole.stats()")
    return stats


def test_a_call_with_identity_print_outcome_and_feedback(
    service: LiveBackoffice, device_token: str, console: playwright.Page, tmp_path: Path
) -> None:
    drivers: DriverSet = registry.build_all({})
    microphone = registry.build("microphone", "simulated", {})
    speaker = registry.build("audio_output", "simulated", {})
    drivers.camera.start()
    specimen = passport_specimen()
    from drivers.cardreader.emrtd.factory import default_issuer

    services = DriverCallServices(drivers, TrustStore.of([default_issuer().csca_certificate]), specimen.access_key)
    updates = Updates()
    engine = CallEngine(service.url, device_token, CallDevices(drivers.camera, microphone, speaker), services, updates)  # type: ignore[arg-type]
    try:
        engine.place_call("Paspoort", "nl")
        wait_for(lambda: updates.phase(CallPhase.WAITING), "the kiosk to be queued")
        console.get_by_role("button", name="Answer").click()
        wait_for(lambda: updates.phase(CallPhase.CONNECTED), "the call to connect")
        console.get_by_text("Connected to Stadhuis Zuid, topic: Paspoort").wait_for()

        # Frames both ways: Chromium decodes the kiosk's camera, the kiosk decodes Chromium's fake camera.
        wait_for(lambda: browser_stats(console)["framesDecoded"] > 0, "the console to decode kiosk frames")
        wait_for(lambda: engine.remote.stats.video_frames > 0, "the kiosk to decode console frames")
        assert browser_stats(console)["audioBytesReceived"] > 0 or wait_for(
            lambda: browser_stats(console)["audioBytesReceived"] > 0, "kiosk sound at the console"
        )

        console.get_by_role("button", name="Read ID document").click()
        surname = console.locator("dd[data-field=surname]")
        wait_for(lambda: surname.text_content(), "the chip's data in the identity panel")
        printed_surname = specimen.lines[0][5:].split("<<")[0].replace("<", " ")
        assert surname.text_content() == printed_surname
        assert console.locator("#verdict").text_content() == "Genuine: signature and certificate check out"
        assert console.get_by_role("img", name="Photo from the chip").is_visible()
        assert console.locator("dd[data-field=document_number]").text_content() == specimen.access_key.document_number

        console.get_by_role("button", name="Ask for a scan").click()
        scanned = console.get_by_role("link", name="Page 1")
        scanned.wait_for(timeout=TIMEOUT * 1000)
        assert (scanned.get_attribute("href") or "").startswith("data:application/pdf;base64,")

        console.get_by_label("Text for the citizen (large on the screen, read aloud)").fill("Neem uw pasfoto mee")
        console.get_by_role("button", name="Show on kiosk").click()
        console.get_by_text("Shown on the kiosk.").wait_for()
        assert "Neem uw pasfoto mee" in [u.text for u in drivers.speech.utterances]  # type: ignore[attr-defined]

        pdf = tmp_path / "brief.pdf"
        pdf.write_bytes(a_pdf())
        console.get_by_label("PDF to print at the kiosk").set_input_files(str(pdf))
        console.get_by_role("button", name="Print at kiosk").click()
        console.get_by_text("Printed.").wait_for(timeout=TIMEOUT * 1000)
        printer = drivers.printer
        assert printer.simulator.wait_for_receipts(1, timeout=10)  # type: ignore[attr-defined]
        receipt = np.asarray(printer.simulator.receipts[-1].image().convert("L"))  # type: ignore[attr-defined]
        dark = float((receipt < 128).mean())
        assert dark > 0.05, "the PDF's black bar did not come out of the printer"

        console.get_by_role("button", name="End call").click()
        ended = wait_for(lambda: updates.phase(CallPhase.ENDED), "the kiosk to hear the end")
        assert ended.reason is EndReason.CASEWORKER
        console.get_by_label("Outcome").fill("Paspoort aanvraag uitgelegd")
        console.get_by_label("Note").fill("Komt met pasfoto terug")
        console.get_by_role("button", name="Save outcome").click()
        console.get_by_text("Saved in the contact history.").wait_for()
        assert ended.call_id is not None
        engine.send_feedback(ended.call_id, {"how_did_it_go": 4, "how_are_you": "good"})

        def contact() -> Any:
            with sqlite3.connect(service.database) as db:
                return db.execute(
                    "SELECT topic, outcome, note, feedback FROM contacts WHERE channel = 'video'"
                ).fetchone()

        row = wait_for(lambda: (found := contact()) and found[3] not in (None, "null") and found, "its feedback")
        assert row[:3] == ("Paspoort", "Paspoort aanvraag uitgelegd", "Komt met pasfoto terug")
        assert '"how_did_it_go": 4' in row[3]
    finally:
        engine.close()
        drivers.close()
    assert engine.remote.latest_image() is None  # nothing of the caseworker's picture stays


def test_balie_call_prints_its_states_and_exits_0(
    service: LiveBackoffice, device_token: str, console: playwright.Page, tmp_path: Path
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[backoffice]\nurl = "{service.url}"\ntoken = "{device_token}"\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "call", "--config", str(config), "--topic", "Rijbewijs", "--seconds", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        console.get_by_role("button", name="Answer").click(timeout=TIMEOUT * 1000)
        wait_for(lambda: browser_stats(console)["framesDecoded"] > 0, "frames from `balie call`")
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert out.splitlines() == ["waiting", "connected", "ended"]
    console.get_by_text("The call has ended (the citizen hung up).").wait_for()


def test_a_dropped_line_resumes_and_a_lost_one_ends_with_call_again_first(
    service: LiveBackoffice, device_token: str, console: playwright.Page
) -> None:
    proxy = CuttableProxy(service.port)
    drivers: DriverSet = registry.build_all({})
    microphone = registry.build("microphone", "simulated", {})
    speaker = registry.build("audio_output", "simulated", {})
    drivers.camera.start()
    services = DriverCallServices(drivers, TrustStore.empty(), None)
    updates = Updates()
    devices = CallDevices(drivers.camera, microphone, speaker)  # type: ignore[arg-type]
    engine = CallEngine(proxy.url, device_token, devices, services, updates)  # 10 s to reconnect, as shipped
    try:
        engine.place_call("Verhuizing", "nl")
        console.get_by_role("button", name="Answer").click(timeout=TIMEOUT * 1000)
        wait_for(lambda: updates.phase(CallPhase.CONNECTED), "the call to connect")
        connected_before = len([u for u in updates.seen if u.phase is CallPhase.CONNECTED])

        proxy.cut()  # the kiosk's network is gone for 5 s
        wait_for(lambda: updates.phase(CallPhase.RECONNECTING), "the kiosk to notice")
        time.sleep(5)
        proxy.mend()
        wait_for(
            lambda: len([u for u in updates.seen if u.phase is CallPhase.CONNECTED]) > connected_before,
            "the call to connect again",
        )
        assert updates.phase(CallPhase.ENDED) is None
        decoded = browser_stats(console)["framesDecoded"]
        wait_for(lambda: browser_stats(console)["framesDecoded"] > decoded, "frames after the reconnect")

        proxy.cut()  # and now for longer than the kiosk waits
        ended = wait_for(lambda: updates.phase(CallPhase.ENDED), "the kiosk to give up", timeout=40)
        assert ended.reason is EndReason.NETWORK
        console.get_by_text("The call has ended (the kiosk could not be reached).").wait_for(timeout=30_000)
        proxy.mend()
        assert engine.wait_ended(timeout=10)

        # Someone else is waiting now; the citizen who was cut off calls again and goes first.
        other = BackofficeClient(service.url)
        other_token = other.enroll(service.enrollment_code("Stadhuis Zuid"), "kiosk-twee", "0.1.0").token
        other.close()
        other_updates = Updates()
        second = CallEngine(service.url, other_token, devices, services, other_updates)
        try:
            console.get_by_role("radio", name="Busy").check()
            second.place_call("Paspoort", "nl")
            wait_for(lambda: other_updates.phase(CallPhase.WAITING), "the other citizen to wait")
            engine.place_call("Verhuizing", "nl", call_again=ended.call_id)
            first = wait_for(lambda: updates.phase(CallPhase.WAITING), "the returning citizen to wait")
            assert first.position == 1
        finally:
            second.close()
    finally:
        engine.close()
        drivers.close()
        proxy.close()


def test_nobody_to_answer_ends_at_once_with_its_reason(service: LiveBackoffice, device_token: str) -> None:
    drivers: DriverSet = registry.build_all({})
    microphone = registry.build("microphone", "simulated", {})
    speaker = registry.build("audio_output", "simulated", {})
    updates = Updates()
    devices = CallDevices(drivers.camera, microphone, speaker)  # type: ignore[arg-type]
    engine = CallEngine(
        service.url, device_token, devices, DriverCallServices(drivers, TrustStore.empty(), None), updates
    )
    try:
        started = time.monotonic()
        engine.place_call("Paspoort", "nl")
        ended = wait_for(lambda: updates.phase(CallPhase.ENDED), "the kiosk to hear nobody is there")
        assert ended.reason is EndReason.NO_CASEWORKERS
        assert time.monotonic() - started < 5
        assert updates.phase(CallPhase.WAITING) is None
    finally:
        engine.close()
        drivers.close()
