"""The dashboard's section on the staffed desks: today's waiting and service times per topic, as table rows.

Its words are here (not in backoffice/i18n.py) so the desk's texts stay in the desk's package; minutes
are written with the language's decimal mark, as the dashboard's other figures are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from backoffice.desk.figures import APPOINTMENTS, today_by_topic
from backoffice.desk.topic_names import topic_names
from backoffice.settings import Settings

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "heading": "Wachttijden aan de balie vandaag",
        "caption": "Wachten en behandelen per onderwerp, vandaag",
        "topic": "Onderwerp",
        "waiting_now": "Wacht nu",
        "called": "Opgeroepen",
        "mean_wait": "Gemiddelde wachttijd",
        "p90_wait": "Wachttijd voor 9 op 10 (p90)",
        "mean_service": "Gemiddelde behandeltijd",
        "appointments": "Afspraken",
        "minutes": "{value} min",
        "none": "Vandaag heeft nog niemand gewacht.",
    },
    "en": {
        "heading": "Waiting at the desks today",
        "caption": "Waiting and service per topic, today",
        "topic": "Topic",
        "waiting_now": "Waiting now",
        "called": "Called",
        "mean_wait": "Mean waiting time",
        "p90_wait": "Waiting time for 9 in 10 (p90)",
        "mean_service": "Mean service time",
        "appointments": "Appointments",
        "minutes": "{value} min",
        "none": "Nobody has waited yet today.",
    },
}
DECIMAL_MARK = {"nl": ",", "en": "."}


def _minutes(seconds: float | None, language: str) -> str:
    if seconds is None:
        return "–"
    value = f"{seconds / 60:.1f}".replace(".", DECIMAL_MARK[language])
    return TEXTS[language]["minutes"].format(value=value)


def desk_section(db: Session, settings: Settings, location_id: int | None, language: str) -> dict[str, Any]:
    texts = TEXTS[language]
    names = topic_names(db, location_id, language)
    rows = []
    for figures in today_by_topic(db, settings, location_id):
        if figures.topic == APPOINTMENTS:
            name = texts["appointments"]
        else:
            name = f"{figures.topic} – {names[figures.topic]}" if figures.topic in names else figures.topic
        rows.append(
            {
                "topic": name,
                "waiting_now": figures.waiting_now,
                "called": figures.called,
                "mean_wait": _minutes(figures.mean_wait_seconds, language),
                "p90_wait": _minutes(figures.p90_wait_seconds, language),
                "mean_service": _minutes(figures.mean_service_seconds, language),
            }
        )
    return {"texts": texts, "rows": rows}
