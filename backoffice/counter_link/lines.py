"""The two WebSocket ends of the counter link: `/api/v1/counter/ws` for devices, `/console/counter/ws` for desk pages.

Authentication and framing are the call signaling's (backoffice/calls/signaling.py): a device proves its
token, a desk page its staff cookie and same origin. A device may give its token at the handshake
(`Authorization: Bearer`, refused there with HTTP 403 when wrong) and gives it again in its `hello`,
the first message DESK.md asks for. A bad message gets one sentence back and the line stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, cast

import anyio
import anyio.to_thread
from fastapi import APIRouter, WebSocket
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import HTTPConnection

from backoffice.calls.routing import KioskIdentity, Message, ProtocolError, StaffIdentity
from backoffice.calls.signaling import (
    POLICY_VIOLATION,
    kiosk_for_token,
    messages_of,
    same_origin,
    sender_for,
    staff_for_cookie,
)
from backoffice.counter_link.desk_pairing import Caller, DeskRef, desk_at_work, desk_id_from, desk_of_device
from backoffice.counter_link.hub import REQUEST_KINDS, CounterHub, DeskPage
from backoffice.counter_link.sentences import CounterRefusal
from backoffice.i18n import pick_language

router = APIRouter()

HELLO_SECONDS = 10.0  # a device that connects and says nothing is let go


def hub_of(connection: HTTPConnection) -> CounterHub:
    return cast(CounterHub, connection.app.state.counter_hub)


def _sessions(connection: HTTPConnection) -> sessionmaker[Session]:
    return cast(sessionmaker[Session], connection.app.state.sessions)


def _bearer(websocket: WebSocket) -> str:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@router.websocket("/api/v1/counter/ws")
async def device_line(websocket: WebSocket) -> None:
    header_token = _bearer(websocket)
    if header_token and await anyio.to_thread.run_sync(kiosk_for_token, websocket, header_token) is None:
        await websocket.close(code=POLICY_VIOLATION, reason="unknown or revoked device token")
        return
    await websocket.accept()
    send = sender_for(websocket)
    messages = messages_of(websocket, send)
    device = await _hello(websocket, messages, send, header_token)
    if device is None:
        with contextlib.suppress(Exception):  # it may have gone already, without a hello
            await websocket.close(code=POLICY_VIOLATION, reason="unknown or revoked device token")
        return
    hub = hub_of(websocket)
    desk = await anyio.to_thread.run_sync(_desk_of_device, websocket, device)
    line = await hub.device_connected(device, send, desk)
    try:
        async for message in messages:
            try:
                await hub.device_message(line, message)
            except ProtocolError as exc:
                await send({"type": "error", "detail": str(exc), "about": message.get("type")})
    finally:
        # Shielded: a server cancelling the connection's task must still tell the desk the device is gone.
        with anyio.CancelScope(shield=True):
            await hub.device_disconnected(line)


async def _hello(websocket: WebSocket, messages: Any, send: Any, header_token: str) -> KioskIdentity | None:
    try:
        async with asyncio.timeout(HELLO_SECONDS):
            hello: Message = await anext(messages)
    except (TimeoutError, StopAsyncIteration):
        return None
    token = hello.get("token") if hello.get("type") == "hello" else None
    given = token.strip() if isinstance(token, str) and token.strip() else header_token
    device = await anyio.to_thread.run_sync(kiosk_for_token, websocket, given) if given else None
    if device is None:
        await send({"type": "error", "detail": "say hello with this device's token first (balie provision enroll)"})
    return device


def _desk_of_device(websocket: WebSocket, device: KioskIdentity) -> DeskRef | None:
    with _sessions(websocket)() as db:
        return desk_of_device(db, device.device_id)


@router.websocket("/console/counter/ws")
async def desk_page_line(websocket: WebSocket) -> None:
    staff = await anyio.to_thread.run_sync(staff_for_cookie, websocket)
    if staff is None or not same_origin(websocket):
        await websocket.close(code=POLICY_VIOLATION, reason="sign in as a caseworker first")
        return
    await websocket.accept()
    hub = hub_of(websocket)
    send = sender_for(websocket)
    page = hub.page_connected(staff, send, pick_language(websocket.query_params.get("lang")))
    try:
        async for message in messages_of(websocket, send):
            try:
                await _page_message(websocket, hub, page, message)
            except CounterRefusal as refusal:
                await send(_refusal_message(message, refusal, page.language))
    finally:
        with contextlib.suppress(Exception):
            hub.page_disconnected(page)


async def _page_message(websocket: WebSocket, hub: CounterHub, page: DeskPage, message: Message) -> None:
    if message["type"] == "watch":
        chosen = message.get("desk_id")
        desk = None if chosen is None else await _desk_at_work(websocket, page.staff, desk_id_from(chosen))
        await hub.watch(page, desk)
        return
    if message["type"] == "visit_ended":
        if page.desk_id is None:
            raise CounterRefusal("no_desk_chosen")
        await hub.visit_ended((await _desk_at_work(websocket, page.staff, page.desk_id)).id)
        return
    if message["type"] not in REQUEST_KINDS:
        raise CounterRefusal("unknown_request", 422)
    if page.desk_id is None:
        raise CounterRefusal("no_desk_chosen")
    # Checked again for every request: the caseworker may have left the desk since the page chose it.
    await hub.request(page, message, await _desk_at_work(websocket, page.staff, page.desk_id))


async def _desk_at_work(websocket: WebSocket, staff: StaffIdentity, desk_id: int) -> DeskRef:
    def work() -> DeskRef:
        with _sessions(websocket)() as db:
            return desk_at_work(db, desk_id, Caller(staff.user_id, staff.username, ""))

    return await anyio.to_thread.run_sync(work)


def _refusal_message(message: Message, refusal: CounterRefusal, language: str) -> Message:
    answer: Message = {"type": "error", "about": message.get("type")}
    if message.get("type") in REQUEST_KINDS and isinstance(message.get("id"), str | int):
        answer = {"type": "failed", "id": message["id"], "request": message["type"]}
    return {**answer, "reason": refusal.key, "detail": refusal.sentence(language)}
