import pytest

from drivers.health import HealthState
from drivers.printer.protocol import PrinterStatus
from drivers.printer.status import STATUS_REQUESTS, decode_status, health_from_status, status_request


def test_requests_are_dle_eot_n():
    assert status_request(1) == b"\x10\x04\x01"
    assert STATUS_REQUESTS == (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x03", b"\x10\x04\x04")
    with pytest.raises(ValueError):
        status_request(5)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ("12121212", PrinterStatus(online=True)),
        ("1a121212", PrinterStatus(online=False)),
        ("1a161212", PrinterStatus(online=False, cover_open=True)),
        ("1212121e", PrinterStatus(online=True, paper_near_end=True)),
        ("1a32127e", PrinterStatus(online=False, paper_end=True, paper_near_end=True)),
        ("1a521a12", PrinterStatus(online=False, cutter_error=True)),
        ("1a523212", PrinterStatus(online=False, unrecoverable_error=True)),
    ],
)
def test_decode_answer_bytes(answers, expected):
    assert decode_status(bytes.fromhex(answers)) == expected


@pytest.mark.parametrize("answers", ["121212", "1212121212", "00121212", "12121292"])
def test_bytes_that_are_not_four_status_answers_are_refused(answers):
    with pytest.raises(ValueError):
        decode_status(bytes.fromhex(answers))


@pytest.mark.parametrize(
    ("status", "state", "reason"),
    [
        (PrinterStatus(online=True), HealthState.OK, ""),
        (PrinterStatus(online=True, paper_near_end=True), HealthState.DEGRADED, "Paper is running low"),
        (PrinterStatus(online=False, paper_end=True, paper_near_end=True), HealthState.FAILED, "Paper is out"),
        (PrinterStatus(online=False, cover_open=True), HealthState.FAILED, "Printer cover is open"),
        (PrinterStatus(online=False), HealthState.FAILED, "Printer is offline"),
        (PrinterStatus(online=False, cutter_error=True), HealthState.FAILED, "Paper cutter is stuck"),
        (PrinterStatus(online=False, unrecoverable_error=True), HealthState.FAILED, None),
    ],
)
def test_health_from_status(status, state, reason):
    health = health_from_status(status)
    assert health.state is state
    if reason is not None:
        assert health.reason == reason
