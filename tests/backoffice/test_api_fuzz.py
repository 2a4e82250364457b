"""API fuzz: schemathesis drives every operation in the backoffice's own /openapi.json.

The property: no request, however malformed, gets a 5xx; every 4xx is JSON with a non-empty "detail" that says
what was wrong. Device routes carry an enrolled device's Bearer token and /api/v1/contacts a channel key, so the
fuzzer gets past authentication and into the handlers; chunk and completion requests are pointed at a document
that really exists about half the time. The staff HTML pages (forms with CSRF) are not in the schema and so are
not fuzzed here; test_staff_security.py covers them.

CI runs a short, deterministic pass on SQLite (~25 examples per operation). `BALIE_FUZZ=long` (with
`BALIE_FUZZ_EXAMPLES`, as for the parser fuzz tests in tests/fuzz/) runs the same property for as long as asked:
    BALIE_FUZZ=long BALIE_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/backoffice/test_api_fuzz.py
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from backoffice_harness import Backoffice, UtcClock, bearer
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from backoffice.app import create_app
from backoffice.contacts import new_channel_key
from backoffice.migrate import upgrade_to_head
from backoffice.settings import Settings

LONG = os.environ.get("BALIE_FUZZ") == "long"
EXAMPLES = int(os.environ.get("BALIE_FUZZ_EXAMPLES", "10000000")) if LONG else 25
DOCUMENT_BYTES = b"%PDF-1.4 fuzz"


@dataclass
class Fuzzed:
    backoffice: Backoffice
    device_token: str
    channel_key: str
    document_id: str


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    """One backoffice on SQLite for the whole run, with a device, a channel key and a half-uploaded document."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "balie.db"
    url = f"sqlite:///{path}"
    upgrade_to_head(url)
    clock = UtcClock()
    app_settings = Settings(database_url=url, secret_key=b"test secret, not for production", clock=clock)
    app = create_app(app_settings)
    with TestClient(app) as client:
        backoffice = Backoffice(app=app, client=client, settings=app_settings, clock=clock)
        token = backoffice.enroll()["token"]
        with backoffice.db() as db:
            key = new_channel_key(db, app_settings, "KCC")
        document_id = str(uuid.uuid4())
        announced = client.post(
            "/api/v1/documents",
            json={
                "id": document_id,
                "size": len(DOCUMENT_BYTES),
                "sha256": hashlib.sha256(DOCUMENT_BYTES).hexdigest(),
                "content_type": "application/pdf",
            },
            headers=bearer(token),
        )
        assert announced.status_code in (200, 201), announced.text
        yield Fuzzed(backoffice, token, key, document_id)


def the_schema() -> Any:
    """The app's own /openapi.json; building it touches no database, so a throwaway app serves it."""
    app = create_app(Settings(database_url="sqlite://", secret_key=b"schema only"))
    with TestClient(app) as client:
        served = client.get("/openapi.json")
    assert served.status_code == 200, served.text
    return schemathesis.openapi.from_dict(served.json())


schema = the_schema()


def send(case: Any, client: TestClient) -> Any:
    """Send the case through the fixture's TestClient, encoded exactly as schemathesis would for `requests`."""
    prepared = requests.Request(**case.as_transport_kwargs(base_url="http://testserver")).prepare()
    assert prepared.url is not None and prepared.method is not None
    return client.request(prepared.method, prepared.url, headers=dict(prepared.headers), content=prepared.body)


def authenticate(case: Any, fuzzed: Fuzzed) -> None:
    """Replace whatever Authorization the fuzzer made up with a valid token for the route."""
    secret = fuzzed.channel_key if case.path == "/api/v1/contacts" else fuzzed.device_token
    headers = {name: value for name, value in (case.headers or {}).items() if name.lower() != "authorization"}
    headers["Authorization"] = f"Bearer {secret}"
    case.headers = headers


def aim_at_the_document(case: Any, fuzzed: Fuzzed) -> None:
    """Half of the chunk and completion requests go to the real document instead of a random id."""
    parameters = case.path_parameters or {}
    given = str(parameters.get("document_id", ""))
    if "document_id" in parameters and (not given or given[0] in "01234567"):
        parameters["document_id"] = fuzzed.document_id


def assert_refusal_says_why(case: Any, response: Any) -> None:
    if not 400 <= response.status_code < 500:
        return
    where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]!r}"
    try:
        body = response.json()
    except ValueError:
        pytest.fail(f"a 4xx without a JSON body: {where}")
    assert isinstance(body, dict) and body.get("detail"), f"a 4xx without a 'detail': {where}"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error_and_every_refusal_says_why(case: Any, fuzzed: Fuzzed) -> None:
    authenticate(case, fuzzed)
    aim_at_the_document(case, fuzzed)
    response = send(case, fuzzed.backoffice.client)
    assert response.status_code < 500, (
        f"server error {response.status_code} on {case.method} {case.formatted_path}: {response.text[:300]!r}\n"
        f"reproduce: {case.as_curl_command()}"
    )
    assert_refusal_says_why(case, response)


def test_an_uptime_beyond_a_bigint_is_refused_not_a_server_error(fuzzed: Fuzzed) -> None:
    """Found by the long fuzz run: 2**63 seconds of uptime overflowed SQLite's INTEGER and gave a 500."""
    answer = fuzzed.backoffice.client.post(
        "/api/v1/heartbeat",
        json={"version": "0.1.0", "uptime_seconds": 2**63},
        headers=bearer(fuzzed.device_token),
    )
    assert answer.status_code == 422 and answer.json()["detail"], answer.text
