"""The staff pages' words: Dutch by default, English with `?lang=en` (B1 Dutch, plain English)."""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("nl", "en")

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "app_name": "Balie backoffice",
        "skip": "Naar de inhoud",
        "signin_title": "Inloggen",
        "username": "Gebruikersnaam",
        "password": "Wachtwoord",
        "signin_button": "Inloggen",
        "signin_failed": "Gebruikersnaam of wachtwoord klopt niet.",
        "signin_limited": "Te vaak een verkeerd wachtwoord. Probeer het over 15 minuten opnieuw.",
        "signout_button": "Uitloggen",
        "signed_in_as": "Ingelogd als",
        "home_title": "Start",
        "home_intro": "Kies waar u aan wilt werken.",
        "nothing_yet": "Voor uw rol zijn er nog geen pagina's.",
        "fleet_title": "Apparaten",
        "fleet_caption": "Alle kiosken en baliekasten, met hun laatste melding",
        "device": "Apparaat",
        "location": "Locatie",
        "version": "Versie",
        "status": "Status",
        "details": "Meldingen",
        "since": "sinds",
        "actions": "Acties",
        "green": "In orde",
        "amber": "Verstoord",
        "red": "Storing",
        "revoked": "Ingetrokken",
        "no_heartbeat_since": "Geen hartslag sinds",
        "waiting_first_heartbeat": "Wacht op eerste hartslag",
        "selftest": "Zelftest",
        "selftest_passed": "Geslaagd",
        "selftest_failed": "Mislukt",
        "selftest_check_failed": "mislukt",
        "selftest_check_warning": "waarschuwing",
        "selftest_none": "Nog geen zelftest ontvangen",
        "revoke_button": "Intrekken",
        "revoke_label": "Toegang intrekken van",
        "no_devices": "Er zijn nog geen apparaten aangemeld.",
        "forbidden_title": "Geen toegang",
        "forbidden_role": "Deze pagina is niet voor uw rol.",
        "forbidden_csrf": "Het formulier is verlopen of niet compleet. Laad de pagina opnieuw en probeer het nog eens.",
        "not_found": "Deze pagina bestaat niet.",
        "other_language": "English",
    },
    "en": {
        "app_name": "Balie backoffice",
        "skip": "Skip to content",
        "signin_title": "Sign in",
        "username": "Username",
        "password": "Password",
        "signin_button": "Sign in",
        "signin_failed": "Username or password is wrong.",
        "signin_limited": "Too many wrong passwords. Please try again in 15 minutes.",
        "signout_button": "Sign out",
        "signed_in_as": "Signed in as",
        "home_title": "Start",
        "home_intro": "Choose what to work on.",
        "nothing_yet": "There are no pages for your role yet.",
        "fleet_title": "Devices",
        "fleet_caption": "All kiosks and counter appliances, with their latest report",
        "device": "Device",
        "location": "Location",
        "version": "Version",
        "status": "Status",
        "details": "Reports",
        "since": "since",
        "actions": "Actions",
        "green": "OK",
        "amber": "Degraded",
        "red": "Failure",
        "revoked": "Revoked",
        "no_heartbeat_since": "No heartbeat since",
        "waiting_first_heartbeat": "Waiting for the first heartbeat",
        "selftest": "Self-test",
        "selftest_passed": "Passed",
        "selftest_failed": "Failed",
        "selftest_check_failed": "failed",
        "selftest_check_warning": "warning",
        "selftest_none": "No self-test received yet",
        "revoke_button": "Revoke",
        "revoke_label": "Revoke access of",
        "no_devices": "No devices have been enrolled yet.",
        "forbidden_title": "No access",
        "forbidden_role": "This page is not for your role.",
        "forbidden_csrf": "The form has expired or is incomplete. Reload the page and try again.",
        "not_found": "This page does not exist.",
        "other_language": "Nederlands",
    },
}


def pick_language(requested: str | None) -> str:
    return requested if requested in LANGUAGES else "nl"


