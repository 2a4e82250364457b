"""What the display says for a call (backoffice/DESK.md: "Nummer A 42, balie 3", then the citizen's language)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.display.announcement import Spoken, announcement, spoken_label
from kiosk.display.board import BoardCall


def call(label: str, desk: str = "3", language: str | None = None) -> BoardCall:
    return BoardCall(1, label, desk, "call", language, datetime(2026, 11, 24, 10, 2, 3, tzinfo=UTC))


def test_a_ticket_is_said_in_dutch_with_its_digits_as_a_number() -> None:
    assert announcement(call("A042")) == (Spoken("Nummer A 42, balie 3", "nl"),)


def test_the_citizens_english_follows_the_dutch() -> None:
    assert announcement(call("A042", language="en")) == (
        Spoken("Nummer A 42, balie 3", "nl"),
        Spoken("Number A 42, desk 3", "en"),
    )


def test_a_dutch_citizen_hears_it_once() -> None:
    assert announcement(call("B007", "12", language="nl")) == (Spoken("Nummer B 7, balie 12", "nl"),)


def test_a_language_without_phrases_leaves_the_dutch_alone() -> None:
    assert announcement(call("C100", language="tr")) == (Spoken("Nummer C 100, balie 3", "nl"),)


def test_an_appointments_short_code_is_spelled() -> None:
    assert announcement(call("K7M", "4", language="en")) == (
        Spoken("Afspraak K 7 M, balie 4", "nl"),
        Spoken("Appointment K 7 M, desk 4", "en"),
    )


def test_a_short_code_of_digits_is_spelled_too_not_read_as_a_number() -> None:
    assert spoken_label("042") == "0 4 2"
    assert spoken_label("A42") == "A 4 2"  # three characters: a short code, not ticket A 42


@pytest.mark.parametrize(("label", "said"), [("A000", "A 0"), ("A999", "A 999"), ("AB010", "A B 10")])
def test_ticket_numbers(label: str, said: str) -> None:
    assert spoken_label(label) == said


def test_a_desk_named_as_a_desk_is_not_called_balie_twice() -> None:
    assert announcement(call("A042", "Balie 3", language="en")) == (
        Spoken("Nummer A 42, Balie 3", "nl"),
        Spoken("Number A 42, Balie 3", "en"),
    )
