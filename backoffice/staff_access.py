"""Who may open a staff page: a dependency on every staff route checks the session, the role and, on POST, CSRF.

Refusals are exceptions the app turns into pages once: not signed in → to the sign-in page, wrong role
or bad CSRF token → 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Form, Request

from backoffice.app_state import DbDep, SettingsDep
from backoffice.roles import Role
from backoffice.staff_sessions import SESSION_COOKIE, StaffContext, find_session, tokens_match


class NotSignedIn(Exception):
    """No valid session: the browser is sent to the sign-in page."""


class Forbidden(Exception):
    """Signed in but not allowed; `reason` is a text key ("forbidden_role", "forbidden_csrf")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


StaffDependency = Callable[..., StaffContext]


def _signed_in(request: Request, db: DbDep, settings: SettingsDep, roles: frozenset[Role]) -> StaffContext:
    context = find_session(db, settings, request.cookies.get(SESSION_COOKIE))
    if context is None:
        raise NotSignedIn()
    if context.user.role not in roles:
        raise Forbidden("forbidden_role")
    return context


def require_role(*roles: Role) -> StaffDependency:
    """For pages that only show (GET): a valid session whose role is one of `roles`."""
    allowed = frozenset(roles)

    def dependency(request: Request, db: DbDep, settings: SettingsDep) -> StaffContext:
        return _signed_in(request, db, settings, allowed)

    dependency.staff_roles = allowed  # type: ignore[attr-defined]  # read by the route-coverage test
    return dependency


def require_role_and_csrf(*roles: Role) -> StaffDependency:
    """For state-changing requests (POST): the role check plus the session's CSRF token from a hidden field."""
    allowed = frozenset(roles)

    def dependency(
        request: Request, db: DbDep, settings: SettingsDep, csrf_token: Annotated[str, Form()] = ""
    ) -> StaffContext:
        context = _signed_in(request, db, settings, allowed)
        if not tokens_match(context.csrf_token, csrf_token):
            raise Forbidden("forbidden_csrf")
        return context

    dependency.staff_roles = allowed  # type: ignore[attr-defined]
    return dependency
