"""The desk page in headless Chromium against a real `balie backoffice serve`: driven by role and name.

A kiosk takes a ticket over the device API; an administrator creates desk 3 on the page; a caseworker
signs in to it, calls next, and finishes the visit with an outcome. The database shows each step; the
counter link's panel would hear each change as a `balie:desk` event; the page passes the accessibility
and language pass (page_audit.py) in both languages.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import playwright.sync_api as playwright
import pytest
from page_audit import audit_page

from kiosk.backoffice_client import BackofficeClient
from tests.live_backoffice import LiveBackoffice, balie

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
SCREENSHOT = Path("/tmp/desk-page.png")
# Collects the page's events for the counter link's panel from the first script on.
LISTEN = "window.deskEvents = []; document.addEventListener('balie:desk', (e) => window.deskEvents.push(e.detail));"


def audit_desk_part(page: playwright.Page, language: str) -> list[str]:
    """The accessibility pass over the desk queue's part of the page: the counter link's panel (its own
    template, included into the side panel) is taken out first, its own tests pass it."""
    page.evaluate("document.querySelectorAll('.desk-side').forEach((side) => side.replaceChildren())")
    return audit_page(page, language)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveBackoffice]:
    if not CHROMIUM.exists() or shutil.which("chromium") is None:
        pytest.fail("Chromium is missing: provisioning/setup-debian.sh --test installs it (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("desk")
    backoffice = LiveBackoffice(folder)
    backoffice.start()
    secret = folder / "password"
    secret.write_text(PASSWORD + "\n")
    for user, role in (("ada", "admin"), ("carla", "caseworker")):
        balie("backoffice", "add-user", "--username", user, "--role", role, "--password-file", str(secret),
              "--database", str(backoffice.database))  # fmt: skip
    try:
        yield backoffice
    finally:
        backoffice.stop()


@pytest.fixture
def kiosk(service: LiveBackoffice) -> Iterator[BackofficeClient]:
    enrolling = BackofficeClient(service.url)
    token = enrolling.enroll(service.enrollment_code("Stadhuis Zwolle"), f"kiosk-{uuid.uuid4().hex[:6]}", "0.1.0").token
    enrolling.close()
    client = BackofficeClient(service.url, token)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def browser() -> Iterator[playwright.Browser]:
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            launched.close()


def signed_in(browser: playwright.Browser, url: str, user: str, lang: str = "") -> playwright.Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.add_init_script(LISTEN)
    page.goto(f"{url}/signin?next=/console/desk{'&lang=en' if lang else ''}")
    page.get_by_label("Username" if lang else "Gebruikersnaam").fill(user)
    page.get_by_label("Password" if lang else "Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Sign in" if lang else "Inloggen").click()
    page.wait_for_url("**/console/desk*")
    return page


def row(database: Path, sql: str, *params: Any) -> tuple[Any, ...]:
    with sqlite3.connect(database) as db:
        found = db.execute(sql, params).fetchone()
    assert found is not None, sql
    return tuple(found)


def test_a_caseworker_calls_the_kiosks_ticket_to_desk_3_and_finishes_the_visit(
    service: LiveBackoffice, kiosk: BackofficeClient, browser: playwright.Browser
) -> None:
    number = kiosk.take_ticket("B", str(uuid.uuid4()), "en")["number"]

    admin = signed_in(browser, service.url, "ada")
    admin.get_by_text("Balie aanmaken").first.click()
    admin.get_by_label("Locatie").select_option(label="Stadhuis Zwolle")
    admin.get_by_label("Naam (wat het scherm zegt, bijv. 3)").fill("3")
    admin.get_by_label("Onderwerpen (letters in volgorde, leeg: alle)").fill("BA")
    admin.get_by_role("button", name="Balie aanmaken").click()
    playwright.expect(admin.get_by_role("status").filter(has_text="Balie 3 is aangemaakt.")).to_be_visible()
    admin.context.close()

    page = signed_in(browser, service.url, "carla")
    page.get_by_label("Kies een balie").select_option(label="Balie 3 – Stadhuis Zwolle")
    page.get_by_role("button", name="Aanmelden bij balie").click()
    playwright.expect(page.get_by_text("Balie 3, Stadhuis Zwolle")).to_be_visible()
    waiting = page.get_by_role("list", name="B – Rijbewijs (1)")
    playwright.expect(waiting.get_by_role("listitem")).to_have_count(1)
    playwright.expect(waiting).to_contain_text(number)

    page.get_by_role("button", name="Volgende").click()
    playwright.expect(
        page.get_by_role("status").filter(has_text=f"{number} is opgeroepen naar balie 3.")
    ).to_be_visible()
    assert row(service.database, "SELECT status FROM tickets WHERE number = ?", number) == ("called",)
    assert row(service.database, "SELECT label, kind, language FROM queue_calls ORDER BY id DESC") == (
        number,
        "call",
        "en",
    )
    playwright.expect(page.get_by_role("button", name="Volgende")).to_be_disabled()
    page.get_by_role("button", name="Opnieuw oproepen").click()
    playwright.expect(page.get_by_text("1× opnieuw opgeroepen")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "recall"  # the keyboard stays in the visit
    before_reload = page.evaluate("window.deskEvents")
    page.reload()  # the accessibility pass tabs from the top, as after opening the page
    playwright.expect(page.get_by_text("1× opnieuw opgeroepen")).to_be_visible()
    problems = audit_desk_part(page, "nl")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Uitkomst").fill("Rijbewijs verlengd")
    page.get_by_label("Notitie").fill("pasfoto was goed")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.get_by_role("button", name="Afronden").click()
    playwright.expect(page.get_by_role("status").filter(has_text="Bezoek afgerond en vastgelegd.")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "call-next"

    assert problems == [], "\n".join(problems)
    assert row(service.database, "SELECT status, done_at IS NOT NULL FROM tickets WHERE number = ?", number) == (
        "done",
        1,
    )
    status, outcome, waited, served = row(
        service.database, "SELECT status, outcome, waited_seconds, service_seconds FROM visits"
    )
    assert (status, outcome) == ("done", "Rijbewijs verlengd")
    assert 0 <= waited < 120 and 0 <= served < 120
    actions = [a for (a,) in sqlite3.connect(service.database).execute("SELECT action FROM audit_log")]
    assert [a for a in actions if a.startswith("desk.")] == [
        "desk.create",
        "desk.sign_in",
        "desk.call",
        "desk.recall",
        "desk.done",
    ]
    at_desk, in_visit = {"deskId": 1, "deskName": "3", "visit": None}, {"label": number, "topic": "B"}
    assert before_reload == [{"deskId": None, "deskName": None, "visit": None}, at_desk, {**at_desk, "visit": in_visit}]
    assert page.evaluate("window.deskEvents") == [{**at_desk, "visit": in_visit}, at_desk]
    page.get_by_role("button", name="Afmelden bij balie").click()
    playwright.expect(page.get_by_role("button", name="Aanmelden bij balie")).to_be_visible()


def test_the_page_in_english_says_why_when_nobody_waits_and_passes_the_audit(
    service: LiveBackoffice, browser: playwright.Browser
) -> None:
    balie("backoffice", "desk", "--location", "Stadhuis Zwolle", "--name", "7", "--database", str(service.database))
    page = signed_in(browser, service.url, "carla", "en")
    page.get_by_label("Choose a desk").select_option(label="Desk 7 – Stadhuis Zwolle")
    page.get_by_role("button", name="Sign in to desk").click()
    playwright.expect(page.get_by_text("Desk 7, Stadhuis Zwolle")).to_be_visible()
    page.get_by_role("button", name="Call next").click()
    alert = page.get_by_role("alert").filter(has_text="Error: nobody is waiting for this desk")
    playwright.expect(alert).to_have_text("Error: nobody is waiting for this desk")
    page.reload()
    playwright.expect(page.get_by_text("Desk 7, Stadhuis Zwolle")).to_be_visible()

    assert audit_desk_part(page, "en") == []
    page.get_by_role("button", name="Sign out of desk").click()
    playwright.expect(page.get_by_role("button", name="Sign in to desk")).to_be_visible()
