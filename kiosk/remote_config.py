"""Remote configuration: the location's settings from the backoffice, checked, kept, applied when idle.

A location's manager sets the tasks offered, the walk-in topics, the counter's directions and the
opening hours once, in the backoffice (`balie backoffice location-config`); every device there
fetches them at start and every few minutes (`GET /api/v1/config`, backoffice/API.md). What may be
set remotely is `REMOTE_KEYS`, here, in the kiosk: the backoffice imports `check_settings` to refuse
a document before storing it, with the very checks a device runs (kiosk.config.parse_config).

A fetched document is merged into the device's own config and the whole validated again; only
then is it the "last good" one: kept in memory and in the data folder (it holds no personal data),
so a device that starts without a network uses it. An invalid document or an unreachable
backoffice leaves the last good one in use. The UI takes a new config only when nobody is at the
kiosk (`PendingConfig.take_when_idle`), so a citizen's screen never changes under their finger.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import KioskConfig, default_config, parse_config
from kiosk.errors import ConfigError
from kiosk.session import Phase, SessionMachine

if TYPE_CHECKING:  # httpx loads on the fetcher's thread, not with the UI after the first frame
    from kiosk.backoffice_client import BackofficeClient, LocationConfig

log = logging.getLogger(__name__)

SOURCE = "remote config"
STORE_NAME = "remote-config.json"
# Section → the keys of it a location may set; None: the whole section (a table of its own).
REMOTE_KEYS: dict[str, tuple[str, ...] | None] = {
    "device": ("tasks",),
    "queue": ("topics",),
    "counter": ("location_text",),
    "opening_hours": None,
}


def _refuse_other_keys(settings: Mapping[str, Any]) -> None:
    if not isinstance(settings, Mapping):
        raise ConfigError(SOURCE, "must be a JSON object")
    for section, value in settings.items():
        if section not in REMOTE_KEYS:
            raise ConfigError(SOURCE, f"{section}: not set remotely (remote keys: {', '.join(remote_key_names())})")
        keys = REMOTE_KEYS[section]
        if keys is None:
            continue
        if not isinstance(value, Mapping):
            raise ConfigError(SOURCE, f"{section}: must be a table")
        for key in value:
            if key not in keys:
                raise ConfigError(
                    SOURCE, f"{section}.{key}: not set remotely (remote keys: {', '.join(remote_key_names())})"
                )


def remote_key_names() -> list[str]:
    return [
        section if keys is None else f"{section}.{key}"
        for section, keys in REMOTE_KEYS.items()
        for key in keys or (section,)
    ]


def merge(base: KioskConfig, settings: Mapping[str, Any]) -> KioskConfig:
    """The device's config with the remote settings in place of its own; raises ConfigError naming the key."""
    import msgspec

    _refuse_other_keys(settings)
    raw: dict[str, Any] = msgspec.to_builtins(base)
    for section, value in settings.items():
        if REMOTE_KEYS[section] is None:
            raw[section] = value
        else:
            raw[section] = {**raw.get(section, {}), **value}
    return parse_config(raw, SOURCE)


def check_settings(settings: Mapping[str, Any]) -> None:
    """What the backoffice asks before storing a location's settings: would a device take them?"""
    merge(default_config(), settings)


def key_of(error: ConfigError) -> str:
    """The key a refusal names, without the value (a log line must not repeat what was sent)."""
    return error.message.partition(":")[0]


@dataclass(frozen=True)
class RemoteSettings:
    """A location's settings as the backoffice sent them, with its version."""

    version: int
    settings: Mapping[str, Any]


