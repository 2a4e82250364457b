"""The backoffice inside the kiosk, for a kiosk without one in its config (the embedded default).

The same service a city runs (FastAPI on SQLite here), listening on loopback only, so the kiosk
speaks to it exactly as it would to a remote one: numbers, appointments, events, documents and
heartbeats take the same path and the same code. The kiosk enrolls itself once and keeps its
credential in the data folder (mode 0600), and imports its own appointment list at every start
(a city's backoffice gets them with `balie backoffice import-appointments` instead).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.appointments import Appointment

log = logging.getLogger(__name__)

LOCATION = "Deze kiosk"
TOKEN_FILE = "embedded-device-token"


class EmbeddedBackoffice:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.url = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._app: Any = None
        self._settings: Any = None

    def start(self) -> str:
        """Migrate, serve on a free loopback port, return the URL. Blocks until it answers."""
        import uvicorn

        from backoffice.app import create_app
        from backoffice.migrate import upgrade_to_head
        from backoffice.settings import load_settings

        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._settings = load_settings(str(self.data_dir / "backoffice.db"), {"BALIE_DATA": str(self.data_dir)})
        upgrade_to_head(self._settings.database_url)
        self._app = create_app(self._settings)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        config = uvicorn.Config(self._app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        started = threading.Event()

        def serve() -> None:
            self._server.run(sockets=[listener])

        self._thread = threading.Thread(target=serve, name="embedded-backoffice", daemon=True)
        self._thread.start()
        deadline = 200
        while not self._server.started and deadline and self._thread.is_alive():
            started.wait(0.05)
            deadline -= 1
        if not self._server.started:
            raise RuntimeError("the embedded backoffice did not start")
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def device_token(self) -> str:
        """This kiosk's credential for its own backoffice: kept from last time, or a new enrollment."""
        path = self.data_dir / TOKEN_FILE
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        return self.enroll_again()

    def enroll_again(self) -> str:
        from backoffice.enrollment import new_enrollment_code
        from kiosk import __version__
        from kiosk.backoffice_client import BackofficeClient

        with self._app.state.sessions() as db:
            code = new_enrollment_code(db, self._settings, LOCATION)
        client = BackofficeClient(self.url)
        try:
            token = client.enroll(code, socket.gethostname(), __version__).token
        finally:
            client.close()
        path = self.data_dir / TOKEN_FILE
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(token)
        return token

    def import_appointments(self, appointments: Sequence[Appointment]) -> None:
        """The kiosk's list into its backoffice, so a code is checked in there once, also across restarts.

        Times on the kiosk are local wall-clock times; they go in with this machine's offset. The
        backoffice keeps one topic text (the Dutch one); the kiosk adds the rest from its list.
        """
        from backoffice.appointments import ImportedAppointment, import_appointments

        items = [
            ImportedAppointment(
                code=appointment.code,
                starts_at=appointment.starts.astimezone(),
                topic=appointment.topic.get("nl") or next(iter(appointment.topic.values()), "-"),
                first_name=appointment.first_name,
                duration_minutes=None,
            )
            for appointment in appointments
        ]
        try:
            with self._app.state.sessions() as db:
                result = import_appointments(db, self._settings, LOCATION, items)
        except Exception as error:  # the kiosk goes on; its check-ins then find no codes (logged here)
            log.error("appointments not imported into the embedded backoffice: %s", type(error).__name__)
            return
        log.info("appointments in the embedded backoffice: %d added, %d updated", result.added, result.updated)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