def translator(language: str) -> Callable[[str], str]:
    texts = TEXTS[pick_language(language)]
    # A missing key shows itself rather than crashing a page: the i18n test catches it.
    return lambda key: texts.get(key, key)


# The contact history, the caseworker page and the manager dashboard (backoffice slice 3).
TEXTS["nl"].update(
    {
        "caseworker_title": "Contacthistorie",
        "search_heading": "Inwoner zoeken",
        "search_hint": "Vul het BSN in, of achternaam, voornamen en geboortedatum. Elke zoekactie wordt vastgelegd.",
        "personal_number": "BSN",
        "or_by_name": "Of zoek op naam en geboortedatum",
        "surname": "Achternaam",
        "given_names": "Voornamen",
        "date_of_birth": "Geboortedatum",
        "search_button": "Zoeken",
        "search_bad_bsn": "Dit BSN klopt niet. Controleer de cijfers.",
        "search_bad_date": "Deze geboortedatum klopt niet.",
        "search_incomplete": "Vul het BSN in, of alle drie: achternaam, voornamen en geboortedatum.",
        "history_heading": "Contacten",
        "history_caption": "Alle contacten via alle kanalen, nieuwste eerst",
        "history_summary": "{when} {what} over {topic}",
        "no_contacts": "Geen contacten gevonden.",
        "when": "Wanneer",
        "channel": "Kanaal",
        "topic": "Onderwerp",
        "outcome": "Uitkomst",
        "caseworker": "Medewerker",
        "note": "Notitie",
        "feedback": "Feedback",
        "how_did_it_go": "Hoe ging het",
        "how_are_you": "Hoe gaat het met u",
        "channel_kiosk": "Kiosk",
        "channel_video": "Video",
        "channel_counter": "Balie",
        "channel_phone": "Telefoon",
        "channel_chat": "Chat",
        "channel_email": "E-mail",
        "channel_letter": "Brief",
        "did_kiosk": "bij de kiosk geweest",
        "did_video": "via video gesproken",
        "did_counter": "aan de balie geweest",
        "visit_waited": "wachtte {minutes} min",
        "visit_served": "{minutes} min aan de balie",
        "did_phone": "gebeld",
        "did_chat": "gechat",
        "did_email": "gemaild",
        "did_letter": "een brief gestuurd",
        "ago_today": "vandaag",
        "ago_yesterday": "gisteren",
        "ago_days_ago": "{n} dagen geleden",
        "ago_last_week": "vorige week",
        "ago_weeks_ago": "{n} weken geleden",
        "ago_last_month": "vorige maand",
        "ago_months_ago": "{n} maanden geleden",
        "ago_last_year": "vorig jaar",
        "ago_years_ago": "{n} jaar geleden",
        "dashboard_title": "Dashboard dienstverlening",
        "dashboard_period": "Laatste 14 dagen: {first} tot en met {last}",
        "all_locations": "Alle locaties",
        "show_button": "Tonen",
        "show_as_table": "Cijfers als tabel",
        "day": "Dag",
        "number": "Aantal",
        "average_score": "Gemiddelde score (1–4)",
        "metric_visits": "Bezoeken",
        "metric_tickets": "Volgnummers",
        "metric_checkins": "Aanmeldingen voor afspraak",
        "metric_calls": "Videogesprekken",
        "metric_feedback": "Gemiddelde feedbackscore",
        "chart_count_desc": "Staafdiagram per dag. {period}. Totaal {total}.",
        "chart_score_desc": "Staafdiagram per dag, score 1 tot 4. {period}. Gemiddeld {average}, {count} antwoorden.",
        "per_location_heading": "Per locatie",
        "per_location_caption": "Totalen per locatie",
        "no_location": "Zonder locatie",
        "no_figures": "Nog geen cijfers in deze periode.",
    }
)
TEXTS["en"].update(
    {
        "caseworker_title": "Contact history",
        "search_heading": "Find a citizen",
        "search_hint": "Enter the BSN, or surname, given names and date of birth. Every search is recorded.",
        "personal_number": "BSN (personal number)",
        "or_by_name": "Or search by name and date of birth",
        "surname": "Surname",
        "given_names": "Given names",
        "date_of_birth": "Date of birth",
        "search_button": "Search",
        "search_bad_bsn": "This BSN is not valid. Please check the digits.",
        "search_bad_date": "This date of birth is not valid.",
        "search_incomplete": "Enter the BSN, or all three: surname, given names and date of birth.",
        "history_heading": "Contacts",
        "history_caption": "All contacts on all channels, newest first",
        "history_summary": "{what} {when} about {topic}",
        "no_contacts": "No contacts found.",
        "when": "When",
        "channel": "Channel",
        "topic": "Topic",
        "outcome": "Outcome",
        "caseworker": "Caseworker",
        "note": "Note",
        "feedback": "Feedback",
        "how_did_it_go": "How did it go",
        "how_are_you": "How are you",
        "channel_kiosk": "Kiosk",
        "channel_video": "Video",
        "channel_counter": "Counter",
        "channel_phone": "Phone",
        "channel_chat": "Chat",
        "channel_email": "E-mail",
        "channel_letter": "Letter",
        "did_kiosk": "visited the kiosk",
        "did_video": "spoke by video",
        "did_counter": "came to the counter",
        "visit_waited": "waited {minutes} min",
        "visit_served": "{minutes} min at the counter",
        "did_phone": "called",
        "did_chat": "chatted",
        "did_email": "e-mailed",
        "did_letter": "sent a letter",
        "ago_today": "today",
        "ago_yesterday": "yesterday",
        "ago_days_ago": "{n} days ago",
        "ago_last_week": "last week",
        "ago_weeks_ago": "{n} weeks ago",
        "ago_last_month": "last month",
        "ago_months_ago": "{n} months ago",
        "ago_last_year": "last year",
        "ago_years_ago": "{n} years ago",
        "dashboard_title": "Service dashboard",
        "dashboard_period": "Last 14 days: {first} to {last}",
        "all_locations": "All locations",
        "show_button": "Show",
        "show_as_table": "Figures as a table",
        "day": "Day",
        "number": "Number",
        "average_score": "Average score (1–4)",
        "metric_visits": "Visits",
        "metric_tickets": "Queue tickets",
        "metric_checkins": "Appointment check-ins",
        "metric_calls": "Video calls",
        "metric_feedback": "Average feedback score",
        "chart_count_desc": "Bar chart per day. {period}. Total {total}.",
        "chart_score_desc": "Bar chart per day, score 1 to 4. {period}. Average {average} from {count} answers.",
        "per_location_heading": "Per location",
        "per_location_caption": "Totals per location",
        "no_location": "No location",
        "no_figures": "No figures in this period yet.",
    }
)

