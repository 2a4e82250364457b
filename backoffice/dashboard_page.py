"""The manager dashboard: visits, tickets, check-ins, calls and feedback per location and day, last 14 days.

Charts are inline SVG drawn on the server (no script, nothing to load from elsewhere), each with a
title, a description and the same numbers as a table, so a screen reader user gets every figure
(WCAG 2.2 AA 1.1.1, 1.3.1). Days are local calendar days; counting happens in Python over one
query per source because bucketing by local day is not portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from backoffice.app_state import DbDep, SettingsDep
from backoffice.contacts import Channel
from backoffice.desk.dashboard_section import desk_section
from backoffice.i18n import translator
from backoffice.models import Event, Location
from backoffice.models_contacts import Contact
from backoffice.roles import Role
from backoffice.settings import Settings
from backoffice.staff_access import require_role
from backoffice.staff_sessions import StaffContext
from backoffice.web import language_of, render

router = APIRouter(include_in_schema=False)
DASHBOARD_ROLES = (Role.MANAGER, Role.ADMIN)
DAYS = 14
COUNTED_EVENTS = {"session_started": "visits", "ticket_issued": "tickets", "checked_in": "checkins"}
METRICS = ("visits", "tickets", "checkins", "calls")

# Chart geometry in SVG user units; the SVG scales to the page width.
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 56


@dataclass
class Tally:
    """The figures of one location on one day."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    scores: list[int] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for metric in METRICS:
            self.counts[metric] += other.counts[metric]
        self.scores.extend(other.scores)

    @property
    def average(self) -> float | None:
        return sum(self.scores) / len(self.scores) if self.scores else None


def _score(value: Any) -> int | None:
    # Only whole scores 1–4 count: a kiosk with a bug must not drag the average to 37.
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4 else None


def tally(
    db: Session, settings: Settings, days: list[date], location_id: int | None
) -> dict[tuple[int | None, date], Tally]:
    """Figures per (location, local day) for `days`, optionally for one location only."""
    zone = ZoneInfo(settings.display_timezone)
    start = datetime.combine(days[0], time(0), zone)
    end = datetime.combine(days[-1] + timedelta(days=1), time(0), zone)
    found: dict[tuple[int | None, date], Tally] = defaultdict(Tally)

    events = select(Event.location_id, Event.type, Event.occurred_at, Event.data).where(
        Event.occurred_at >= start, Event.occurred_at < end, Event.type.in_([*COUNTED_EVENTS, "feedback"])
    )
    if location_id is not None:
        events = events.where(Event.location_id == location_id)
    for where, kind, occurred_at, data in db.execute(events):
        figures = found[(where, occurred_at.astimezone(zone).date())]
        if kind == "feedback":
            score = _score((data or {}).get("score"))
            if score is not None:
                figures.scores.append(score)
        else:
            figures.counts[COUNTED_EVENTS[kind]] += 1

    contacts = select(Contact.location_id, Contact.channel, Contact.started_at, Contact.feedback).where(
        Contact.started_at >= start, Contact.started_at < end
    )
    if location_id is not None:
        contacts = contacts.where(Contact.location_id == location_id)
    for where, channel, started_at, feedback in db.execute(contacts):
        figures = found[(where, started_at.astimezone(zone).date())]
        if channel == Channel.VIDEO.value:
            figures.counts["calls"] += 1
        score = _score((feedback or {}).get("how_did_it_go"))
        if score is not None:
            figures.scores.append(score)
    return found


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Chart:
    """One bar chart, laid out for the template: bars, y-axis ticks, axis titles and a text summary."""

    id: str
    title: str
    description: str
    x_title: str
    y_title: str
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    labels: list[str]
    values: list[str]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT


def _nice_top(highest: float) -> int:
    for top in (1, 2, 4, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000):
        if highest <= top:
            return top
    return int(highest) + 1


DECIMAL_MARK = {"nl": ",", "en": "."}


def _fmt(value: float | None, decimal_mark: str = ",") -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", decimal_mark)


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    x_title: str,
    y_title: str,
    labels: list[str],
    values: list[float | None],
    top: float | None = None,
    decimal_mark: str = ",",
) -> Chart:
    ceiling = top if top is not None else _nice_top(max((v or 0 for v in values), default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / len(values)
    bars = []
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = plot_height * (value or 0) / ceiling
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=label,
                value=_fmt(value, decimal_mark),
            )
        )
    # Whole-number ticks: counts of 1 or 2 must not show "0,2" and "0,8" on the axis.
    intervals = int(ceiling) if ceiling <= 5 and float(ceiling).is_integer() else 5
    ticks = [
        (round(TOP + plot_height * (1 - step / intervals), 1), _fmt(ceiling * step / intervals, decimal_mark))
        for step in range(intervals + 1)
    ]
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        x_title=x_title,
        y_title=y_title,
        bars=bars,
        ticks=ticks,
        labels=labels,
        values=[_fmt(v, decimal_mark) for v in values],
    )


def _location_choice(request: Request, locations: list[Location]) -> int | None:
    wanted = request.query_params.get("location", "")
    return next((loc.id for loc in locations if str(loc.id) == wanted), None)


@router.get("/dashboard")
def dashboard(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    staff: Annotated[StaffContext, Depends(require_role(*DASHBOARD_ROLES))],
) -> Response:
    language = language_of(request)
    t = translator(language)
    mark = DECIMAL_MARK[language]
    locations = list(db.scalars(select(Location).order_by(Location.name)))
    chosen = _location_choice(request, locations)
    today = settings.clock().astimezone(ZoneInfo(settings.display_timezone)).date()
    days = [today - timedelta(days=DAYS - 1 - offset) for offset in range(DAYS)]
    figures = tally(db, settings, days, chosen)

    per_day = {day: Tally() for day in days}
    per_location: dict[int | None, Tally] = defaultdict(Tally)
    for (where, day), found in figures.items():
        per_day[day].add(found)
        per_location[where].add(found)
    labels = [day.strftime("%d-%m") for day in days]
    period = t("dashboard_period").format(first=labels[0], last=labels[-1])

    charts = []
    for metric in METRICS:
        values: list[float | None] = [per_day[day].counts[metric] for day in days]
        total = sum(int(v or 0) for v in values)
        description = t("chart_count_desc").format(period=period, total=total)
        charts.append(bar_chart(metric, t(f"metric_{metric}"), description, t("day"), t("number"), labels, values))
    averages = [per_day[day].average for day in days]
    all_scores = [score for day in days for score in per_day[day].scores]
    overall = _fmt(sum(all_scores) / len(all_scores), mark) if all_scores else "–"
    description = t("chart_score_desc").format(period=period, average=overall, count=len(all_scores))
    charts.append(
        bar_chart(
            "feedback", t("metric_feedback"), description, t("day"), t("average_score"), labels, averages, 4, mark
        )
    )

    names = {loc.id: loc.name for loc in locations}
    location_rows = [
        {
            "name": names.get(where, t("no_location")) if where is not None else t("no_location"),
            "counts": found.counts,
            "average": _fmt(found.average, mark),
        }
        for where, found in sorted(per_location.items(), key=lambda item: names.get(item[0], "") if item[0] else "")
    ]
    context = {
        "staff": staff,
        "locations": locations,
        "chosen": chosen,
        "charts": charts,
        "location_rows": location_rows,
        "metrics": METRICS,
        "period": period,
        "desk": desk_section(db, settings, chosen, language),
    }
    return render(request, "dashboard.html", context)
