"""What the display says for a call: "Nummer A 42, balie 3", then the same in the citizen's language.

Written for a synthesiser, not for the eye: a ticket number's letters are spelled and its digits read
as a number without leading zeros ("A042" is "A 42", as the ticket's owner reads it), while an
appointment's short code ("K7M") is spelled character by character, since it is not a number anyone
counts in. Dutch always comes first (the town hall's language); a second language only when the
citizen chose one at the kiosk and it has phrases here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.display.board import BoardCall

DUTCH = "nl"

# A ticket from the backoffice is its topic's letter and a three-digit number (backoffice/tickets.py
# printed_number); an appointment's short code has three characters (DESK.md), so it never matches.
_TICKET = re.compile(r"^([A-Za-z]+)-?(\d{3,})$")


@dataclass(frozen=True, slots=True)
class Phrases:
    ticket: str  # "{label}" and "{desk}" are filled in
    appointment: str
    desk_word: str  # how a bare desk name ("3") is introduced; a name already saying so is kept


PHRASES: dict[str, Phrases] = {
    "nl": Phrases("Nummer {label}, {desk}", "Afspraak {label}, {desk}", "balie"),
    "en": Phrases("Number {label}, {desk}", "Appointment {label}, {desk}", "desk"),
}


@dataclass(frozen=True, slots=True)
class Spoken:
    text: str
    language: str


def is_ticket(label: str) -> bool:
    return _TICKET.match(label) is not None


def spoken_label(label: str) -> str:
    """ "A042" → "A 42"; "K7M" → "K 7 M"."""
    ticket = _TICKET.match(label)
    if ticket is not None:
        letters, digits = ticket.groups()
        return " ".join([*letters.upper(), str(int(digits))])
    return " ".join(character for character in label.upper() if character.isalnum())


def names_a_desk(desk: str) -> bool:
    """A desk named "Balie 3" or "Informatiebalie" already says it is a desk; "3" does not."""
    return any(word.lower().endswith(("balie", "desk")) for word in desk.split())


def spoken_desk(desk: str, language: str) -> str:
    """ "3" → "balie 3"; a desk that names itself is said as it is named."""
    return desk if names_a_desk(desk) else f"{PHRASES[language].desk_word} {desk}"


def announcement(call: BoardCall) -> tuple[Spoken, ...]:
    """Dutch first, then the call's language when it is another one this display can speak."""
    languages = [DUTCH]
    if call.language and call.language != DUTCH and call.language in PHRASES:
        languages.append(call.language)
    return tuple(Spoken(sentence(call, language), language) for language in languages)


def sentence(call: BoardCall, language: str) -> str:
    phrases = PHRASES[language]
    template = phrases.ticket if is_ticket(call.label) else phrases.appointment
    return template.format(label=spoken_label(call.label), desk=spoken_desk(call.desk, language))
