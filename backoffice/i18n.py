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
