"""The call queue's rules, on a fake clock: who rings, who answers, timeouts, resume, what is recorded."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from backoffice.calls.routing import (
    Call,
    CallRouter,
    CallSettings,
    CaseworkerStatus,
    KioskIdentity,
    Message,
    ProtocolError,
    StaffIdentity,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Records:
    def __init__(self) -> None:
        self.recorded: list[dict[str, Any]] = []
        self.looked: list[tuple[list[str], str]] = []

    async def citizen_keys(self, identity: Message) -> list[str]:
        return [f"key-of-{identity['surname']}"]

    async def history(self, keys: list[str], caseworker: StaffIdentity) -> list[Message]:
        self.looked.append((keys, caseworker.username))
        return [{"channel": "phone", "topic": "Parking permit", "days_ago": 6}]

    async def record(self, call: Call) -> None:
        call.contact_id = call.contact_id or uuid.uuid4()
        self.recorded.append(
            {
                "keys": list(call.citizen_keys),
                "outcome": call.outcome,
                "feedback": call.feedback,
                "caseworker": call.caseworker.staff.username if call.caseworker else None,
            }
        )


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: str) -> list[Message]:
        return [m for m in self.messages if m["type"] == kind]

    def last(self, kind: str) -> Message:
        found = self.of(kind)
        assert found, f"no {kind!r} in {[m['type'] for m in self.messages]}"
        return found[-1]


def kiosk(number: int = 1) -> KioskIdentity:
    return KioskIdentity(uuid.UUID(int=number), f"kiosk-{number}", 1, "Stadhuis")


@pytest.fixture
def setup() -> tuple[CallRouter, Clock, Records]:
    clock, records = Clock(), Records()
    settings = CallSettings(ring_seconds=20, unanswered_seconds=120, reconnect_grace_seconds=10)
    return CallRouter(settings, records, clock=clock), clock, records


def run(coro: Any) -> Any:
    return asyncio.run(coro)


async def _available(calls: CallRouter, user_id: int, name: str) -> tuple[Any, Inbox]:
    inbox = Inbox()
    line = await calls.caseworker_connected(StaffIdentity(user_id, name), inbox)
    await calls.caseworker_message(line, {"type": "status.set", "status": "available"})
    return line, inbox


async def _answered(calls: CallRouter) -> tuple[Any, Inbox, Any, Inbox]:
    """Caseworker "ann" available, a kiosk calls, ann answers: the lines and inboxes of both sides."""
    line_ann, ann = await _available(calls, 1, "ann")
    kiosk_inbox = Inbox()
    line = calls.kiosk_connected(kiosk(), kiosk_inbox)
    await calls.kiosk_message(line, {"type": "call.request"})
    await calls.caseworker_message(
        line_ann, {"type": "call.answer", "call_id": kiosk_inbox.last("call.accepted")["call_id"]}
    )
    return line_ann, ann, line, kiosk_inbox


def test_no_caseworker_signed_in_ends_the_wait_at_once(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, _records = setup

    async def scenario() -> Inbox:
        inbox = Inbox()
        line = calls.kiosk_connected(kiosk(), inbox)
        await calls.kiosk_message(line, {"type": "call.request", "topic": "passport"})
        return inbox

    inbox = run(scenario())
    assert inbox.last("call.ended")["reason"] == "no_caseworkers"


def test_call_rings_longest_idle_caseworker_then_moves_on(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, clock, _records = setup

    async def scenario() -> tuple[Inbox, Inbox, Inbox]:
        _first, ann = await _available(calls, 1, "ann")
        clock.now += 5
        _second, bob = await _available(calls, 2, "bob")
        kiosk_inbox = Inbox()
        line = calls.kiosk_connected(kiosk(), kiosk_inbox)
        await calls.kiosk_message(line, {"type": "call.request", "topic": "passport", "language": "en"})
        assert ann.of("call.ringing") and not bob.of("call.ringing")
        clock.now += 21
        await calls.tick()
        return ann, bob, kiosk_inbox

    ann, bob, kiosk_inbox = run(scenario())
    assert bob.last("call.ringing")["topic"] == "passport"
    # Everyone sees the queue, with whom it rings.
    assert bob.last("queue")["calls"][0]["ringing_you"] is True
    assert ann.last("queue")["calls"][0]["ringing_you"] is False
    queued = kiosk_inbox.last("call.queued")
    assert queued["position"] == 1


def test_answer_connects_and_relays_only_allowed_messages(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, records = setup

    async def scenario() -> tuple[Inbox, Inbox]:
        line_ann, ann = await _available(calls, 1, "ann")
        kiosk_inbox = Inbox()
        line = calls.kiosk_connected(kiosk(), kiosk_inbox)
        await calls.kiosk_message(line, {"type": "call.request"})
        call_id = kiosk_inbox.last("call.accepted")["call_id"]
        await calls.caseworker_message(line_ann, {"type": "call.answer", "call_id": call_id})
        await calls.kiosk_message(line, {"type": "signal.offer", "sdp": "v=0 offer"})
        await calls.caseworker_message(line_ann, {"type": "signal.answer", "sdp": "v=0 answer"})
        await calls.caseworker_message(line_ann, {"type": "identity.request"})
        await calls.kiosk_message(
            line, {"type": "identity.result", "document": {"surname": "DE TESTER"}, "verdict": "verified"}
        )
        with pytest.raises(ProtocolError):
            await calls.kiosk_message(line, {"type": "status.set", "status": "available"})
        with pytest.raises(ProtocolError):
            await calls.caseworker_message(line_ann, {"type": "call.request"})
        await calls.caseworker_message(
            line_ann, {"type": "call.outcome", "call_id": call_id, "outcome": "Explained renewal", "note": "ok"}
        )
        await calls.kiosk_message(line, {"type": "feedback", "call_id": call_id, "answers": {"how_did_it_go": 4}})
        return ann, kiosk_inbox

    ann, kiosk_inbox = run(scenario())
    assert kiosk_inbox.last("call.answered")["caseworker"] == "ann"
    assert ann.last("signal.offer")["sdp"] == "v=0 offer"
    assert kiosk_inbox.last("signal.answer")["sdp"] == "v=0 answer"
    assert kiosk_inbox.of("identity.request")
    assert ann.last("identity.result")["verdict"] == "verified"
    assert ann.last("history")["contacts"][0]["topic"] == "Parking permit"
    assert records.looked == [(["key-of-DE TESTER"], "ann")]
    assert kiosk_inbox.last("call.ended")["reason"] == "caseworker"
    assert ann.last("status")["status"] == "available"
    assert records.recorded[0]["keys"] == ["key-of-DE TESTER"]
    assert records.recorded[0]["outcome"] == "Explained renewal"
    assert records.recorded[-1]["feedback"] == {"how_did_it_go": 4}


def test_unanswered_call_ends_with_its_reason(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, clock, records = setup

    async def scenario() -> Inbox:
        line_ann, _ann = await _available(calls, 1, "ann")
        await calls.caseworker_message(line_ann, {"type": "status.set", "status": "away"})
        kiosk_inbox = Inbox()
        line = calls.kiosk_connected(kiosk(), kiosk_inbox)
        await calls.kiosk_message(line, {"type": "call.request"})
        assert kiosk_inbox.last("call.queued")["estimated_wait_seconds"] is None  # nobody on duty: no guess
        clock.now += 121
        await calls.tick()
        return kiosk_inbox

    kiosk_inbox = run(scenario())
    assert kiosk_inbox.last("call.ended")["reason"] == "unanswered"
    assert records.recorded == []  # nothing took place, nothing to record


def test_two_caseworkers_answering_at_once_get_one_call(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, _records = setup

    async def scenario() -> tuple[Inbox, Inbox]:
        line_ann, ann = await _available(calls, 1, "ann")
        line_bob, bob = await _available(calls, 2, "bob")
        kiosk_inbox = Inbox()
        line = calls.kiosk_connected(kiosk(), kiosk_inbox)
        await calls.kiosk_message(line, {"type": "call.request"})
        call_id = kiosk_inbox.last("call.accepted")["call_id"]
        await asyncio.gather(
            calls.caseworker_message(line_ann, {"type": "call.answer", "call_id": call_id}),
            calls.caseworker_message(line_bob, {"type": "call.answer", "call_id": call_id}),
        )
        return ann, bob

    ann, bob = run(scenario())
    assert len(ann.of("call.connected")) + len(bob.of("call.connected")) == 1
    assert len(ann.of("call.taken")) + len(bob.of("call.taken")) == 1


def test_kiosk_line_drop_resumes_within_grace_and_ends_after(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, clock, records = setup

    async def scenario() -> tuple[Inbox, Inbox, Inbox]:
        line_ann, ann = await _available(calls, 1, "ann")
        first = Inbox()
        line = calls.kiosk_connected(kiosk(), first)
        await calls.kiosk_message(line, {"type": "call.request"})
        accepted = first.last("call.accepted")
        await calls.caseworker_message(line_ann, {"type": "call.answer", "call_id": accepted["call_id"]})
        await calls.kiosk_disconnected(line)
        assert ann.last("call.reconnecting")
        clock.now += 5
        await calls.tick()
        second = Inbox()
        again = calls.kiosk_connected(kiosk(), second)
        with pytest.raises(ProtocolError):
            wrong = {"type": "call.resume", "call_id": accepted["call_id"], "resume_token": "x"}
            await calls.kiosk_message(again, wrong)
        await calls.kiosk_message(
            again, {"type": "call.resume", "call_id": accepted["call_id"], "resume_token": accepted["resume_token"]}
        )
        await calls.kiosk_disconnected(again)
        clock.now += 11
        await calls.tick()
        third = Inbox()
        later = calls.kiosk_connected(kiosk(), third)
        # Called again after a network end: first in line, ahead of a call already waiting.
        other = Inbox()
        other_line = calls.kiosk_connected(kiosk(2), other)
        await calls.kiosk_message(other_line, {"type": "call.request"})
        await calls.kiosk_message(later, {"type": "call.request", "call_again": accepted["call_id"]})
        return ann, second, third

    ann, second, third = run(scenario())
    assert second.last("call.resumed")["state"] == "connected"
    assert ann.last("call.resumed")
    assert ann.of("call.ended")[-1]["reason"] == "kiosk_gone"
    assert len(records.recorded) == 1
    assert third.last("call.queued")["position"] == 1


def test_caseworker_tab_closed_tells_the_citizen(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, clock, _records = setup

    async def scenario() -> Inbox:
        line_ann, ann, _line, kiosk_inbox = await _answered(calls)
        await calls.caseworker_disconnected(line_ann, ann)
        assert kiosk_inbox.last("call.reconnecting")
        clock.now += 11
        await calls.tick()
        return kiosk_inbox

    kiosk_inbox = run(scenario())
    ended = kiosk_inbox.last("call.ended")
    assert ended["reason"] == "caseworker_gone"
    assert ended["call_again"] == ended["call_id"]


def test_reloaded_console_takes_its_call_back_and_kiosk_offers_again(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, _records = setup

    async def scenario() -> tuple[Inbox, Inbox]:
        line_ann, ann, _line, kiosk_inbox = await _answered(calls)
        await calls.caseworker_disconnected(line_ann, ann)
        reloaded = Inbox()
        again = await calls.caseworker_connected(StaffIdentity(1, "ann"), reloaded)
        assert again.status is CaseworkerStatus.BUSY
        return reloaded, kiosk_inbox

    reloaded, kiosk_inbox = run(scenario())
    assert reloaded.last("call.connected")
    assert kiosk_inbox.last("call.renegotiate")


def test_estimate_uses_finished_calls(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, clock, _records = setup

    async def scenario() -> Inbox:
        line_ann, _ann = await _available(calls, 1, "ann")
        first = Inbox()
        line = calls.kiosk_connected(kiosk(), first)
        await calls.kiosk_message(line, {"type": "call.request"})
        first_id = first.last("call.accepted")["call_id"]
        await calls.caseworker_message(line_ann, {"type": "call.answer", "call_id": first_id})
        second = Inbox()
        waiting = calls.kiosk_connected(kiosk(2), second)
        await calls.kiosk_message(waiting, {"type": "call.request"})
        clock.now += 300
        await calls.caseworker_message(line_ann, {"type": "call.end"})
        await calls.caseworker_message(line_ann, {"type": "status.set", "status": "busy"})
        third = Inbox()
        await calls.kiosk_message(calls.kiosk_connected(kiosk(3), third), {"type": "call.request"})
        return third

    third = run(scenario())
    # Second in line behind one waiting call, one caseworker on duty who just needed 300 s for a call.
    assert third.last("call.queued") == {
        "type": "call.queued",
        "call_id": third.last("call.queued")["call_id"],
        "position": 2,
        "estimated_wait_seconds": 600,
    }


def test_bad_values_are_refused_with_a_reason(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, _records = setup

    async def scenario() -> None:
        line_ann, _ann = await _available(calls, 1, "ann")
        line = calls.kiosk_connected(kiosk(), Inbox())
        with pytest.raises(ProtocolError, match="topic must be text"):
            await calls.kiosk_message(line, {"type": "call.request", "topic": 5})
        with pytest.raises(ProtocolError, match="no call in progress"):
            await calls.kiosk_message(line, {"type": "signal.offer", "sdp": "x"})
        with pytest.raises(ProtocolError, match="status is"):
            await calls.caseworker_message(line_ann, {"type": "status.set", "status": "asleep"})
        with pytest.raises(ProtocolError, match="feedback"):
            await calls.kiosk_message(line, {"type": "feedback", "call_id": "nope", "answers": {}})

    run(scenario())


def test_chat_goes_both_ways_during_a_call(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, _records = setup

    async def scenario() -> tuple[Inbox, Inbox]:
        line_ann, ann, line, kiosk_inbox = await _answered(calls)
        await calls.kiosk_message(line, {"type": "chat.message", "text": "Ik hoor u niet"})
        await calls.caseworker_message(line_ann, {"type": "chat.message", "text": "Ik typ wel"})
        return ann, kiosk_inbox

    ann, kiosk_inbox = run(scenario())
    assert ann.last("chat.message")["text"] == "Ik hoor u niet"
    assert kiosk_inbox.last("chat.message")["text"] == "Ik typ wel"


def test_call_settings_from_the_environment() -> None:
    settings = CallSettings.from_environ(
        {
            "BALIE_ICE_SERVERS": '[{"urls": "turn:turn.example.nl:3478", "username": "u", "credential": "c"}]',
            "BALIE_CALL_UNANSWERED_SECONDS": "90",
        }
    )
    assert settings.ice_servers[0]["urls"] == "turn:turn.example.nl:3478"
    assert settings.unanswered_seconds == 90
    assert CallSettings.from_environ({}) == CallSettings()
    with pytest.raises(ValueError, match="BALIE_ICE_SERVERS"):
        CallSettings.from_environ({"BALIE_ICE_SERVERS": '{"urls": "stun:x"}'})
    with pytest.raises(ValueError, match="BALIE_CALL_RING_SECONDS"):
        CallSettings.from_environ({"BALIE_CALL_RING_SECONDS": "soon"})


def test_topic_chosen_after_the_tap_and_a_network_hang_up(setup: tuple[CallRouter, Clock, Records]) -> None:
    calls, _clock, _records = setup

    async def scenario() -> tuple[Inbox, Inbox]:
        line_ann, ann = await _available(calls, 1, "ann")
        kiosk_inbox = Inbox()
        line = calls.kiosk_connected(kiosk(), kiosk_inbox)
        await calls.kiosk_message(line, {"type": "call.request"})
        await calls.kiosk_message(line, {"type": "call.topic", "topic": "Rijbewijs"})
        assert ann.last("queue")["calls"][0]["topic"] == "Rijbewijs"
        await calls.caseworker_message(
            line_ann, {"type": "call.answer", "call_id": kiosk_inbox.last("call.accepted")["call_id"]}
        )
        with pytest.raises(ProtocolError, match="while waiting"):
            await calls.kiosk_message(line, {"type": "call.topic", "topic": "Paspoort"})
        await calls.kiosk_message(line, {"type": "call.hangup", "reason": "network"})
        return ann, kiosk_inbox

    ann, kiosk_inbox = run(scenario())
    assert ann.last("call.connected")["topic"] == "Rijbewijs"
    assert kiosk_inbox.last("call.ended")["reason"] == "kiosk_gone"