# Device health states as the fleet page names them (the heartbeat sends the English keys).
TEXTS["nl"].update(
    {
        "device_state_ok": "in orde",
        "device_state_degraded": "beperkt",
        "device_state_failed": "defect",
        "device_state_missing": "ontbreekt",
    }
)
TEXTS["en"].update(
    {
        "device_state_ok": "ok",
        "device_state_degraded": "degraded",
        "device_state_failed": "failed",
        "device_state_missing": "missing",
    }
)

# The appointments page and the agenda export's problems (the CLI prints the English ones).
TEXTS["nl"].update(
    {
        "appointments_title": "Afspraken",
        "appointments_intro": (
            "Zet de afspraken uit het afsprakensysteem klaar voor de kiosk: upload de export als CSV- of"
            " JSON-bestand. Een afspraak die er al is, wordt bijgewerkt. Een afspraak waarvoor al is"
            " aangemeld, blijft zoals hij is."
        ),
        "appointments_upload_heading": "Bestand uploaden",
        "appointments_choose_location": "Kies een locatie",
        "appointments_file": "Bestand (CSV of JSON)",
        "appointments_file_hint": (
            "Hoogstens {limit} MB. Kolommen: code, start, topic, first_name en eventueel duration_minutes."
            " Start is de tijd hier, bijvoorbeeld 2026-03-02T10:30."
        ),
        "appointments_import_button": "Importeren",
        "appointments_no_locations": "Er zijn nog geen locaties. Meld eerst een kiosk aan; dan staat de locatie hier.",
        "appointments_not_imported": "Niets geïmporteerd:",
        "appointments_result_heading": "Resultaat",
        "appointments_imported": "{imported} van {entries} afspraken geïmporteerd voor {location}.",
        "appointments_outcome": (
            "{added} nieuw, {updated} bijgewerkt, {unchanged} ongewijzigd, {kept} niet aangepast (al aangemeld)."
        ),
        "appointments_refused_caption": "Geweigerd: {n}",
        "appointments_where": "Plaats in het bestand",
        "appointments_reason": "Reden",
        "appointments_refused_hint": (
            "Verbeter deze regels en upload het bestand opnieuw. Wat al is geïmporteerd, blijft staan."
        ),
        "appointments_nothing_refused": "Alle afspraken zijn geïmporteerd.",
        "appointments_per_location_heading": "Afspraken per locatie",
        "appointments_per_location_caption": "Afspraken vanaf vandaag",
        "appointments_upcoming": "Vanaf vandaag",
        "appointments_checked_in": "Aangemeld",
        "appointments_none_upcoming": "Er zijn geen afspraken vanaf vandaag.",
        "agenda_entry_row": "rij {n}",
        "agenda_entry_appointment": "afspraak {n}",
        "agenda_problem_missing": "{field} ontbreekt of is leeg",
        "agenda_problem_too_long": "{field} is langer dan {limit} tekens",
        "agenda_problem_start_not_iso": "start '{value}' is geen datum en tijd zoals 2026-03-02T10:30",
        "agenda_problem_duration": "duration_minutes moet een heel getal van 1 tot en met {limit} zijn",
        "agenda_problem_not_an_object": "geen object met {fields}",
        "agenda_problem_too_many_values": "meer waarden dan de kopregel kolommen heeft",
        "agenda_problem_unknown_field": "onbekend veld '{field}' (verwacht: {expected})",
        "agenda_problem_code": "de code moet {length} letters en cijfers zijn",
        "agenda_problem_repeated_row": "dezelfde code als rij {first}",
        "agenda_problem_repeated_appointment": "dezelfde code als afspraak {first}",
        "agenda_problem_not_text": "geen tekstbestand (sla het op als CSV UTF-8)",
        "agenda_problem_header": "de kopregel mist de kolom '{column}'",
        "agenda_problem_not_csv": "geen geldige CSV (bij rij {line})",
        "agenda_problem_not_json": "geen geldige JSON (regel {line}, kolom {column})",
        "agenda_problem_not_a_list": 'verwacht een lijst met afspraken of {{"appointments": [...]}}',
        "agenda_problem_suffix": "gebruik een .csv- of .json-bestand",
        "agenda_problem_not_found": "bestand niet gevonden",
        "agenda_problem_unreadable": "kan niet gelezen worden ({error})",
        "agenda_problem_too_large": "het bestand is groter dan {limit} MB",
        "agenda_problem_no_file": "kies een bestand",
        "agenda_problem_no_location": "kies een locatie uit de lijst",
    }
)
TEXTS["en"].update(
    {
        "appointments_title": "Appointments",
        "appointments_intro": (
            "Make the appointments from the agenda system ready for the kiosk: upload its export as a CSV or"
            " JSON file. An appointment that is here already is updated. An appointment that has been"
            " checked in stays as it is."
        ),
        "appointments_upload_heading": "Upload a file",
        "appointments_choose_location": "Choose a location",
        "appointments_file": "File (CSV or JSON)",
        "appointments_file_hint": (
            "At most {limit} MB. Columns: code, start, topic, first_name and optionally duration_minutes."
            " Start is the local time, for example 2026-03-02T10:30."
        ),
        "appointments_import_button": "Import",
        "appointments_no_locations": "There are no locations yet. Enroll a kiosk first; its location then shows here.",
        "appointments_not_imported": "Nothing imported:",
        "appointments_result_heading": "Result",
        "appointments_imported": "{imported} of {entries} appointments imported for {location}.",
        "appointments_outcome": (
            "{added} new, {updated} updated, {unchanged} unchanged, {kept} left alone (checked in already)."
        ),
        "appointments_refused_caption": "Refused: {n}",
        "appointments_where": "Place in the file",
        "appointments_reason": "Reason",
        "appointments_refused_hint": "Correct these rows and upload the file again. What was imported stays.",
        "appointments_nothing_refused": "Every appointment was imported.",
        "appointments_per_location_heading": "Appointments per location",
        "appointments_per_location_caption": "Appointments from today on",
        "appointments_upcoming": "From today",
        "appointments_checked_in": "Checked in",
        "appointments_none_upcoming": "There are no appointments from today on.",
        "agenda_entry_row": "row {n}",
        "agenda_entry_appointment": "appointment {n}",
        "agenda_problem_missing": "{field} is missing or empty",
        "agenda_problem_too_long": "{field} is longer than {limit} characters",
        "agenda_problem_start_not_iso": "start '{value}' is not an ISO date and time (2026-03-02T10:30)",
        "agenda_problem_duration": "duration_minutes must be a whole number from 1 to {limit}",
        "agenda_problem_not_an_object": "not an object with {fields}",
        "agenda_problem_too_many_values": "more values than the header has columns",
        "agenda_problem_unknown_field": "unknown field '{field}' (expected {expected})",
        "agenda_problem_code": "code must be {length} letters and digits",
        "agenda_problem_repeated_row": "repeats the code of row {first}",
        "agenda_problem_repeated_appointment": "repeats the code of appointment {first}",
        "agenda_problem_not_text": "not a text file (save it as CSV UTF-8)",
        "agenda_problem_header": "the header lacks the column '{column}'",
        "agenda_problem_not_csv": "not valid CSV (near row {line})",
        "agenda_problem_not_json": "not valid JSON (line {line}, column {column})",
        "agenda_problem_not_a_list": 'expected a list of appointments or {{"appointments": [...]}}',
        "agenda_problem_suffix": "use a .csv or .json file",
        "agenda_problem_not_found": "file not found",
        "agenda_problem_unreadable": "cannot be read ({error})",
        "agenda_problem_too_large": "the file is larger than {limit} MB",
        "agenda_problem_no_file": "choose a file",
        "agenda_problem_no_location": "choose a location from the list",
    }
)

