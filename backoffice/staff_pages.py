"""Sign-in, sign-out and the start page of the staff web pages."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from backoffice import appointments_page
from backoffice.app_state import DbDep, SettingsDep
from backoffice.calls.signaling import CONSOLE_ROLES
from backoffice.desk.access import DESK_ROLES
from backoffice.passwords import verify_password
from backoffice.roles import ALL_ROLES, FLEET_ROLES, Role
from backoffice.signin_limit import clear_user_failures, is_limited, record_failure, subjects_for
from backoffice.staff_access import require_role, require_role_and_csrf
from backoffice.staff_sessions import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    StaffContext,
    end_session,
    presession_csrf,
    start_session,
    tokens_match,
)
from backoffice.users import find_user
from backoffice.web import language_of, localised, render

router = APIRouter(include_in_schema=False)
# The appointments page comes in with the start page that links it (app.py includes this router).
router.include_router(appointments_page.router)
# The start page links every page the role may open (the pages themselves check again).
_PAGES: list[tuple[str, str, frozenset[Role]]] = [
    ("/caseworker", "caseworker_title", frozenset({Role.CASEWORKER, Role.ADMIN})),
    ("/console", "console_title", CONSOLE_ROLES),
    ("/console/desk", "desk_page_title", DESK_ROLES),
    ("/dashboard", "dashboard_title", frozenset({Role.MANAGER, Role.ADMIN})),
    ("/appointments", "appointments_title", frozenset(appointments_page.APPOINTMENT_ROLES)),
    ("/fleet", "fleet_title", FLEET_ROLES),
]
PAGES_FOR_ROLE: dict[Role, list[tuple[str, str]]] = {
    role: [(path, title) for path, title, roles in _PAGES if role in roles] for role in Role
}


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _signin_page(request: Request, nonce: str, settings: SettingsDep, error: str = "", status: int = 200) -> Response:
    response = render(
        request,
        "signin.html",
        {"csrf_token": presession_csrf(settings, nonce), "error": error, "next": _safe_next(request)},
        status_code=status,
    )
    response.set_cookie(
        PRESESSION_COOKIE, nonce, httponly=True, samesite="strict", secure=_secure(request), path="/signin"
    )
    return response


def _safe_next(request: Request) -> str:
    # Only our own paths: an open redirect after sign-in would help phishing.
    wanted = request.query_params.get("next", "/")
    return wanted if wanted.startswith("/") and not wanted.startswith("//") else "/"


@router.get("/signin")
def signin_form(request: Request, settings: SettingsDep) -> Response:
    nonce = request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(16)
    return _signin_page(request, nonce, settings)


@router.post("/signin")
def signin(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    nonce = request.cookies.get(PRESESSION_COOKIE, "")
    if not nonce or not tokens_match(presession_csrf(settings, nonce), csrf_token):
        return render(request, "message.html", {"title": "forbidden_title", "message": "forbidden_csrf"}, 403)
    address = request.client.host if request.client else "unknown"
    subjects = subjects_for(settings, username.strip().lower(), address)
    if is_limited(db, settings, subjects):
        response = _signin_page(request, nonce, settings, "signin_limited", 429)
        response.headers["Retry-After"] = str(int(settings.signin_window.total_seconds()))
        return response
    user = find_user(db, username)
    known_hash = user.password_hash if user is not None and user.active else None
    if not verify_password(known_hash, password) or user is None:
        record_failure(db, settings, subjects)
        db.commit()
        return _signin_page(request, nonce, settings, "signin_failed", 401)
    clear_user_failures(db, subjects)
    token = start_session(db, settings, user)
    db.commit()
    response = RedirectResponse(localised(_safe_next(request), language_of(request)), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    response.delete_cookie(PRESESSION_COOKIE, path="/signin")
    return response


@router.post("/signout")
def signout(
    request: Request, db: DbDep, staff: Annotated[StaffContext, Depends(require_role_and_csrf(*ALL_ROLES))]
) -> Response:
    end_session(db, request.cookies.get(SESSION_COOKIE))
    db.commit()
    response = RedirectResponse(localised("/signin", language_of(request)), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request, staff: Annotated[StaffContext, Depends(require_role(*ALL_ROLES))]) -> Response:
    return render(request, "home.html", {"staff": staff, "pages": PAGES_FOR_ROLE[staff.user.role]})
