"""The desk page (`/console/desk`): a caseworker at a staffed desk calls numbers and closes visits.

Served like the console (session, role, `?lang=en`); everything it does goes through `/console/desk/api`
from backoffice/static/desk.js. Its words are here and handed to the script as JSON, so the script has
no language of its own. The counter link adds its panel through `templates/desk_counter.html`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from backoffice.desk.access import DESK_ROLES
from backoffice.staff_access import require_role
from backoffice.staff_sessions import StaffContext
from backoffice.web import language_of, render

router = APIRouter()

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Balie",
        "desk_title": "Mijn balie",
        "no_desk": "U bent niet aangemeld bij een balie.",
        "choose_desk": "Kies een balie",
        "desk_option": "Balie {name} – {location}",
        "desk_taken": "{name} (bezet door {user})",
        "no_desks": "Er zijn nog geen balies. Een beheerder maakt ze hier aan.",
        "sign_in": "Aanmelden bij balie",
        "sign_out": "Afmelden bij balie",
        "at_desk": "Balie {name}, {location}",
        "desk_topics": "Onderwerpen: {topics}",
        "all_topics": "alle onderwerpen",
        "create_title": "Balie aanmaken",
        "location": "Locatie",
        "desk_name": "Naam (wat het scherm zegt, bijv. 3)",
        "desk_topic_letters": "Onderwerpen (letters in volgorde, leeg: alle)",
        "create": "Balie aanmaken",
        "created": "Balie {name} is aangemaakt.",
        "waiting_title": "Wachtenden",
        "waiting_empty": "Er wacht niemand.",
        "topic_heading": "{topic} – {name} ({count})",
        "no_topic": "Afspraken",
        "waited": "wacht {minutes} min",
        "appointment": "afspraak {time}",
        "due": "nu aan de beurt",
        "other_desk": "voor een andere balie",
        "recent_title": "Laatst opgeroepen",
        "recent_empty": "Vandaag is nog niemand opgeroepen.",
        "recent_line": "{label} → balie {desk}",
        "recall_mark": "(opnieuw)",
        "visit_title": "Huidige bezoeker",
        "no_visit": "Geen bezoeker. Roep de volgende op.",
        "sign_in_first": "Meld u aan bij een balie om nummers op te roepen.",
        "visit_line": "{label} – {topic}",
        "visit_times": "Wachtte {waited} min · aan de balie {serving} min · {recalls}× opnieuw opgeroepen",
        "call_next": "Volgende",
        "recall": "Opnieuw oproepen",
        "no_show": "Niet verschenen",
        "transfer_title": "Doorverwijzen",
        "transfer_topic": "Naar onderwerp",
        "transfer_desk": "Of naar balie",
        "transfer_none": "—",
        "transfer": "Doorverwijzen",
        "done_title": "Afronden",
        "outcome": "Uitkomst",
        "note": "Notitie",
        "done": "Afronden",
        "done_saved": "Bezoek afgerond en vastgelegd.",
        "called": "{label} is opgeroepen naar balie {desk}.",
        "transferred": "Doorverwezen.",
        "no_showed": "Vastgelegd als niet verschenen.",
        "error": "Fout: {message}",
        "line_lost": "Geen verbinding met de server. Opnieuw proberen…",
    },
    "en": {
        "title": "Desk",
        "desk_title": "My desk",
        "no_desk": "You are not signed in to a desk.",
        "choose_desk": "Choose a desk",
        "desk_option": "Desk {name} – {location}",
        "desk_taken": "{name} (taken by {user})",
        "no_desks": "There are no desks yet. An administrator creates them here.",
        "sign_in": "Sign in to desk",
        "sign_out": "Sign out of desk",
        "at_desk": "Desk {name}, {location}",
        "desk_topics": "Topics: {topics}",
        "all_topics": "all topics",
        "create_title": "Create a desk",
        "location": "Location",
        "desk_name": "Name (what the display says, e.g. 3)",
        "desk_topic_letters": "Topics (letters in order, empty: all)",
        "create": "Create desk",
        "created": "Desk {name} has been created.",
        "waiting_title": "Waiting",
        "waiting_empty": "Nobody is waiting.",
        "topic_heading": "{topic} – {name} ({count})",
        "no_topic": "Appointments",
        "waited": "waiting {minutes} min",
        "appointment": "appointment {time}",
        "due": "due now",
        "other_desk": "for another desk",
        "recent_title": "Recently called",
        "recent_empty": "Nobody has been called yet today.",
        "recent_line": "{label} → desk {desk}",
        "recall_mark": "(again)",
        "visit_title": "Current visitor",
        "no_visit": "No visitor. Call the next one.",
        "sign_in_first": "Sign in to a desk to call numbers.",
        "visit_line": "{label} – {topic}",
        "visit_times": "Waited {waited} min · at the desk {serving} min · recalled {recalls}×",
        "call_next": "Call next",
        "recall": "Recall",
        "no_show": "No-show",
        "transfer_title": "Transfer",
        "transfer_topic": "To topic",
        "transfer_desk": "Or to desk",
        "transfer_none": "—",
        "transfer": "Transfer",
        "done_title": "Finish",
        "outcome": "Outcome",
        "note": "Note",
        "done": "Done",
        "done_saved": "Visit finished and recorded.",
        "called": "{label} has been called to desk {desk}.",
        "transferred": "Transferred.",
        "no_showed": "Recorded as a no-show.",
        "error": "Error: {message}",
        "line_lost": "No connection to the server. Retrying…",
    },
}


@router.get("/console/desk")
def desk_page(request: Request, staff: Annotated[StaffContext, Depends(require_role(*DESK_ROLES))]) -> Response:
    texts = TEXTS[language_of(request)]
    return render(request, "desk.html", {"staff": staff, "dt": texts, "desk_texts": texts})
