"""The staff pages in headless Chromium, driven by role and label as an assistive technology would.

A real `balie backoffice serve` process, real HTTP, a real browser: sign-in, the start page per
role, the fleet with a device's health, a contact-history search, the dashboard, English with
`?lang=en`, and the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import playwright.sync_api as playwright
import pytest

from kiosk.backoffice_client import BackofficeClient
from tests.live_backoffice import LiveBackoffice, balie

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: provisioning/setup-debian.sh --test installs it (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("browser")
    backoffice = LiveBackoffice(folder)
    backoffice.start()
    secret = folder / "password"
    secret.write_text(PASSWORD + "\n")
    for user, role in (("ada", "admin"), ("theo", "technician"), ("carla", "caseworker")):
        balie("backoffice", "add-user", "--username", user, "--role", role, "--password-file", str(secret),
              "--database", str(backoffice.database))  # fmt: skip
    client = BackofficeClient(backoffice.url)
    token = client.enroll(backoffice.enrollment_code("Bibliotheek Oost"), "kiosk-bieb", "0.1.0").token
    client.close()
    device = BackofficeClient(backoffice.url, token)
    device.heartbeat("0.1.0", 60, {"printer": {"state": "degraded", "reason": "Papier bijna op"}})
    now = dt.datetime.now(dt.UTC).isoformat()
    device.send_events([{"id": str(uuid.uuid4()), "type": "session_started", "occurred_at": now, "data": {}}])
    device.close()
    channel_key = balie("backoffice", "channel-key", "--name", "KCC", "--database", str(backoffice.database)).stdout
    week_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=7)).isoformat()
    recorded = httpx.post(
        f"{backoffice.url}/api/v1/contacts",
        headers={"Authorization": f"Bearer {channel_key.strip()}"},
        json={
            "identity": {"surname": "De Tester", "given_names": "Anna Maria", "date_of_birth": "1985-03-14"},
            "channel": "phone",
            "topic": "Verhuizing",
            "started_at": week_ago,
        },
    )
    assert recorded.status_code == 201, recorded.text
    try:
        yield backoffice
    finally:
        backoffice.stop()


@pytest.fixture
def page(service: LiveBackoffice) -> Iterator[playwright.Page]:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def sign_in(page: playwright.Page, url: str, user: str, lang: str = "") -> None:
    page.goto(f"{url}/signin{lang}")
    english = lang == "?lang=en"
    page.get_by_label("Username" if english else "Gebruikersnaam").fill(user)
    page.get_by_label("Password" if english else "Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Sign in" if english else "Inloggen").click()


def test_technician_sees_the_fleet_not_citizens(page: playwright.Page, service: LiveBackoffice) -> None:
    sign_in(page, service.url, "theo")
    assert page.get_by_role("link", name="Apparaten").is_visible()
    assert page.get_by_role("link", name="Contacthistorie").count() == 0
    page.get_by_role("link", name="Apparaten").click()
    row = page.get_by_role("row").filter(has_text="kiosk-bieb")
    assert "Bibliotheek Oost" in row.inner_text()
    assert "printer: beperkt – Papier bijna op" in row.inner_text()
    assert row.get_by_role("button", name="Intrekken").is_visible()
    assert page.goto(f"{service.url}/caseworker").status == 403


def test_caseworker_searches_a_history_and_the_look_is_audited(page: playwright.Page, service: LiveBackoffice) -> None:
    sign_in(page, service.url, "carla")
    page.get_by_role("link", name="Contacthistorie").click()
    page.get_by_label("Achternaam").fill("De Tester")
    page.get_by_label("Voornamen").fill("Anna Maria")
    page.get_by_label("Geboortedatum").fill("1985-03-14")
    page.get_by_role("button", name="Zoeken").click()
    assert page.get_by_role("heading", name="Contacten").is_visible()
    history = page.get_by_role("region", name="Contacten").inner_text()
    assert "Verhuizing" in history and "Vorige week gebeld over Verhuizing" in page.content()
    with sqlite3.connect(service.database) as db:
        actions = [row[0] for row in db.execute("SELECT action FROM audit_log")]
    assert "view_contact_history" in actions


def test_admin_pages_in_english_and_by_keyboard(page: playwright.Page, service: LiveBackoffice) -> None:
    sign_in(page, service.url, "ada", "?lang=en")
    page.goto(f"{service.url}/dashboard?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Service dashboard").is_visible()
    assert page.locator("svg title").count() >= 5, "every chart has a title for screen readers"
    assert page.get_by_label("Location", exact=True).is_visible()
    # Keyboard only: Tab reaches the location choice and the button, each with a visible focus ring.
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("document.activeElement.getAttribute('aria-label') || document.activeElement.textContent")
        )
    assert any("Show" in (name or "") for name in reached)
