"""Every route of the counter link, gathered so `backoffice.app` includes one router, and the hub's life.

The router's lifespan (merged into the app's by FastAPI) makes the one `CounterHub` of the app when the
server starts, publishes it as `app.state.visit_extras` for the desk queue, and renews pairing codes
that expired on screens nobody paired.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import cast

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session, sessionmaker

from backoffice.calls.records import DatabaseCallRecords
from backoffice.counter_link import lines, pairing_api
from backoffice.counter_link.hub import CounterHub
from backoffice.counter_link.pairing_codes import PairingCodes
from backoffice.settings import Settings

log = logging.getLogger(__name__)
RENEW_SECONDS = 5.0


def make_hub(app: FastAPI) -> CounterHub:
    settings = cast(Settings, app.state.settings)
    # The call records' key rule (BSN, else name and date of birth) turns a read identity into keys.
    records = DatabaseCallRecords(cast(sessionmaker[Session], app.state.sessions), settings)
    return CounterHub(PairingCodes(settings.clock), records.citizen_keys)


async def _renew_forever(hub: CounterHub) -> None:
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            await hub.renew_codes()
        except Exception:
            log.exception("renewing pairing codes failed; it carries on")


@asynccontextmanager
async def counter_link_life(app: FastAPI) -> AsyncIterator[None]:
    hub = make_hub(app)
    hub.attach(asyncio.get_running_loop())
    app.state.counter_hub = hub
    app.state.visit_extras = hub
    renewer = asyncio.get_running_loop().create_task(_renew_forever(hub))
    try:
        yield
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer


router = APIRouter(lifespan=counter_link_life)
router.include_router(lines.router)
router.include_router(pairing_api.router)
