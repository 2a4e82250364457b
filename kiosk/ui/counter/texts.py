"""The counter device's own sentences, in English (the msgid) and Dutch (B1).

The kiosk's catalogue (assets/locale/nl.po) holds what the counter shares with the kiosk (the chip read,
the scan, the feedback questions), used through `Translator.text`. The sentences only the counter says
are kept here, beside the screens that say them, so the counter can grow without touching the kiosk's
catalogue; `say` falls back to the English source for a language without a Dutch text, as gettext does.
"""

from __future__ import annotations

from kiosk.i18n import Translator

DUTCH = {
    "Welcome": "Welkom",
    "Pairing code": "Koppelcode",
    "For the staff member: type this code on the desk page to link this screen to your desk.": (
        "Voor de medewerker: typ deze code op de baliepagina om dit scherm aan uw balie te koppelen."
    ),
    "Connecting to the desk…": "Verbinden met de balie…",
    "This screen may not connect. A technician has to look at it.": (
        "Dit scherm mag geen verbinding maken. Een technicus moet ernaar kijken."
    ),
    "The staff member will help you.": "De medewerker helpt u.",
    "One moment, the connection to the desk is being restored": (
        "Een moment, de verbinding met de balie wordt hersteld"
    ),
    "I don't understand": "Ik begrijp het niet",
    "No": "Liever niet",
    "The staff member has been told. They will explain.": "De medewerker weet het. Hij of zij legt het uit.",
    "Thank you. The staff member has your answer.": "Dank u. De medewerker heeft uw antwoord.",
    "The staff member knows that you would rather not.": "De medewerker weet dat u dit liever niet doet.",
    "Please check": "Klopt dit?",
    "Correct": "Klopt",
    "Not correct": "Klopt niet",
    "Please sign in the box": "Zet uw handtekening in het vak",
    "Sign with your finger.": "Teken met uw vinger.",
    "Signature box": "Handtekeningvak",
    "Clear": "Opnieuw",
    "Done": "Klaar",
    "Is this your signature?": "Is dit uw handtekening?",
    "Sign again": "Opnieuw tekenen",
    "Yes, send it": "Ja, versturen",
    "Printing…": "Bezig met printen…",
    "Take your paper from the printer.": "Pak uw papier uit de printer.",
    "The printer does not work right now. The staff member has been told.": (
        "De printer werkt nu niet. De medewerker weet het."
    ),
    "A few questions about your visit": "Een paar vragen over uw bezoek",
}


def say(t: Translator, msgid: str, **values: object) -> str:
    """The counter's sentence in the session's language; `{name}` placeholders from `values`."""
    message = DUTCH.get(msgid, msgid) if t.language == "nl" else msgid
    return message.format(**values) if values else message
