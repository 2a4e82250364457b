"""What a request reaches through `app.state`: the settings and a database session (typed accessors, no globals)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar, cast

from fastapi import Depends, Request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from backoffice.db import session_from
from backoffice.settings import Settings

T = TypeVar("T")


def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def sessions_of(request: Request) -> sessionmaker[Session]:
    return cast(sessionmaker[Session], request.app.state.sessions)


def get_db(request: Request) -> Iterator[Session]:
    yield from session_from(sessions_of(request))


async def in_session(request: Request, work: Callable[[Session], T]) -> T:
    """Run `work` with its own session on one worker thread, and close the session there.

    For `async def` endpoints: the session, its connection and its clean-up stay on one thread, in one
    trip, where plain `def` endpoints with `DbDep` take a trip per dependency and one for the clean-up.
    """
    sessions = sessions_of(request)

    def run() -> T:
        with sessions() as db:
            return work(db)

    return await run_in_threadpool(run)


async def in_connection(request: Request, work: Callable[[Connection], T]) -> T:
    """As `in_session`, with a plain connection: for the device API's hot routes, written in SQLAlchemy Core."""
    engine = cast(Engine, request.app.state.engine)

    def run() -> T:
        with engine.connect() as connection:
            return work(connection)

    return await run_in_threadpool(run)


async def _settings(request: Request) -> Settings:
    # async: reading app.state needs no worker thread.
    return get_settings(request)


SettingsDep = Annotated[Settings, Depends(_settings)]
DbDep = Annotated[Session, Depends(get_db)]