class RemoteConfigStore:
    """The last good remote settings in one JSON file in the data folder, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> RemoteSettings | None:
        try:
            stored = json.loads(self.path.read_text(encoding="utf-8"))
            return RemoteSettings(int(stored["version"]), dict(stored["settings"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("stored remote config not readable (%s); using the device's own", type(error).__name__)
            return None

    def save(self, remote: RemoteSettings) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps({"version": remote.version, "settings": remote.settings}), encoding="utf-8")
        os.replace(partial, self.path)


def session_is_idle(machine: SessionMachine) -> bool:
    """Nobody at the kiosk: the attract screen with no citizen session (a new config may be applied)."""
    return machine.phase is Phase.ATTRACT and machine.citizen is None


class PendingConfig:
    """A validated config waiting for the kiosk to be idle; the newest one wins. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._config: KioskConfig | None = None

    def offer(self, config: KioskConfig) -> None:
        with self._lock:
            self._config = config

    @property
    def waiting(self) -> bool:
        with self._lock:
            return self._config is not None

    def take_when_idle(self, idle: bool) -> KioskConfig | None:
        """The waiting config if nobody is at the kiosk, else None (it keeps waiting)."""
        if not idle:
            return None
        with self._lock:
            config, self._config = self._config, None
        return config


class RemoteConfig:
    """Fetches, checks and keeps the location's settings; `on_new` hears each new good config (any thread)."""

    def __init__(
        self,
        local: KioskConfig,
        client: Callable[[], BackofficeClient | None],
        store: RemoteConfigStore,
        on_new: Callable[[KioskConfig], None],
        *,
        interval: float = 300.0,
        retry: float = 15.0,
    ) -> None:
        self.local = local
        self.retry = retry
        self._client = client
        self._store = store
        self._on_new = on_new
        self.interval = interval
        self.version: int | None = None
        self.config = local
        self._etag = ""
        self._settings: Mapping[str, Any] | None = None
        self.answered = False  # whether the last fetch had an answer; if not, the next comes sooner
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def load_stored(self) -> KioskConfig:
        """The last good settings from the data folder, merged into the device's own; its own if none fit."""
        stored = self._store.load()
        if stored is None:
            return self.config
        try:
            config = merge(self.local, stored.settings)
        except ConfigError as error:
            log.warning(
                "stored remote config version %s not usable at %s; using the device's own",
                stored.version,
                key_of(error),
            )
            return self.config
        self.version, self.config, self._settings = stored.version, config, stored.settings
        return config

    def fetch(self) -> bool:
        """Ask the backoffice once; True when a new good config was handed on. Never raises for the network."""
        from kiosk.backoffice_client import BackofficeError

        self.answered = False
        client = self._client()
        if client is None:  # reporting is still connecting
            return False
        try:
            answer = client.location_config(self._etag)
        except BackofficeError as error:
            log.info("remote config not fetched (keeping version %s): %s", self.version, error)
            return False
        self.answered = True
        if answer is None:  # 304: what we have is current
            return False
        return self._take(answer)

    def _take(self, answer: LocationConfig) -> bool:
        self._etag = answer.etag
        if answer.version == self.version and answer.settings == self._settings:
            return False  # compared whole too: a backoffice restored from a backup may count versions anew
        try:
            config = merge(self.local, answer.settings)
        except ConfigError as error:
            log.warning(
                "remote config version %s refused at %s; keeping version %s",
                answer.version,
                key_of(error),
                self.version,
            )
            return False
        try:
            self._store.save(RemoteSettings(answer.version, answer.settings))
        except OSError as error:
            log.warning("remote config version %s not stored (%s)", answer.version, type(error).__name__)
        self.version, self.config, self._settings = answer.version, config, answer.settings
        log.info("remote config version %s received", answer.version)
        self._on_new(config)
        return True

    @property
    def etag(self) -> str:
        """The ETag of the backoffice's last answer, taken or refused."""
        return self._etag

    def fetch_soon(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="remote-config", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        if self.version is None:  # at start: the last good settings first, so an offline start has them
            try:
                stored = self.load_stored()
                if self.version is not None:
                    self._on_new(stored)
            except Exception as error:
                log.error("stored remote config failed: %s", type(error).__name__)
        while not self._stop.is_set():
            try:
                self.fetch()
            except Exception as error:  # a bug must not stop the fetching for the day
                log.error("remote config fetch failed: %s", type(error).__name__)
            self._wake.wait(self.interval if self.answered else min(self.interval, self.retry))
            self._wake.clear()
