"""The desk page's counter panel in headless Chromium against a real `balie backoffice serve`.

The caseworker pairs the desk through the panel's form with the code a device shows; a fake counter device
(the `websockets` client speaking DESK.md's protocol, as kiosk/counter/link.py does) answers the identity
request with the virtual chip's invented specimen; the citizen's "I don't understand" raises an alert.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import playwright.sync_api as playwright
import pytest
from page_audit import audit_page
from PIL import Image
from playwright.sync_api import FilePayload
from websockets.sync.client import ClientConnection, connect

from kiosk.backoffice_client import BackofficeClient
from tests.live_backoffice import CHROMIUM, LiveBackoffice, balie

PASSWORD = "correct horse battery staple"
LOCATION = "Stadhuis Zwolle"
SCREENSHOT = Path("/tmp/desk-counter.png")
DOCUMENT = {
    "surname": "DE TESTER",
    "given_names": "ANNA MARIA",
    "date_of_birth": "1985-03-14",
    "personal_number": "999999990",
    "document_number": "SPECI2026",
    "nationality": "NLD",
    "expiry": "2031-03-13",
}


@pytest.fixture
def service(tmp_path: Path) -> Iterator[LiveBackoffice]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: provisioning/setup-debian.sh --test installs it (apt-get install chromium)")
    backoffice = LiveBackoffice(tmp_path)
    backoffice.start()
    try:
        yield backoffice
    finally:
        backoffice.stop()


def caseworker_at_desk(service: LiveBackoffice, folder: Path) -> None:
    secret = folder / "password"
    secret.write_text(PASSWORD + "\n")
    balie("backoffice", "add-user", "--username", "carla", "--role", "caseworker", "--password-file", str(secret),
          "--database", str(service.database))  # fmt: skip
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(service.database) as db:
        location = db.execute("SELECT id FROM locations WHERE name = ?", (LOCATION,)).fetchone()[0]
        user = db.execute("SELECT id FROM staff_users WHERE username = 'carla'").fetchone()[0]
        db.execute(
            "INSERT INTO desks (location_id, name, topics, staff_user_id, signed_in_at, created_at)"
            " VALUES (?, '3', 'AB', ?, ?, ?)",
            (location, user, now, now),
        )


def rows_of(service: LiveBackoffice, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(service.database) as db:
        return list(db.execute(query))


def chip_photo() -> str:
    """An invented portrait: a grey face shape on a light ground, as a JPEG data URL."""
    image = Image.new("RGB", (120, 160), (225, 228, 232))
    for y in range(40, 120):
        for x in range(30, 90):
            if ((x - 60) / 30) ** 2 + ((y - 80) / 40) ** 2 <= 1:
                image.putpixel((x, y), (150, 130, 120))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode()


def png_base64() -> str:
    image = Image.new("L", (200, 80), 255)
    for x in range(20, 180):
        image.putpixel((x, 40 + (x % 20) - 10), 0)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


SIGNATURE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="80mm" height="30mm" viewBox="0 0 80 30">'
    '<path d="M5 20 C 20 5, 30 25, 45 12 S 70 20, 75 10" fill="none" stroke="black" stroke-width="0.6"/></svg>'
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def answer_the_rest(panel: playwright.Locator, device: ClientConnection) -> None:
    """Summary, signature, receipt, PDF, scan and feedback: each asked from the panel and answered by the device."""
    panel.locator("summary", has_text="Summary to check").click()
    panel.get_by_label("Label 1", exact=True).fill("Product")
    panel.get_by_label("Value 1", exact=True).fill("Paspoort")
    panel.get_by_role("button", name="Show summary to check").click()
    summary = receive(device, "summary")
    assert summary["lines"] == [{"label": "Product", "value": "Paspoort"}] and summary["title"] == "Is this correct?"
    device.send(json.dumps({"type": "summary_answer", "id": summary["id"], "correct": True}))
    playwright.expect(panel).to_contain_text("The citizen says: the summary is correct.")

    panel.locator("summary", has_text="Ask for signature").click()
    panel.get_by_label("What is the signature for?").fill("Paspoort")
    panel.get_by_role("button", name="Ask for signature").click()
    signature = receive(device, "signature")
    assert signature["purpose"] == "Paspoort"
    strokes = [[[5.0, 20.0, 0], [75.0, 10.0, 900]]]
    device.send(json.dumps({"type": "signature", "id": signature["id"], "svg": SIGNATURE_SVG,
                            "png_base64": png_base64(), "strokes": strokes, "width_mm": 80,
                            "height_mm": 30}))  # fmt: skip
    playwright.expect(panel.get_by_role("img", name="The citizen's signature")).to_be_visible()
    assert panel.get_by_role("link", name="Download signature (SVG)").get_attribute("href", timeout=5000)
    png_link = panel.get_by_role("link", name="Download signature (PNG, 600 dpi)").get_attribute("href")
    assert png_link is not None and png_link.startswith("data:image/png;base64,iVBOR")

    panel.locator("summary", has_text="Receipt").click()
    panel.get_by_label("Lines of the receipt (one per line)").fill("Paspoort aangevraagd\nLeges: € 84,95")
    panel.get_by_role("button", name="Print receipt").click()
    receipt = receive(device, "print")
    assert receipt["receipt"] == {"title": "Receipt", "lines": ["Paspoort aangevraagd", "Leges: € 84,95"]}
    device.send(json.dumps({"type": "printed", "id": receipt["id"], "ok": True, "detail": ""}))
    playwright.expect(panel).to_contain_text("Printed.")
    letter: FilePayload = {"name": "brief.pdf", "mimeType": "application/pdf", "buffer": PDF}
    panel.get_by_label("PDF to print at the desk").set_input_files(files=[letter])
    panel.get_by_role("button", name="Print PDF").click()
    printed = receive(device, "print")
    assert base64.b64decode(printed["pdf_base64"]) == PDF
    device.send(json.dumps({"type": "failed", "id": printed["id"], "detail": "The printer is out of paper."}))
    playwright.expect(panel.get_by_role("alert")).to_have_text("Did not work: The printer is out of paper.")

    panel.get_by_role("button", name="Scan a document").click()
    scan = receive(device, "scan")
    page_jpeg = chip_photo().split(",", 1)[1]
    device.send(json.dumps({"type": "scan_pages", "id": scan["id"], "pages": [page_jpeg, page_jpeg]}))
    playwright.expect(panel.get_by_role("img", name="Page 2")).to_be_visible()

    panel.get_by_role("button", name="Ask feedback").click()
    feedback = receive(device, "feedback")
    device.send(json.dumps({"type": "feedback", "id": feedback["id"], "how_did_it_go": 4, "how_are_you": "Goed"}))
    playwright.expect(panel).to_contain_text("How did it go: 4 of 4. How are you: Goed")


def receive(device: ClientConnection, kind: str) -> dict[str, Any]:
    for _ in range(10):
        message: dict[str, Any] = json.loads(device.recv(timeout=10))
        if message["type"] == kind:
            return message
    raise AssertionError(f"the device got no {kind!r}")


def test_the_caseworker_pairs_the_desk_and_reads_an_identity_through_the_panel(
    service: LiveBackoffice, tmp_path: Path
) -> None:
    client = BackofficeClient(service.url)
    token = client.enroll(service.enrollment_code(LOCATION), "balie-3-scherm", "0.1.0").token
    client.close()
    caseworker_at_desk(service, tmp_path)
    ws_url = service.url.replace("http://", "ws://") + "/api/v1/counter/ws"

    with (
        connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"}) as device,
        playwright.sync_playwright() as driver,
    ):
        device.send(json.dumps({"type": "hello", "token": token}))
        code = receive(device, "pairing")["code"]
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            page.goto(f"{service.url}/signin?lang=en")
            page.get_by_label("Username").fill("carla")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.goto(f"{service.url}/console/desk")
            dutch = page.get_by_role("region", name="Balieapparaat")
            playwright.expect(dutch.get_by_role("status").first).to_contain_text("Er is geen balieapparaat")
            assert dutch.get_by_label("Koppelcode").is_visible()
            assert dutch.get_by_role("button", name="Koppelen").is_visible()
            page.goto(f"{service.url}/console/desk?lang=en")
            panel = page.get_by_role("region", name="Counter device")
            playwright.expect(panel).to_be_visible()
            playwright.expect(panel.get_by_role("status").first).to_contain_text("No counter device is paired")

            # A mistyped code: one sentence, and what was typed stays to be corrected.
            panel.get_by_label("Pairing code").fill("000 00")
            panel.get_by_role("button", name="Pair").click()
            playwright.expect(panel.get_by_role("alert")).to_have_text(
                "A pairing code is the six digits shown on the counter device."
            )
            playwright.expect(panel.get_by_label("Pairing code")).to_have_value("000 00")

            panel.get_by_label("Pairing code").fill(code)
            panel.get_by_role("button", name="Pair").click()
            assert receive(device, "paired")["desk"] == "3"
            playwright.expect(panel.get_by_role("status").first).to_have_text(
                "Counter device balie-3-scherm is connected."
            )

            panel.get_by_role("button", name="Ask for ID").click()
            request = receive(device, "identify")
            photo = chip_photo()
            device.send(json.dumps({"type": "identity", "id": request["id"], "document": DOCUMENT,
                                    "verdict": "verified", "authenticity": "verified", "photo": photo}))  # fmt: skip
            identity = panel.get_by_role("region", name="Identity")
            playwright.expect(identity).to_contain_text("DE TESTER")
            assert "ANNA MARIA" in identity.inner_text()
            assert "Genuine: signature and certificate check out" in identity.inner_text()
            assert identity.get_by_role("img", name="Photo from the chip").get_attribute("src") == photo

            answer_the_rest(panel, device)
            # The audit tabs from the top: move the browser's focus starting point back there from the last click.
            page.get_by_role("link").first.focus()
            page.keyboard.press("Shift+Tab")
            problems = audit_page(page, "en")
            assert problems == [], "\n".join(problems)

            device.send(json.dumps({"type": "help"}))
            playwright.expect(panel.get_by_role("alert")).to_contain_text("I don't understand")
            for name in ("Scan a document", "Ask feedback", "Unpair"):
                assert panel.get_by_role("button", name=name).is_visible()
            panel.screenshot(path=str(SCREENSHOT))

            # A next visitor (as desk.js announces it): nothing of the previous citizen stays on the page.
            desk_id = rows_of(service, "SELECT id FROM desks")[0][0]
            page.evaluate(
                "(id) => document.dispatchEvent(new CustomEvent('balie:desk', {detail: {deskId: id, deskName: '3',"
                " visit: {label: 'A002', topic: 'A'}}}))",
                desk_id,
            )
            playwright.expect(panel.get_by_role("region", name="Identity")).to_be_hidden()
            assert "DE TESTER" not in panel.inner_text() and "Goed" not in panel.inner_text()
            assert page.locator("#counter-pages img").count() == 0
            # That visitor is sent to another desk: the panel tells the device to wipe.
            page.evaluate(
                "(id) => document.dispatchEvent(new CustomEvent('balie:desk',"
                " {detail: {deskId: id, deskName: '3', visit: null}}))",
                desk_id,
            )
            assert receive(device, "welcome")["id"]

            device.close()  # the device is gone mid-visit: the panel says so at once
            playwright.expect(panel.get_by_role("status").first).to_have_text(
                "The counter device is offline — continue without it."
            )
            assert not panel.get_by_role("button", name="Ask for ID").is_visible()
        finally:
            browser.close()
