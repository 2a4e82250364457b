"""The staff pages in headless Chromium, driven by role and label as an assistive technology would.

A real `balie backoffice serve` process, real HTTP, a real browser: sign-in, the start page per
role, the fleet with a device's health, a contact-history search, the dashboard, an appointment
upload, English with `?lang=en`, the keyboard alone, and an accessibility and language pass
(page_audit.py) over every page in both languages.
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
from page_audit import audit_page

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
    for user, role in (("ada", "admin"), ("theo", "technician"), ("carla", "caseworker"), ("mira", "manager")):
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
    history = page.get_by_role("region", name="Contacten", exact=True).inner_text()
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


# Invented people; the second row's code is too short, the third's start is not a time.
AGENDA = """code,start,topic,first_name
K7Q2-9XZD,2031-03-02T10:30,Paspoort aanvragen,Fenna
M4TR,2031-03-02T11:00,Rijbewijs,Joris
P9LD6HNA,morgen om elf,Verhuizing,Saskia
"""


def test_manager_uploads_the_agenda_and_sees_each_refused_row(
    page: playwright.Page, service: LiveBackoffice, tmp_path: Path
) -> None:
    agenda = tmp_path / "agenda.csv"
    agenda.write_text(AGENDA)
    sign_in(page, service.url, "mira")
    page.get_by_role("link", name="Afspraken").click()
    page.get_by_label("Locatie", exact=True).select_option(label="Bibliotheek Oost")
    page.get_by_label("Bestand (CSV of JSON)").set_input_files(agenda)
    page.get_by_role("button", name="Importeren").click()

    assert page.get_by_role("status").inner_text() == "1 van 3 afspraken geïmporteerd voor Bibliotheek Oost."
    refused = page.get_by_role("table", name="Geweigerd: 2")
    assert refused.get_by_role("row", name="rij 3 de code moet 8 letters en cijfers zijn").is_visible()
    assert refused.get_by_role("row").filter(has_text="rij 4").inner_text().startswith("rij 4\tstart 'morgen om elf'")
    assert page.get_by_role("table", name="Afspraken vanaf vandaag").get_by_role("cell", name="1").count() == 1
    with sqlite3.connect(service.database) as db:
        assert [row[0] for row in db.execute("SELECT code FROM appointments")] == ["K7Q29XZD"]


def _sign_in_and_visit(page: playwright.Page, url: str, lang: str, user: str) -> None:
    page.goto(f"{url}/signin{lang}")
    page.locator("#username").fill(user)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_passes_the_accessibility_and_language_pass(
    page: playwright.Page, service: LiveBackoffice, tmp_path: Path, language: str
) -> None:
    """Each staff page and state (errors, results, refusals) in both languages: see page_audit.py for the checks."""
    lang = "?lang=en" if language == "en" else ""
    url = service.url
    agenda, wrong = tmp_path / "agenda.csv", tmp_path / "agenda.txt"
    agenda.write_text(AGENDA)
    wrong.write_text("not an agenda")
    found: dict[str, list[str]] = {}

    def audit(name: str) -> None:
        page.wait_for_load_state()
        found[name] = audit_page(page, language)

    def submit() -> None:
        page.locator("main form button[type=submit]").click()

    page.goto(f"{url}/signin{lang}")
    audit("sign-in")
    page.locator("#username").fill("ada")
    page.locator("#password").fill("not the password")
    submit()
    audit("sign-in refused")
    _sign_in_and_visit(page, url, lang, "ada")
    audit("start")
    for path in ("/fleet", "/dashboard", "/caseworker", "/appointments", "/console"):
        page.goto(f"{url}{path}{lang}")
        audit(path)
    page.goto(f"{url}/caseworker{lang}")
    page.locator("#surname").fill("De Tester")
    page.locator("#given_names").fill("Anna Maria")
    page.locator("#date_of_birth").fill("1985-03-14")
    submit()
    audit("/caseworker with a history")
    page.locator("#personal_number").fill("123")
    submit()
    audit("/caseworker with a wrong BSN")
    page.goto(f"{url}/appointments{lang}")
    page.locator("#file").set_input_files(agenda)
    submit()
    audit("/appointments with refused rows")
    page.locator("#file").set_input_files(wrong)
    submit()
    audit("/appointments with a wrong file")
    page.context.clear_cookies()
    _sign_in_and_visit(page, url, lang, "theo")
    page.goto(f"{url}/dashboard{lang}")
    audit("no access")

    problems = {name: found_here for name, found_here in found.items() if found_here}
    assert len(found) == 13
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())


BROKEN_PAGE = """<!doctype html><html lang="nl"><head><title>Test</title>
<style>.faint { color: #aaa } .dark { background: #154273 } .dark a { color: #1b1b1b } .bare { outline: none }</style>
</head><body>
<h1>Een</h1><h1>Twee</h1><h3>Drie</h3>
<p class="faint">Lichtgrijs</p>
<div class="dark"><a href="#">Donker op donker</a></div>
<button class="bare"></button>
<button aria-label="Verwijderen">Intrekken</button>
<input id="naamloos" style="border: 1px solid #eee">
<img src="data:,">
<svg width="10" height="10"><rect width="10" height="10"/></svg>
<p aria-describedby="weg">Zoeken</p>
<p>device_state_ok</p>
<table><tr><td>1</td></tr></table>
<div style="width: 400px">Te breed</div>
</body></html>"""


def test_the_pass_finds_what_it_is_meant_to_find(page: playwright.Page) -> None:
    """The audit is only worth its silence on the real pages if it speaks up on a broken one."""
    page.set_content(BROKEN_PAGE)

    found = "\n".join(audit_page(page, "en"))

    for expected in (
        'html lang is "nl", expected "en"',
        "2 h1 elements",
        "is an h3 after an h1",
        'contrast 2.32:1 < 4.5:1 for <p> "Lichtgrijs"',
        'contrast 1.69:1 < 4.5:1 for <a> "Donker op donker"',
        "role button without an accessible name",
        'its name "Verwijderen" lacks the text it shows',
        '<input id=naamloos> "" has no label',
        "has no alt attribute",
        'an svg without role="img" and a name',
        'refers to a missing id "weg"',
        "a table without a caption",
        "untranslated (nl 'search_button'): 'Zoeken'",
        "a raw text key on the page: 'device_state_ok'",
        "at 320 px wide, <div",
        'focus on <button> "" shows no indicator of 3:1',
        "the edge of <input id=naamloos>",
    ):
        assert expected in found, expected
