"""The app factory: one FastAPI app per `Settings`, with the device API, the staff pages and their error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from backoffice import caseworker_page, contacts_api, dashboard_page, device_api, fleet_page, retention, staff_pages
from backoffice.calls import console_page
from backoffice.calls import signaling as call_signaling
from backoffice.counter_api import router as counter_router
from backoffice.counter_link.routes import router as counter_link_router
from backoffice.db import WORKER_THREADS, make_engine, make_session_factory
from backoffice.desk.routes import router as desk_router
from backoffice.documents import router as documents_router
from backoffice.location_config import router as location_config_router
from backoffice.selftest_reports import router as selftest_router
from backoffice.settings import Settings
from backoffice.staff_access import Forbidden, NotSignedIn
from backoffice.web import STATIC, language_of, localised, make_templates, render


class RequestsInFlight:
    """At most `limit` requests inside the app at once; the rest wait their turn without a thread.

    A request holds its database connection until its session's clean-up, which runs on a worker
    thread after the endpoint. Without a cap, more requests than connections get under way, those
    waiting for a connection take every thread, and those holding one wait for a thread: the
    instance froze until the pool timed out (found by benchmarks/backoffice.py at 500 kiosks).
    With `limit` no larger than the pool (backoffice/db.py), no request ever waits for a connection.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = anyio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)


def create_app(settings: Settings) -> FastAPI:
    """Build the service; the schema must already be at head (`balie backoffice serve` migrates first)."""
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = WORKER_THREADS
        yield
        engine.dispose()

    app = FastAPI(title="Balie backoffice", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.templates = make_templates()
    app.add_middleware(RequestsInFlight, limit=WORKER_THREADS)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(device_api.router)
    app.include_router(staff_pages.router)
    app.include_router(fleet_page.router)
    app.include_router(counter_router)
    app.include_router(documents_router)
    app.include_router(location_config_router)
    app.include_router(selftest_router)
    app.include_router(contacts_api.router)
    app.include_router(caseworker_page.router)
    app.include_router(dashboard_page.router)
    app.include_router(retention.router)
    app.include_router(call_signaling.router)
    app.include_router(console_page.router)
    app.include_router(desk_router)
    app.include_router(counter_link_router)

    @app.exception_handler(NotSignedIn)
    async def to_signin(request: Request, _exc: NotSignedIn) -> Response:
        target = localised("/signin", language_of(request), next=request.url.path)
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "message.html", {"title": "forbidden_title", "message": exc.reason}, 403)

    return app
