"""Staff security through HTTP: sign-in, rate limit, sessions, CSRF, roles on every route, the audit log."""

from __future__ import annotations

from datetime import datetime, timedelta

from backoffice_harness import Backoffice, UtcClock
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from backoffice.app import create_app
from backoffice.audit import audit
from backoffice.models import AuditEntry, SignInFailure, StaffSession
from backoffice.roles import Role
from backoffice.settings import Settings
from backoffice.staff_sessions import SESSION_COOKIE

PUBLIC_PAGES = {"/signin"}


def test_sign_in_sets_a_strict_http_only_session_cookie_and_opens_the_start_page(backoffice: Backoffice) -> None:
    backoffice.add_user("JdeVries", Role.TECHNICIAN)
    token = backoffice.csrf_of("/signin")
    answer = backoffice.client.post(
        "/signin",
        data={"username": "jdevries", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )

    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Secure" not in cookie
    home = backoffice.client.get("/")
    assert home.status_code == 200 and "jdevries" in home.text
    with backoffice.db() as db:
        stored = db.scalars(select(StaffSession)).one()
        assert backoffice.client.cookies[SESSION_COOKIE] != stored.token_hash


def test_the_session_cookie_is_secure_over_https(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    backoffice.client.base_url = backoffice.client.base_url.copy_with(scheme="https")
    token = backoffice.csrf_of("/signin")
    answer = backoffice.client.post(
        "/signin",
        data={"username": "ann", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_or_unknown_user_is_refused_with_one_message(backoffice: Backoffice) -> None:
    backoffice.add_user("piet", Role.CASEWORKER)

    assert backoffice.sign_in("piet", "wrong password!!") == 401
    assert backoffice.sign_in("nobody", "wrong password!!") == 401
    assert SESSION_COOKIE not in backoffice.client.cookies
    page = backoffice.client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")


def test_five_failures_lock_the_username_for_fifteen_minutes(backoffice: Backoffice) -> None:
    backoffice.add_user("piet", Role.CASEWORKER)
    for _ in range(5):
        assert backoffice.sign_in("piet", "wrong password!!") == 401

    locked = backoffice.client.post(
        "/signin",
        data={"username": "piet", "password": "correct horse battery", "csrf_token": backoffice.csrf_of("/signin")},
    )
    assert locked.status_code == 429
    assert "15 minuten" in locked.text and locked.headers["retry-after"] == "900"

    backoffice.clock.advance(minutes=15, seconds=1)
    assert backoffice.sign_in("piet") == 303


def test_failures_are_counted_per_client_address_too(backoffice: Backoffice) -> None:
    backoffice.add_user("piet", Role.CASEWORKER)
    for number in range(20):
        assert backoffice.sign_in(f"guess{number}", "wrong password!!") == 401
    assert backoffice.sign_in("piet") == 429


def test_the_rate_limit_stores_no_usernames_or_addresses(backoffice: Backoffice) -> None:
    backoffice.sign_in("marieke", "wrong password!!")
    with backoffice.db() as db:
        subjects = [failure.subject_hash for failure in db.scalars(select(SignInFailure))]
    assert len(subjects) == 2
    assert not any("marieke" in s or "testclient" in s for s in subjects)


def test_sign_out_ends_the_session_on_the_server(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    assert backoffice.sign_in("ann") == 303
    stolen = backoffice.client.cookies[SESSION_COOKIE]

    answer = backoffice.client.post("/signout", data={"csrf_token": backoffice.csrf_of("/")}, follow_redirects=False)

    assert answer.status_code == 303 and answer.headers["location"] == "/signin"
    backoffice.client.cookies.set(SESSION_COOKIE, stolen)
    assert backoffice.client.get("/", follow_redirects=False).status_code == 303


def test_a_session_expires(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    backoffice.sign_in("ann")
    backoffice.clock.advance(hours=8, seconds=1)
    assert backoffice.client.get("/", follow_redirects=False).status_code == 303


def _stored_deadline(backoffice: Backoffice) -> datetime:
    with backoffice.db() as db:
        return db.scalars(select(StaffSession)).one().expires_at


def test_a_session_left_alone_for_the_idle_timeout_ends(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    backoffice.sign_in("ann")
    backoffice.clock.advance(minutes=29, seconds=59)
    assert backoffice.client.get("/", follow_redirects=False).status_code == 200
    backoffice.clock.advance(minutes=30)
    answer = backoffice.client.get("/fleet", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?next=%2Ffleet"


def test_activity_extends_the_idle_deadline_but_not_the_lifetime(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    backoffice.sign_in("ann")
    for _ in range(7 * 3):  # a request every 20 minutes for 7 hours: never idle for 30 minutes
        backoffice.clock.advance(minutes=20)
        assert backoffice.client.get("/", follow_redirects=False).status_code == 200
    backoffice.clock.advance(minutes=20)
    assert backoffice.client.get("/", follow_redirects=False).status_code == 200  # 7 h 20 min
    backoffice.clock.advance(minutes=20)  # 7 h 40 min: idle deadline 8 h 10 min, but the lifetime ends at 8 h
    assert backoffice.client.get("/", follow_redirects=False).status_code == 200
    backoffice.clock.advance(minutes=20, seconds=1)
    assert backoffice.client.get("/", follow_redirects=False).status_code == 303


def test_the_idle_deadline_is_written_at_most_once_a_minute(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    backoffice.sign_in("ann")
    signed_in = _stored_deadline(backoffice)
    assert signed_in == backoffice.clock() + backoffice.settings.session_idle_timeout

    backoffice.clock.advance(seconds=59)
    for _ in range(5):
        backoffice.client.get("/")
    assert _stored_deadline(backoffice) == signed_in, "no write within the minute"

    backoffice.clock.advance(seconds=1)
    backoffice.client.get("/")
    assert _stored_deadline(backoffice) == backoffice.clock() + backoffice.settings.session_idle_timeout


def test_the_idle_timeout_is_a_setting(database_url: str) -> None:
    clock = UtcClock()
    settings = Settings(
        database_url=database_url, secret_key=b"test", clock=clock, session_idle_timeout=timedelta(minutes=5)
    )
    app = create_app(settings)
    with TestClient(app) as client:
        backoffice = Backoffice(app=app, client=client, settings=settings, clock=clock)
        backoffice.add_user("ann", Role.ADMIN)
        backoffice.sign_in("ann")
        clock.advance(minutes=4)
        assert client.get("/", follow_redirects=False).status_code == 200
        clock.advance(minutes=4)
        assert client.get("/", follow_redirects=False).status_code == 200
        clock.advance(minutes=5)
        assert client.get("/", follow_redirects=False).status_code == 303


def test_a_post_without_the_csrf_token_is_refused(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    assert backoffice.sign_in("ann") == 303

    assert backoffice.client.post("/signout").status_code == 403
    assert backoffice.client.post("/signout", data={"csrf_token": "guessed"}).status_code == 403
    assert backoffice.client.get("/", follow_redirects=False).status_code == 200  # still signed in


def test_the_sign_in_form_needs_its_csrf_token(backoffice: Backoffice) -> None:
    backoffice.add_user("ann", Role.ADMIN)
    backoffice.client.get("/signin")
    answer = backoffice.client.post("/signin", data={"username": "ann", "password": "correct horse battery"})
    assert answer.status_code == 403
    assert SESSION_COOKIE not in backoffice.client.cookies


def test_a_caseworker_cannot_open_the_fleet_page_and_a_technician_can(backoffice: Backoffice) -> None:
    backoffice.add_user("carla", Role.CASEWORKER)
    backoffice.add_user("tom", Role.TECHNICIAN)

    backoffice.sign_in("carla")
    refused = backoffice.client.get("/fleet")
    assert refused.status_code == 403 and "Geen toegang" in refused.text
    assert 'href="/fleet"' not in backoffice.client.get("/").text

    backoffice.client.cookies.clear()
    backoffice.sign_in("tom")
    assert backoffice.client.get("/fleet").status_code == 200
    assert 'href="/fleet"' in backoffice.client.get("/").text


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(backoffice: Backoffice) -> None:
    backoffice.add_user("tom", Role.TECHNICIAN)
    answer = backoffice.client.get("/fleet?lang=en", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/signin?next=%2Ffleet&lang=en"

    token = backoffice.csrf_of(answer.headers["location"])
    back = backoffice.client.post(
        answer.headers["location"],
        data={"username": "tom", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert back.headers["location"] == "/fleet?lang=en"


def test_sign_in_never_redirects_to_another_site(backoffice: Backoffice) -> None:
    backoffice.add_user("tom", Role.TECHNICIAN)
    token = backoffice.csrf_of("/signin")
    answer = backoffice.client.post(
        "/signin?next=//evil.example/",
        data={"username": "tom", "password": "correct horse battery", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_every_staff_route_checks_the_role(backoffice: Backoffice) -> None:
    """A new page without a role check fails here, before it reaches a town hall."""
    for route in backoffice.app.routes:
        if not isinstance(route, APIRoute) or route.path.startswith("/api/") or route.path in PUBLIC_PAGES:
            continue
        checks = [d.call for d in route.dependant.dependencies if hasattr(d.call, "staff_roles")]
        assert checks, f"{route.path} has no role check"


def test_audit_entries_are_stored_with_the_look_they_record(backoffice: Backoffice) -> None:
    with backoffice.db() as db:
        audit(db, "carla", "contact_history.view", "citizen:3f2a", at=backoffice.clock())
        db.commit()
    with backoffice.db() as db:
        entry = db.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.action, entry.subject, entry.at) == (
            "carla",
            "contact_history.view",
            "citizen:3f2a",
            backoffice.clock(),
        )
    with backoffice.db() as db:
        audit(db, "carla", "contact_history.view", "citizen:9999")
        db.rollback()  # the look failed: no entry claims it happened
    with backoffice.db() as db:
        assert len(db.scalars(select(AuditEntry)).all()) == 1


def test_start_page_links_the_pages_of_the_role(backoffice: Backoffice) -> None:
    for username, role, expected, hidden in (
        (
            "carla",
            Role.CASEWORKER,
            ["/caseworker", "/console", "/console/desk"],
            ["/fleet", "/dashboard", "/appointments"],
        ),
        ("theo", Role.TECHNICIAN, ["/fleet"], ["/caseworker", "/console", "/dashboard", "/appointments"]),
        ("mira", Role.MANAGER, ["/dashboard", "/appointments"], ["/caseworker", "/console", "/fleet"]),
        ("ada", Role.ADMIN, ["/caseworker", "/console", "/console/desk", "/dashboard", "/appointments", "/fleet"], []),
    ):
        backoffice.add_user(username, role)
        backoffice.client.cookies.clear()
        assert backoffice.sign_in(username) in (302, 303)
        home = backoffice.client.get("/").text
        for path in expected:
            assert f'href="{path}' in home, (role, path)
        for path in hidden:
            assert f'href="{path}' not in home, (role, path)