# The header's navigation, and the parts a kiosk reports on the fleet page (names as in drivers/registry.py).
TEXTS["nl"].update(
    {
        "top_nav": "Taal en account",
        "device_component_camera": "camera",
        "device_component_cardreader": "kaartlezer",
        "device_component_printer": "printer",
        "device_component_speech": "spraak",
        "device_component_microphone": "microfoon",
        "device_component_audio_output": "luidspreker",
        # The self-test's other checks, as the fleet page lists them.
        "device_component_config": "configuratie",
        "device_component_backoffice": "backoffice",
        "device_component_clock": "klok",
        "device_component_disk": "schijf",
        "device_component_display": "beeldscherm",
    }
)
TEXTS["en"].update(
    {
        "top_nav": "Language and account",
        "device_component_camera": "camera",
        "device_component_cardreader": "card reader",
        "device_component_printer": "printer",
        "device_component_speech": "speech",
        "device_component_microphone": "microphone",
        "device_component_audio_output": "speaker",
        "device_component_config": "configuration",
        "device_component_backoffice": "backoffice",
        "device_component_clock": "clock",
        "device_component_disk": "disk",
        "device_component_display": "display",
    }
)

# The start page's link to the video console (backoffice/calls/console_page.py has the page's own words).
TEXTS["nl"]["console_title"] = "Videobalie"
TEXTS["en"]["console_title"] = "Video counter"
# … and to the staffed desk's page (backoffice/desk/page.py), where numbers are called.
TEXTS["nl"]["desk_page_title"] = "Balie: nummers oproepen"
TEXTS["en"]["desk_page_title"] = "Desk: call numbers"
