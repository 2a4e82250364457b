"""The two WebSocket ends of call signaling: `/api/v1/calls/ws` for kiosks, `/console/ws` for caseworkers.

Each connection authenticates once at the handshake (a kiosk by its device token, a caseworker by the
staff session cookie plus a same-origin check, since browsers send cookies on cross-site WebSocket
handshakes too), then exchanges JSON messages with the instance's `CallRouter`. A malformed or
untimely message gets an `error` answer and the line stays open: a bad message loses nothing.

Calls live in one instance's memory: behind a load balancer, route these two paths to one instance
(see backoffice/CALLS.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from typing import Any, cast
from urllib.parse import urlsplit

import anyio.to_thread
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from sqlalchemy.orm import Session, sessionmaker

from backoffice.calls.records import DatabaseCallRecords
from backoffice.calls.routing import CallRouter, CallSettings, KioskIdentity, Message, ProtocolError, StaffIdentity
from backoffice.device_auth import device_for_token
from backoffice.roles import Role
from backoffice.settings import Settings
from backoffice.staff_sessions import SESSION_COOKIE, find_session

log = logging.getLogger(__name__)
router = APIRouter()

CONSOLE_ROLES = frozenset({Role.CASEWORKER, Role.ADMIN})
MAX_MESSAGE_BYTES = 12 * 1024 * 1024  # a scanned page or a PDF to print, base64-encoded
TICK_SECONDS = 0.5
POLICY_VIOLATION = 1008


def call_router(websocket: WebSocket) -> CallRouter:
    """The instance's router, made on first use with its timer task on the server's loop."""
    state = websocket.app.state
    existing = getattr(state, "call_router", None)
    if existing is not None:
        return cast(CallRouter, existing)
    settings = cast(Settings, state.settings)
    call_settings = getattr(state, "call_settings", None) or CallSettings.from_environ(os.environ)
    created = CallRouter(call_settings, DatabaseCallRecords(cast(sessionmaker[Session], state.sessions), settings))
    state.call_router = created
    state.call_ticker = asyncio.get_running_loop().create_task(_tick_forever(created))
    return created


async def _tick_forever(calls: CallRouter) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            await calls.tick()
        except Exception:
            log.exception("the call timer failed; it carries on")


def sender_for(websocket: WebSocket) -> Any:
    lock = asyncio.Lock()  # one frame at a time per line, whoever sends

    async def send(message: Message) -> None:
        async with lock:
            await websocket.send_text(json.dumps(message, separators=(",", ":")))

    return send


async def messages_of(websocket: WebSocket, send: Any) -> Any:
    """Yield each well-formed JSON object; answer anything else with an error and keep listening."""
    while True:
        try:
            text = await websocket.receive_text()
        except WebSocketDisconnect:
            return
        except KeyError:  # a binary frame
            await send({"type": "error", "message": "messages are JSON text frames"})
            continue
        if len(text) > MAX_MESSAGE_BYTES:
            await send({"type": "error", "message": "message too large"})
            continue
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            await send({"type": "error", "message": "not valid JSON"})
            continue
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await send({"type": "error", "message": "a message is a JSON object with a 'type'"})
            continue
        yield message


@router.websocket("/api/v1/calls/ws")
async def kiosk_line(websocket: WebSocket) -> None:
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    given = token.strip() if scheme.lower() == "bearer" else ""
    kiosk = await anyio.to_thread.run_sync(kiosk_for_token, websocket, given)
    if kiosk is None:
        await websocket.close(code=POLICY_VIOLATION, reason="unknown or revoked device token")
        return
    await websocket.accept()
    calls = call_router(websocket)
    send = sender_for(websocket)
    line = calls.kiosk_connected(kiosk, send)
    await send({"type": "hello", **calls.ice()})
    try:
        async for message in messages_of(websocket, send):
            try:
                await calls.kiosk_message(line, message)
            except ProtocolError as exc:
                await send({"type": "error", "message": str(exc), "about": message.get("type")})
    finally:
        await calls.kiosk_disconnected(line)


def kiosk_for_token(websocket: WebSocket, token: str) -> KioskIdentity | None:
    if not token:
        return None
    with cast(sessionmaker[Session], websocket.app.state.sessions)() as db:
        device = device_for_token(db, token)
        if device is None or device.revoked_at is not None:
            return None
        return KioskIdentity(
            device_id=device.id,
            device_name=device.name,
            location_id=device.location_id,
            location=device.location.name if device.location is not None else "",
        )


def same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        return False
    return urlsplit(origin).netloc == websocket.headers.get("host", "")


@router.websocket("/console/ws")
async def console_line(websocket: WebSocket) -> None:
    staff = await anyio.to_thread.run_sync(staff_for_cookie, websocket)
    if staff is None or not same_origin(websocket):
        await websocket.close(code=POLICY_VIOLATION, reason="sign in as a caseworker first")
        return
    await websocket.accept()
    calls = call_router(websocket)
    send = sender_for(websocket)
    line = await calls.caseworker_connected(staff, send)
    try:
        async for message in messages_of(websocket, send):
            try:
                await calls.caseworker_message(line, message)
            except ProtocolError as exc:
                await send({"type": "error", "message": str(exc), "about": message.get("type")})
    finally:
        with contextlib.suppress(Exception):
            await calls.caseworker_disconnected(line, send)


def staff_for_cookie(websocket: WebSocket) -> StaffIdentity | None:
    state = websocket.app.state
    with cast(sessionmaker[Session], state.sessions)() as db:
        context = find_session(db, cast(Settings, state.settings), websocket.cookies.get(SESSION_COOKIE))
        if context is None or context.user.role not in CONSOLE_ROLES:
            return None
        return StaffIdentity(user_id=context.user.id, username=context.user.username)
