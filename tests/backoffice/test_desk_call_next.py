"""The call-next rule on plain data: appointments early, on time and late; tickets across topics; transfers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backoffice.desk.call_next import Band, CallNextRule, Ordering, QueueKind, Waiting, band_of, candidates

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OLDEST = CallNextRule()
BY_TOPIC = CallNextRule(ordering=Ordering.BY_TOPIC)
_ids = iter(range(1, 10_000))


def ticket(label: str, minutes_ago: float, *, topic: str | None = None, to_desk: int | None = None) -> Waiting:
    return Waiting(
        kind=QueueKind.TICKET,
        id=next(_ids),
        label=label,
        topic=topic or label[0],
        queued_at=NOW - timedelta(minutes=minutes_ago),
        target_desk_id=to_desk,
    )


def booked(label: str, starts_in: float, checked_in_ago: float, *, topic: str | None = None) -> Waiting:
    """An appointment starting `starts_in` minutes from now, checked in `checked_in_ago` minutes ago."""
    return Waiting(
        kind=QueueKind.APPOINTMENT,
        id=next(_ids),
        label=label,
        topic=topic,
        queued_at=NOW - timedelta(minutes=checked_in_ago),
        starts_at=NOW + timedelta(minutes=starts_in),
    )


def order(waiting: list[Waiting], rule: CallNextRule = OLDEST, topics: str = "", desk: int = 1) -> list[str]:
    return [item.label for item in candidates(desk, topics, waiting, NOW, rule)]


@pytest.mark.parametrize(
    ("starts_in", "checked_in_ago", "band"),
    [
        (30, 2, Band.EARLY),  # half an hour early: waits until nobody else does
        (6, 2, Band.EARLY),  # six minutes before: one more than early_minutes
        (5, 2, Band.DUE),  # exactly early_minutes before the start: due
        (0, 10, Band.DUE),
        (-9, 1, Band.DUE),  # checked in nine minutes after the start: still on time
        (-10, 0, Band.QUEUE),  # checked in ten minutes after the start: late, a walk-in from now
        (-30, 25, Band.DUE),  # on time at check-in, waiting long since: still first
    ],
)
def test_an_appointment_is_early_due_or_late_by_the_rule(starts_in: float, checked_in_ago: float, band: Band) -> None:
    assert band_of(booked("K7M", starts_in, checked_in_ago), NOW, OLDEST) is band


def test_due_appointments_come_before_older_tickets_by_their_start_time() -> None:
    waiting = [ticket("A001", 40), booked("LATER", 3, 1), booked("FIRST", -2, 12), ticket("B001", 20)]

    assert order(waiting) == ["FIRST", "LATER", "A001", "B001"]


def test_an_early_appointment_waits_while_anyone_else_waits_and_is_called_when_nobody_does() -> None:
    early = booked("EARLY", 25, 30)  # checked in half an hour ago, starts in 25 minutes

    assert order([early, ticket("A001", 1)]) == ["A001", "EARLY"]
    assert order([early]) == ["EARLY"]


def test_a_late_appointment_queues_with_the_tickets_by_its_check_in() -> None:
    late = booked("LATE", -20, 5)  # arrived 15 minutes after its start, five minutes ago
    waiting = [ticket("A001", 10), late, ticket("A002", 2)]

    assert order(waiting) == ["A001", "LATE", "A002"]


def test_the_early_and_late_minutes_are_settings() -> None:
    strict = CallNextRule(early_minutes=0, late_minutes=2)
    arrived = booked("K7M", 3, 1)
    slightly_late = booked("P2Q", -5, 0)

    assert band_of(arrived, NOW, strict) is Band.EARLY
    assert band_of(slightly_late, NOW, strict) is Band.QUEUE
    assert band_of(slightly_late, NOW, OLDEST) is Band.DUE


def test_oldest_first_mixes_the_desks_topics_by_age() -> None:
    waiting = [ticket("B001", 30), ticket("A001", 20), ticket("A002", 25), ticket("C001", 50)]

    assert order(waiting, topics="AB") == ["B001", "A002", "A001"]  # C is not this desk's


def test_by_topic_takes_the_desks_topics_in_its_order_then_age() -> None:
    waiting = [ticket("A001", 30), ticket("B001", 20), ticket("B002", 5), ticket("A002", 1)]

    assert order(waiting, BY_TOPIC, topics="BA") == ["B001", "B002", "A001", "A002"]
    assert order(waiting, BY_TOPIC, topics="AB") == ["A001", "A002", "B001", "B002"]
    assert order(waiting, BY_TOPIC) == ["A001", "A002", "B001", "B002"]  # no topics: all, by letter


def test_a_desk_without_topics_serves_every_topic() -> None:
    waiting = [ticket("D001", 3), ticket("A001", 2)]

    assert order(waiting) == ["D001", "A001"]
    assert order(waiting, topics="A") == ["A001"]


def test_a_ticket_transferred_to_a_desk_is_called_only_by_that_desk_keeping_its_place() -> None:
    sent = ticket("A001", 30, to_desk=7)
    waiting = [ticket("A002", 10), sent]

    assert order(waiting, desk=7, topics="C") == ["A001"]  # even though desk 7 does not serve A
    assert order(waiting, desk=3) == ["A002"]
    # By topic, it counts as the desk's first topic: before younger tickets of it, before any of the next.
    assert order([ticket("B005", 20), ticket("C001", 90), *waiting], BY_TOPIC, topics="BC", desk=7) == [
        "A001",
        "B005",
        "C001",
    ]


def test_a_ticket_transferred_to_another_topic_queues_there_by_its_original_age() -> None:
    moved = ticket("A001", 30, topic="B")
    waiting = [ticket("B001", 10), moved, ticket("A002", 35)]

    assert order(waiting, topics="B") == ["A001", "B001"]
    assert order(waiting, topics="A") == ["A002"]


def test_an_appointment_without_a_topic_may_go_to_any_desk_and_with_one_only_to_its_topic() -> None:
    anywhere = booked("ANY", 0, 2)
    for_b = booked("FORB", 0, 1, topic="B")

    assert order([anywhere, for_b], topics="A") == ["ANY"]
    assert order([anywhere, for_b], topics="B") == ["ANY", "FORB"]


def test_by_topic_puts_late_appointments_without_a_topic_after_the_desks_topics() -> None:
    late = booked("LATE", -30, 8)  # 22 minutes late, and checked in before every ticket
    waiting = [ticket("A001", 5), late, ticket("B001", 1)]

    assert order(waiting, BY_TOPIC, topics="AB") == ["A001", "B001", "LATE"]
    assert order(waiting, OLDEST, topics="AB") == ["LATE", "A001", "B001"]


def test_nothing_waiting_gives_no_candidate() -> None:
    assert order([]) == []
    assert order([ticket("C001", 4)], topics="AB") == []
