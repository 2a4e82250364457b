"""The app factory: one FastAPI app per `Settings`, with the device API, the staff pages and their error pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from backoffice import caseworker_page, contacts_api, dashboard_page, device_api, fleet_page, retention, staff_pages
from backoffice.counter_api import router as counter_router
from backoffice.db import make_engine, make_session_factory
from backoffice.documents import router as documents_router
from backoffice.settings import Settings
from backoffice.staff_access import Forbidden, NotSignedIn
from backoffice.web import STATIC, language_of, localised, make_templates, render


def create_app(settings: Settings) -> FastAPI:
    """Build the service; the schema must already be at head (`balie backoffice serve` migrates first)."""
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(title="Balie backoffice", version="1", lifespan=lifespan)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(device_api.router)
    app.include_router(staff_pages.router)
    app.include_router(fleet_page.router)
    app.include_router(counter_router)
    app.include_router(documents_router)
    app.include_router(contacts_api.router)
    app.include_router(caseworker_page.router)
    app.include_router(dashboard_page.router)
    app.include_router(retention.router)

    @app.exception_handler(NotSignedIn)
    async def to_signin(request: Request, _exc: NotSignedIn) -> Response:
        target = localised("/signin", language_of(request), next=request.url.path)
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return render(request, "message.html", {"title": "forbidden_title", "message": exc.reason}, 403)

    return app
