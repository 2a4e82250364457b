"""How one backoffice instance is configured: where its data lives, its secret, its timings.

Settings are a frozen value built once at start-up and passed in (no global config object), so tests
build their own with a temporary database and a clock they move by hand.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backoffice.errors import BackofficeError

SECRET_KEY_FILE = "secret_key"
DEFAULT_DATA_DIR = Path("~/.local/share/balie")


def utc_now() -> datetime:
    """The real clock; every timestamp the backoffice stores is timezone-aware UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Settings:
    """Everything an instance needs; several instances behind a load balancer share one database and secret."""

    database_url: str
    # Signs the sign-in form's CSRF token and keys the hashes of rate-limit subjects: all instances share it.
    secret_key: bytes
    session_lifetime: timedelta = timedelta(hours=8)
    # A staff session without a request for this long ends, within its lifetime: a counter PC left signed in.
    session_idle_timeout: timedelta = timedelta(minutes=30)
    # Activity extends the idle deadline, written at most this often so a page's requests do not each write.
    session_touch_interval: timedelta = timedelta(minutes=1)
    heartbeat_interval_seconds: int = 30
    # A device that missed this many heartbeats in a row is flagged as silent (red) on the fleet page.
    stale_after_intervals: int = 3
    signin_window: timedelta = timedelta(minutes=15)
    signin_max_failures_per_user: int = 5
    # Higher than per user: a whole town hall may sign in from one address behind NAT.
    signin_max_failures_per_address: int = 20
    enrollment_code_lifetime: timedelta = timedelta(hours=24)
    # Staff read times in local time; stored times stay UTC.
    display_timezone: str = "Europe/Amsterdam"
    retention_days: int = 365  # contacts, events, documents and visits older than this are deleted daily (AVG)
    # The display's feed of calls (labels, languages) is read for today only; kept a few days for a question.
    queue_call_retention_days: int = 3
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(seconds=self.heartbeat_interval_seconds * self.stale_after_intervals)


def data_dir_from(environ: Mapping[str, str]) -> Path:
    """`BALIE_DATA` or the XDG default: where the SQLite file and the generated secret live."""
    return Path(environ.get("BALIE_DATA") or DEFAULT_DATA_DIR).expanduser()


def database_url_from(database: str | None, environ: Mapping[str, str]) -> tuple[str, Path]:
    """The database URL and the data directory.

    `database` is a SQLAlchemy URL (`postgresql+psycopg://…`, `sqlite:///…`) or a plain path to a
    SQLite file; for SQLite the data directory is the file's folder, so the secret sits beside the data.
    """
    chosen = database or environ.get("BALIE_DATABASE")
    if not chosen:
        data_dir = data_dir_from(environ)
        return f"sqlite:///{data_dir / 'balie.db'}", data_dir
    if "://" not in chosen:
        path = Path(chosen).expanduser().resolve()
        return f"sqlite:///{path}", path.parent
    if chosen.startswith("sqlite:///") and chosen != "sqlite:///:memory:":
        return chosen, Path(chosen.removeprefix("sqlite:///")).expanduser().resolve().parent
    return chosen, data_dir_from(environ)


def load_secret_key(data_dir: Path, environ: Mapping[str, str]) -> bytes:
    """`BALIE_SECRET_KEY`, or the key stored in the data directory, generated (mode 0600) on first start."""
    given = environ.get("BALIE_SECRET_KEY")
    if given:
        return given.encode()
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_bytes().strip()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48).encode()
        # O_EXCL: two instances starting at once cannot both write a key and disagree.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    except OSError as exc:
        raise BackofficeError(f"cannot store the secret key in {data_dir}: {exc.strerror}") from exc
    with os.fdopen(descriptor, "wb") as file:
        file.write(key)
    return key


def load_settings(database: str | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from a `--database` value and the environment (`BALIE_DATA`, `BALIE_DATABASE`, `BALIE_SECRET_KEY`)."""
    env = os.environ if environ is None else environ
    url, data_dir = database_url_from(database, env)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return Settings(database_url=url, secret_key=load_secret_key(data_dir, env))
