"""What the kiosk tells its backoffice: events through the outbox, and heartbeats.

`start_reporting()` connects to the backoffice in the config, or starts the embedded one when
there is none, and runs delivery and heartbeats on their own threads. `record()` only writes to
the outbox (a few milliseconds, safe on the UI thread); it never fails the citizen's flow.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.backoffice_client import BackofficeClient, BackofficeRejected
from kiosk.config import BackofficeSettings
from kiosk.embedded_backoffice import EmbeddedBackoffice
from kiosk.event_delivery import EventDelivery
from kiosk.heartbeat import HealthSource, HeartbeatSender
from kiosk.outbox import Outbox

log = logging.getLogger(__name__)


def data_dir() -> Path:
    """The same data folder the backoffice uses (`BALIE_DATA`, else the XDG default)."""
    from backoffice.settings import data_dir_from

    return data_dir_from(os.environ)


class Reporting:
    def __init__(
        self,
        outbox: Outbox,
        client: BackofficeClient,
        delivery: EventDelivery,
        heartbeat: HeartbeatSender,
        embedded: EmbeddedBackoffice | None,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.delivery = delivery
        self.heartbeat = heartbeat
        self.embedded = embedded

    @property
    def url(self) -> str:
        return self.embedded.url if self.embedded is not None else ""

    def record(self, event_type: str, data: Mapping[str, Any] | None = None, *, session_id: str | None = None) -> None:
        try:
            self.outbox.add(event_type, data, session_id=session_id)
        except Exception as error:  # a full disk must not stop the citizen
            log.error("event %s not stored: %s", event_type, type(error).__name__)
            return
        self.delivery.deliver_soon()

    def close(self) -> None:
        self.heartbeat.stop()
        self.delivery.stop()
        self.client.close()
        self.outbox.close()
        if self.embedded is not None:
            self.embedded.stop()


def start_reporting(settings: BackofficeSettings, health: HealthSource, *, folder: Path | None = None) -> Reporting:
    """Connect (or start the embedded backoffice) and start delivery and heartbeats.

    Blocking for as long as the embedded backoffice takes to start: call it off the UI thread.
    """
    folder = folder or data_dir()
    embedded = None
    url, token = settings.url, settings.token
    if not url:
        embedded = EmbeddedBackoffice(folder)
        url = embedded.start()
        token = embedded.device_token()
        probe = BackofficeClient(url, token)
        try:
            probe.send_events([])
        except BackofficeRejected:  # the embedded database was reset: enroll anew
            token = embedded.enroll_again()
        finally:
            probe.close()
    outbox = Outbox(Path(settings.outbox) if settings.outbox else folder / "kiosk-outbox.db")
    client = BackofficeClient(url, token)
    delivery = EventDelivery(outbox, client)
    heartbeat = HeartbeatSender(client, health, __version__)
    delivery.start()
    heartbeat.start()
    return Reporting(outbox, client, delivery, heartbeat, embedded)
