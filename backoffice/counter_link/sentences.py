"""The counter link's refusals, one sentence each in the desk page's language, and the error that carries one.

A refusal names the situation by a key; the sentence is picked once, at the edge (the desk page's line
or the pairing API), in the language the page asked for. No sentence contains a value from the citizen.
"""

from __future__ import annotations

from backoffice.errors import BackofficeError
from backoffice.i18n import pick_language

SENTENCES: dict[str, dict[str, str]] = {
    "offline": {
        "en": "The counter device is offline — continue without it.",
        "nl": "Het balieapparaat is offline — ga verder zonder.",
    },
    "unpaired": {
        "en": "No counter device is paired with this desk; pair one with the code it shows.",
        "nl": "Er is geen balieapparaat aan deze balie gekoppeld; koppel er een met de code die het toont.",
    },
    "code_form": {
        "en": "A pairing code is the six digits shown on the counter device.",
        "nl": "Een koppelcode bestaat uit de zes cijfers op het scherm van het balieapparaat.",
    },
    "code_unknown": {
        "en": "No counter device shows this code; check the six digits on its screen.",
        "nl": "Geen balieapparaat toont deze code; controleer de zes cijfers op het scherm.",
    },
    "code_expired": {
        "en": "This code has expired; enter the new code the counter device shows now.",
        "nl": "Deze code is verlopen; voer de nieuwe code in die het balieapparaat nu toont.",
    },
    "code_used": {
        "en": "This code has already been used; each code pairs one device once.",
        "nl": "Deze code is al gebruikt; een code koppelt één apparaat, één keer.",
    },
    "too_many_codes": {
        "en": "Too many wrong codes; wait ten minutes before trying again.",
        "nl": "Te veel verkeerde codes; wacht tien minuten voor u het opnieuw probeert.",
    },
    "other_location": {
        "en": "This counter device belongs to another location; pair a device of this desk's location.",
        "nl": "Dit balieapparaat hoort bij een andere locatie; koppel een apparaat van de locatie van deze balie.",
    },
    "no_desk": {
        "en": "There is no such desk.",
        "nl": "Deze balie bestaat niet.",
    },
    "not_at_desk": {
        "en": "Sign in to this desk before using its counter device.",
        "nl": "Meld u eerst aan bij deze balie voordat u het balieapparaat gebruikt.",
    },
    "no_desk_chosen": {
        "en": "Sign in to a desk before using a counter device.",
        "nl": "Meld u eerst aan bij een balie voordat u een balieapparaat gebruikt.",
    },
    "bad_desk_id": {
        "en": "The desk must be given by its number (desk_id).",
        "nl": "De balie moet met haar nummer (desk_id) worden opgegeven.",
    },
    "cross_origin": {
        "en": "This change must come from the desk page of this backoffice.",
        "nl": "Deze wijziging moet van de baliepagina van deze backoffice komen.",
    },
    "unknown_request": {
        "en": "The counter device does not know this request.",
        "nl": "Het balieapparaat kent dit verzoek niet.",
    },
    "bad_request_id": {
        "en": "A request needs an id of at most 64 characters.",
        "nl": "Een verzoek heeft een id van hoogstens 64 tekens nodig.",
    },
    "duplicate_request_id": {
        "en": "A request with this id is still waiting for its answer.",
        "nl": "Een verzoek met dit id wacht nog op antwoord.",
    },
}


class CounterRefusal(BackofficeError):
    """A request of the desk page the counter link cannot carry out; `key` picks its sentence."""

    def __init__(self, key: str, status: int = 409) -> None:
        super().__init__(SENTENCES[key]["en"])
        self.key = key
        self.status = status

    def sentence(self, language: str) -> str:
        return sentence(self.key, language)


def sentence(key: str, language: str) -> str:
    return SENTENCES[key][pick_language(language)]
