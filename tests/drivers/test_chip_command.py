"""`balie chip read` and `balie chip readers` through real pcscd, vpcd and pyscard, against the virtual chip.

These run the command exactly as other tools do (a subprocess reading its JSON), so the
contract — option names, the JSON fields, exit codes and the one-line errors — is what is tested.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.cardreader.emrtd.factory import VirtualDocument, build_virtual_document
from tests.drivers.conftest import VPCD_READER, VPCD_READER_2, card_in_reader, wait_until

EXPECTED_FIELDS = {
    "document_number",
    "surname",
    "given_names",
    "date_of_birth",
    "date_of_expiry",
    "nationality",
    "sex",
    "photo",
    "authenticity",
    "timings",
}


def balie(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def access(document: VirtualDocument) -> list[str]:
    key = document.specimen.access_key
    return [
        "--document-number",
        key.document_number,
        "--date-of-birth",
        key.date_of_birth,
        "--date-of-expiry",
        key.date_of_expiry,
    ]


@pytest.fixture
def trust_dir(tmp_path: Path) -> Path:
    from drivers.cardreader.emrtd.factory import default_issuer

    folder = tmp_path / "csca"
    folder.mkdir()
    document = build_virtual_document("passport", issuer=default_issuer())
    (folder / "utopia.pem").write_bytes(document.csca_pem)
    return folder


def insert(bridge, document: VirtualDocument) -> None:
    bridge.insert(document.chip)
    assert wait_until(card_in_reader, timeout=5)


def test_read_passport_over_pace_prints_the_json_contract(bridge, trust_dir):
    document = build_virtual_document("passport")
    insert(bridge, document)
    run = balie("chip", "read", "--reader", VPCD_READER, *access(document), "--trust-store", str(trust_dir), "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert set(data) >= EXPECTED_FIELDS
    assert data["document_number"] == document.specimen.access_key.document_number
    assert data["surname"] == "DE TESTER" and data["given_names"] == "ANNA MARIA"
    assert data["date_of_birth"].count("-") == 2 and data["date_of_expiry"].startswith("20")
    assert data["nationality"] == "UTO" and data["sex"] in ("F", "M", "X")
    assert data["photo"] == {
        "width": document.specimen.face_size[0],
        "height": document.specimen.face_size[1],
        "format": "jpeg2000",
    }
    assert data["authenticity"]["status"] == "verified", data["authenticity"]
    assert data["access_control"] == "PACE"
    assert data["timings"]["total_ms"] > 0
    assert "Traceback" not in run.stderr


def test_id_card_over_bac_and_over_can(bridge, trust_dir):
    document = build_virtual_document("id-card", access="bac")
    insert(bridge, document)
    run = balie(
        "chip", "read", "--reader", "virtual pcd 00 00", *access(document), "--trust-store", str(trust_dir), "--json"
    )
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["access_control"] == "BAC" and data["document_type"] == "TD1"
    assert data["photo"]["format"] == "jpeg"

    bridge.remove()
    assert wait_until(lambda: not card_in_reader())
    document = build_virtual_document("id-card", access="pace-only")
    insert(bridge, document)
    run = balie("chip", "read", "--reader", VPCD_READER, "--can", document.specimen.can, "--json")
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["access_control"] == "PACE"
    assert data["authenticity"]["status"] == "not_verifiable"  # no trust store given


def test_wrong_dates_exit_with_one_clear_line(bridge):
    document = build_virtual_document("passport")
    insert(bridge, document)
    key = document.specimen.access_key
    run = balie(
        "chip", "read", "--reader", VPCD_READER, "--document-number", key.document_number,
        "--date-of-birth", key.date_of_birth, "--date-of-expiry", "010101", "--json",
    )  # fmt: skip
    assert run.returncode == 3
    assert run.stdout == ""
    assert run.stderr.strip() == "access denied: check document number and dates"


def test_tampered_chip_reports_failed_authenticity(bridge, trust_dir):
    document = build_virtual_document("passport", tamper_data_group=1)
    insert(bridge, document)
    run = balie("chip", "read", "--reader", VPCD_READER, *access(document), "--trust-store", str(trust_dir), "--json")
    assert run.returncode == 0, run.stderr
    authenticity = json.loads(run.stdout)["authenticity"]
    assert authenticity["status"] == "failed" and "data group 1" in authenticity["reason"]


def test_no_card_unknown_reader_and_bad_usage(bridge):
    document = build_virtual_document("passport")
    run = balie("chip", "read", "--reader", VPCD_READER, *access(document), "--json")
    assert (run.returncode, run.stderr.strip()) == (5, "no card on the reader")
    run = balie("chip", "read", "--reader", "Omnikey 5422", *access(document), "--json")
    assert run.returncode == 4 and "No card reader found matching 'Omnikey 5422'" in run.stderr
    run = balie("chip", "read", "--reader", VPCD_READER, "--document-number", "X1", "--date-of-birth", "1-1-80")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_readers_lists_the_virtual_readers(running_pcscd):
    run = balie("chip", "readers")
    assert run.returncode == 0
    assert VPCD_READER in run.stdout.splitlines() and VPCD_READER_2 in run.stdout.splitlines()


def test_simulate_serves_the_virtual_chip_for_a_read(running_pcscd, tmp_path):
    """`balie chip simulate` on the second vpcd reader, read by `balie chip read` in another process."""
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    server = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "chip", "simulate", "--document", "id-card", "--port", "35964",
         "--trust-store-out", str(tmp_path / "csca")],
        stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "test CSCA written to …"
        announced = server.stdout.readline().split()
        assert wait_until(lambda: card_in_reader(VPCD_READER_2), timeout=10)
        arguments = announced[announced.index("--document-number") :]
        run = balie(
            "chip", "read", "--reader", VPCD_READER_2, *arguments[:6], "--trust-store", str(tmp_path / "csca"), "--json"
        )
        assert run.returncode == 0, run.stderr
        data = json.loads(run.stdout)
        assert data["surname"] == "VAN PROEF"
        assert data["authenticity"]["status"] == "verified"
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=10)
    assert wait_until(lambda: not card_in_reader(VPCD_READER_2))
