"""The kiosk's side of the device API (backoffice/API.md): one place that speaks HTTP to the backoffice.

Every call has a short timeout and turns every failure into one of two errors, because the
caller only needs to know whether to try again later (`BackofficeUnavailable`: network down,
backoffice restarting or overloaded) or never (`BackofficeRejected`: the request itself is wrong,
or this device was revoked).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

TICKET_TIMEOUT = 2.0  # seconds
APPOINTMENT_TIMEOUT = 2.0  # a citizen is waiting at the screen, as for a ticket
# A chunk is up to 256 KiB: a slow link may need a few seconds, and nobody waits at the screen for it.
CHUNK_TIMEOUT = 10.0


class BackofficeError(Exception):
    """Talking to the backoffice did not work."""


class BackofficeUnavailable(BackofficeError):
    """Try again later: no connection, a timeout, a 5xx or 429."""


class BackofficeRejected(BackofficeError):
    """The backoffice refused the request (4xx): sending it again will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.detail = message  # the API's `detail`: which refusal it is (backoffice/API.md); may echo input


@dataclass(frozen=True, slots=True)
class Enrollment:
    device_id: str
    token: str
    location: str
    heartbeat_interval: float


@dataclass(frozen=True, slots=True)
class HeartbeatReply:
    interval: float  # seconds the backoffice wants until the next heartbeat
    server_time: datetime | None  # the backoffice's clock when it answered (API.md: ISO 8601 with offset)


@dataclass(frozen=True, slots=True)
class LocationConfig:
    """The location's remote settings (`GET /api/v1/config`), unchecked: kiosk.remote_config checks them."""

    version: int
    settings: dict[str, Any]
    etag: str


@dataclass(frozen=True, slots=True)
class EventReceipt:
    accepted: tuple[str, ...]
    duplicates: tuple[str, ...]

    @property
    def stored(self) -> tuple[str, ...]:
        """Every id the backoffice now holds, whether it arrived this time or before."""
        return self.accepted + self.duplicates


@dataclass(frozen=True, slots=True)
class UploadState:
    """The backoffice's answer to announcing a document: what it holds of it so far."""

    complete: bool
    chunk_size: int
    chunk_count: int
    received: frozenset[int]

    @property
    def missing(self) -> list[int]:
        return [index for index in range(self.chunk_count) if index not in self.received]


