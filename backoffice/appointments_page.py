"""The appointments page: a manager uploads the agenda system's export for a location and sees what came in.

The same parser as `balie backoffice import-appointments` (`agenda_export`), but another policy: the
good entries are imported and every refused one is listed with its reason, so the manager fixes those
rows and uploads the file again (a second import of the same file changes nothing). Importing is
audited: the file carries first names.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from backoffice.agenda_export import AgendaFileRefused, Problem, parse_agenda
from backoffice.app_state import DbDep, SettingsDep
from backoffice.appointments import CHECKED_IN, AppointmentFileError, import_appointments
from backoffice.audit import audit
from backoffice.i18n import translator
from backoffice.models import Location
from backoffice.models_counter import Appointment
from backoffice.roles import Role
from backoffice.settings import Settings
from backoffice.staff_access import require_role, require_role_and_csrf
from backoffice.staff_sessions import StaffContext
from backoffice.web import language_of, render

router = APIRouter(include_in_schema=False)
APPOINTMENT_ROLES = (Role.MANAGER, Role.ADMIN)
IMPORT_ACTION = "import_appointments"
# A day's agenda of a big town hall is well under 100 kB; more is a wrong file, refused before parsing.
MAX_UPLOAD_MB = 2
MAX_UPLOAD = MAX_UPLOAD_MB * 1024 * 1024


def _per_location(db: Session, settings: Settings) -> list[dict[str, Any]]:
    """Appointments from today on per location: how many, and how many checked in (a check after an upload)."""
    zone = ZoneInfo(settings.display_timezone)
    today = datetime.combine(settings.clock().astimezone(zone).date(), time(0), zone)
    rows = db.execute(
        select(
            Location.name,
            func.count(Appointment.id),
            func.coalesce(func.sum(case((Appointment.status == CHECKED_IN, 1), else_=0)), 0),
        )
        .join(Appointment, Appointment.location_id == Location.id)
        .where(Appointment.starts_at >= today)
        .group_by(Location.name)
        .order_by(Location.name)
    )
    return [{"name": name, "upcoming": upcoming, "checked_in": checked_in} for name, upcoming, checked_in in rows]


def _page(
    request: Request,
    db: Session,
    settings: Settings,
    staff: StaffContext,
    chosen: int | None = None,
    status_code: int = 200,
    **result: Any,
) -> Response:
    locations = list(db.scalars(select(Location).order_by(Location.name)))
    context = {
        "staff": staff,
        "locations": locations,
        "chosen": chosen if chosen is not None else (locations[0].id if len(locations) == 1 else None),
        "per_location": _per_location(db, settings),
        "max_upload_mb": MAX_UPLOAD_MB,
        "error": None,
        "result": None,
        **result,
    }
    return render(request, "appointments.html", context, status_code)


@router.get("/appointments")
def appointments_home(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    staff: Annotated[StaffContext, Depends(require_role(*APPOINTMENT_ROLES))],
) -> Response:
    return _page(request, db, settings, staff)


@router.post("/appointments/import")
def upload(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    staff: Annotated[StaffContext, Depends(require_role_and_csrf(*APPOINTMENT_ROLES))],
    location: Annotated[int | None, Form()] = None,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    t = translator(language_of(request))

    def refused(problem: Problem) -> Response:
        return _page(request, db, settings, staff, location, 422, error=problem.text(t))

    place = db.get(Location, location) if location is not None else None
    if place is None:
        return refused(Problem("no_location"))
    if file is None or not file.filename:
        return refused(Problem("no_file"))
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        return refused(Problem("too_large", values={"limit": MAX_UPLOAD_MB}))
    try:
        agenda = parse_agenda(file.filename, data, settings.display_timezone)
    except AgendaFileRefused as exc:
        return refused(exc.problem)
    # Recorded in the import's own transaction (import_appointments commits): both happen, or neither.
    audit(db, staff.user.username, IMPORT_ACTION, f"location:{place.id}", at=settings.clock())
    try:
        outcome = import_appointments(db, settings, place.name, agenda.appointments)
    except AppointmentFileError:  # the location went away between the look-up and the import
        db.rollback()
        return refused(Problem("no_location"))
    result = {
        "location": place.name,
        "entries": agenda.entries,
        "imported": len(agenda.appointments),
        "outcome": outcome,
        "refused": [{"where": p.where(t), "reason": p.reason(t)} for p in agenda.refused],
    }
    return _page(request, db, settings, staff, place.id, result=result)
