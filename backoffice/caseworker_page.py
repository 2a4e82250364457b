"""The caseworker page: find a citizen, see every contact across channels on one screen, newest first.

The search is a POST (CSRF-checked) so neither the BSN nor the citizen key ends up in a URL, a browser
history or an access log. Every look writes an audit entry in the same transaction as the look.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import Response

from backoffice.app_state import DbDep, SettingsDep
from backoffice.audit import audit
from backoffice.contacts import HistoryRow, Identity, IdentityError, citizen_keys, history, local_day, relative_words
from backoffice.i18n import translator
from backoffice.roles import Role
from backoffice.settings import Settings
from backoffice.staff_access import require_role, require_role_and_csrf
from backoffice.staff_sessions import StaffContext
from backoffice.visit_times import visit_times
from backoffice.web import language_of, render

router = APIRouter(include_in_schema=False)
CASEWORKER_ROLES = (Role.CASEWORKER, Role.ADMIN)
VIEW_ACTION = "view_contact_history"


def summary_line(rows: list[HistoryRow], settings: Settings, language: str) -> str:
    """ "Vorige week gebeld over Verhuizing": the newest contact in words, for a glance before the table."""
    if not rows:
        return ""
    t = translator(language)
    newest = rows[0].contact
    key, count = relative_words(local_day(newest.started_at, settings), local_day(settings.clock(), settings))
    when = t(f"ago_{key}").format(n=count)
    line = t("history_summary").format(when=when, what=t(f"did_{newest.channel}"), topic=newest.topic)
    return line[:1].upper() + line[1:]


def _rows_for_page(rows: list[HistoryRow], settings: Settings, language: str) -> list[dict[str, Any]]:
    zone = ZoneInfo(settings.display_timezone)
    t = translator(language)
    return [
        {
            "when": row.contact.started_at.astimezone(zone).strftime("%d-%m-%Y %H:%M"),
            "channel": row.contact.channel,
            "times": visit_times(row.contact, t),
            "topic": row.contact.topic,
            "location": row.location or "",
            "outcome": row.contact.outcome or "",
            "caseworker": row.caseworker or "",
            "note": row.contact.note or "",
            "how_did_it_go": (row.contact.feedback or {}).get("how_did_it_go"),
            "how_are_you": (row.contact.feedback or {}).get("how_are_you"),
        }
        for row in rows
    ]


@router.get("/caseworker")
def caseworker_home(
    request: Request, staff: Annotated[StaffContext, Depends(require_role(*CASEWORKER_ROLES))]
) -> Response:
    return render(request, "caseworker.html", {"staff": staff, "searched": False, "form": {}})


@router.post("/caseworker/search")
def search(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    staff: Annotated[StaffContext, Depends(require_role_and_csrf(*CASEWORKER_ROLES))],
    personal_number: Annotated[str, Form(max_length=32)] = "",
    surname: Annotated[str, Form(max_length=200)] = "",
    given_names: Annotated[str, Form(max_length=200)] = "",
    date_of_birth: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    # The form is echoed back only for the name fields, so a caseworker can correct a typo; the BSN is not.
    form = {"surname": surname, "given_names": given_names, "date_of_birth": date_of_birth}
    try:
        born = date.fromisoformat(date_of_birth) if date_of_birth.strip() else None
    except ValueError:
        return _error(request, staff, form, "search_bad_date")
    identity = Identity(personal_number.strip() or None, surname or None, given_names or None, born)
    try:
        keys = citizen_keys(settings, identity)
    except IdentityError:
        error = "search_bad_bsn" if identity.has_personal_number else "search_incomplete"
        return _error(request, staff, form, error)
    rows = history(db, keys)
    for key in keys:
        audit(db, staff.user.username, VIEW_ACTION, key, at=settings.clock())
    db.commit()
    language = language_of(request)
    context = {
        "staff": staff,
        "searched": True,
        "form": form,
        "summary": summary_line(rows, settings, language),
        "rows": _rows_for_page(rows, settings, language),
    }
    return render(request, "caseworker.html", context)


def _error(request: Request, staff: StaffContext, form: dict[str, str], error: str) -> Response:
    return render(request, "caseworker.html", {"staff": staff, "searched": False, "form": form, "error": error}, 422)