class BackofficeClient:
    def __init__(self, base_url: str, token: str = "", *, timeout: float = 5.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def _post(self, path: str, body: Mapping[str, Any], timeout: float | None = None) -> dict[str, Any]:
        try:
            response = self._http.post(
                path, json=body, timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as error:
            raise BackofficeUnavailable(f"no answer from the backoffice ({type(error).__name__})") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise BackofficeUnavailable(f"the backoffice answered {response.status_code}")
        if response.status_code >= 400:
            raise BackofficeRejected(response.status_code, _message(response))
        try:
            answer = response.json()
        except ValueError as error:
            raise BackofficeUnavailable("the backoffice's answer is not JSON") from error
        if not isinstance(answer, dict):
            raise BackofficeUnavailable("the backoffice's answer is not a JSON object")
        return answer

    def enroll(self, code: str, name: str, version: str) -> Enrollment:
        answer = self._post("/api/v1/enroll", {"code": code, "name": name, "version": version})
        try:
            return Enrollment(
                str(answer["device_id"]),
                str(answer["token"]),
                str(answer["location"]),
                float(answer["heartbeat_interval"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BackofficeUnavailable("the backoffice's enrollment answer is incomplete") from error

    def send_events(self, events: Sequence[Mapping[str, Any]]) -> EventReceipt:
        answer = self._post("/api/v1/events", {"events": list(events)})
        accepted, duplicates = answer.get("accepted", []), answer.get("duplicates", [])
        if not isinstance(accepted, list) or not isinstance(duplicates, list):
            raise BackofficeUnavailable("the backoffice's answer to events is incomplete")
        return EventReceipt(tuple(map(str, accepted)), tuple(map(str, duplicates)))

    def take_ticket(self, topic: str, request_id: str, language: str = "") -> dict[str, Any]:
        """A queue number from the backoffice (backoffice/API.md); resend with the same id until answered."""
        body: dict[str, Any] = {"topic": topic, "request_id": request_id}
        if language:
            body["language"] = language
        # A citizen is waiting at the screen: give up quickly; the kiosk then uses its own number.
        answer = self._post("/api/v1/tickets", body, timeout=TICKET_TIMEOUT)
        if not isinstance(answer.get("number"), str):
            raise BackofficeUnavailable("the backoffice's ticket answer has no number")
        return answer

    def look_up_appointment(self, code: str) -> dict[str, Any]:
        """The appointment behind `code` at this device's location; 404 (rejected) when unknown."""
        return self._appointment("/api/v1/appointments/lookup", {"code": code})

    def check_in_appointment(self, code: str, request_id: str, language: str = "") -> dict[str, Any]:
        """Check in once for the location; 409 (rejected) says why not. Resend with the same id.

        The citizen's language goes along so the waiting-room display calls them in it too."""
        body: dict[str, Any] = {"code": code, "request_id": request_id}
        if language:
            body["language"] = language
        return self._appointment("/api/v1/appointments/checkin", body)

    def _appointment(self, path: str, body: Mapping[str, Any]) -> dict[str, Any]:
        answer = self._post(path, body, timeout=APPOINTMENT_TIMEOUT)
        if not isinstance(answer.get("first_name"), str) or not isinstance(answer.get("start"), str):
            raise BackofficeUnavailable("the backoffice's appointment answer is incomplete")
        return answer

    def announce_document(
        self, document_id: str, size: int, sha256: str, *, session_id: str | None = None, kind: str | None = None
    ) -> UploadState:
        """Announce a PDF, or resume it: the answer lists the chunks the backoffice already holds."""
        body: dict[str, Any] = {"id": document_id, "size": size, "sha256": sha256, "content_type": "application/pdf"}
        if session_id:
            body["session_id"] = session_id
        if kind:
            body["kind"] = kind
        answer = self._post("/api/v1/documents", body)
        try:
            received = frozenset(int(index) for index in answer["received"])
            return UploadState(
                answer["status"] == "received", int(answer["chunk_size"]), int(answer["chunk_count"]), received
            )
        except (KeyError, TypeError, ValueError) as error:
            raise BackofficeUnavailable("the backoffice's answer to a document is incomplete") from error

    def put_document_chunk(self, document_id: str, index: int, data: bytes) -> None:
        headers = {"Content-Type": "application/octet-stream", "X-Chunk-SHA256": hashlib.sha256(data).hexdigest()}
        try:
            response = self._http.put(
                f"/api/v1/documents/{document_id}/chunks/{index}", content=data, headers=headers, timeout=CHUNK_TIMEOUT
            )
        except httpx.HTTPError as error:
            raise BackofficeUnavailable(f"no answer from the backoffice ({type(error).__name__})") from error
        _raise_for_status(response)

    def complete_document(self, document_id: str) -> None:
        """All chunks are there and the whole file matches; 409 (rejected) when chunks are missing."""
        answer = self._post(f"/api/v1/documents/{document_id}/complete", {})
        if answer.get("status") != "received":
            raise BackofficeUnavailable("the backoffice did not confirm the document")

    def location_config(self, etag: str = "") -> LocationConfig | None:
        """The location's settings, or None when they are still those with `etag` (304)."""
        headers = {"If-None-Match": etag} if etag else {}
        try:
            response = self._http.get("/api/v1/config", headers=headers)
        except httpx.HTTPError as error:
            raise BackofficeUnavailable(f"no answer from the backoffice ({type(error).__name__})") from error
        if response.status_code == 304:
            return None
        _raise_for_status(response)
        try:
            answer = response.json()
            settings = answer["settings"]
            if not isinstance(settings, dict):
                raise TypeError("settings")
            return LocationConfig(int(answer["version"]), settings, response.headers.get("etag", ""))
        except (ValueError, KeyError, TypeError) as error:
            raise BackofficeUnavailable("the backoffice's config answer is incomplete") from error

    def send_selftest(self, report: Mapping[str, Any]) -> None:
        """The self-test's JSON report, for the fleet page (`balie provision selftest`)."""
        self._post("/api/v1/selftest", report)

    def heartbeat(self, version: str, uptime_seconds: float, health: Mapping[str, Mapping[str, str]]) -> float:
        """Report health; returns the interval the backoffice wants until the next heartbeat."""
        return self.heartbeat_reply(version, uptime_seconds, health).interval

    def heartbeat_reply(
        self, version: str, uptime_seconds: float, health: Mapping[str, Mapping[str, str]]
    ) -> HeartbeatReply:
        """A heartbeat, with the backoffice's clock too: the self-test compares it with this machine's."""
        answer = self._post(
            "/api/v1/heartbeat", {"version": version, "uptime_seconds": uptime_seconds, "health": dict(health)}
        )
        interval = answer.get("heartbeat_interval", 30)
        server_time = None
        if isinstance(answer.get("server_time"), str):
            try:
                server_time = datetime.fromisoformat(answer["server_time"])
            except ValueError:
                server_time = None
        if server_time is not None and server_time.tzinfo is None:
            server_time = None  # API.md: times carry their offset; one without cannot be compared
        return HeartbeatReply(float(interval) if isinstance(interval, int | float) else 30.0, server_time)


def _raise_for_status(response: httpx.Response) -> None:
    if response.status_code == 429 or response.status_code >= 500:
        raise BackofficeUnavailable(f"the backoffice answered {response.status_code}")
    if response.status_code >= 400:
        raise BackofficeRejected(response.status_code, _message(response))


def _message(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return str(detail) if detail else response.reason_phrase
