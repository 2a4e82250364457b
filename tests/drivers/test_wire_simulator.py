"""The printer at the far end of a pty, talked to with pyserial as the real driver does."""

import logging
import threading
import time
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
import serial

from drivers.printer.profile import PrinterProfile
from drivers.printer.status import STATUS_REQUESTS, decode_status, is_status_answer, status_request
from drivers.printer.wire_simulator import WirePrinterSimulator

ESC, GS = b"\x1b", b"\x1d"
URL = b"https://example.org/t/A042"
QR = GS + b"(k\x03\x001C\x06" + GS + b"(k" + bytes((len(URL) + 3, 0)) + b"1P0" + URL + GS + b"(k\x03\x001Q0"
TICKET = (
    ESC + b"@" + ESC + b"t\x13" + ESC + b"a\x01" + GS + b"!\x33A042\n" + GS + b"!\x00"
    + "Paspoort ophalen: café, één, €".encode("cp858") + b"\n" + QR + ESC + b"d\x02" + GS + b"VB\x00"
)  # fmt: skip
ANSWER_TIMEOUT = 0.3  # seconds a host waits for a status byte before calling the printer silent


@pytest.fixture
def simulator() -> Iterator[WirePrinterSimulator]:
    with WirePrinterSimulator() as printer:
        yield printer
    assert printer.error is None
    assert not [t for t in threading.enumerate() if t.name == "wire-printer-simulator"]


@pytest.fixture
def host(simulator: WirePrinterSimulator) -> Iterator[serial.Serial]:
    port = serial.Serial(simulator.port, 115200, timeout=1)
    yield port
    port.close()


def decode_qr(png: bytes) -> str:
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _ = cv2.QRCodeDetector().detectAndDecode(image)
    return str(text)


def ask(host: serial.Serial, n: int) -> bytes:
    host.write(status_request(n))
    return bytes(host.read(1))


def test_a_ticket_sent_over_the_port_is_printed_and_cut(simulator, host):
    host.write(TICKET)
    assert simulator.wait_for_receipts(1, timeout=5)
    (receipt,) = simulator.receipts
    assert [line.text for line in receipt.lines] == ["A042", "Paspoort ophalen: café, één, €"]
    assert receipt.lines[0].width == 4
    assert receipt.qr_codes == [URL.decode()]
    assert decode_qr(receipt.png) == URL.decode()
    assert receipt.cuts == [True]
    assert receipt.image().width == 576
    assert simulator.received_bytes == len(TICKET)


def test_each_cut_ends_one_receipt(simulator, host):
    host.write(b"one\n" + GS + b"V\x00" + b"two\n" + GS + b"V\x01" + b"three\n")
    assert simulator.wait_for_receipts(2, timeout=5)
    assert [[line.text for line in r.lines] for r in simulator.receipts] == [["one"], ["two"]]
    assert [r.cuts for r in simulator.receipts] == [[False], [True]]
    assert simulator.wait_for_bytes(len(b"one\n\x1dV\x00two\n\x1dV\x01three\n"), timeout=5)
    assert [line.text for line in simulator.in_progress().lines] == ["three"]


def test_paper_width_comes_from_the_profile():
    with WirePrinterSimulator(PrinterProfile.for_paper(58)) as printer:
        port = serial.Serial(printer.port, 115200, timeout=1)
        port.write(b"x\n" + GS + b"V\x00")
        assert printer.wait_for_receipts(1, timeout=5)
        port.close()
    assert printer.receipts[0].image().width == 384


def test_healthy_printer_answers_every_status_request(simulator, host):
    host.write(b"".join(STATUS_REQUESTS))
    assert decode_status(host.read(4)).online


def test_status_is_answered_between_print_data(simulator, host):
    host.write(b"first half\n" + status_request(1) + b"second half\n")
    assert host.read(1) == b"\x12"


def test_paper_out_shows_in_dle_eot_4(simulator, host):
    assert ask(host, 4) == b"\x12"
    simulator.set_paper("out")
    answer = ask(host, 4)
    assert answer == b"\x7e"  # bits 2+3 near end, 5+6 paper end
    assert decode_status(b"\x1a\x32\x12" + answer).paper_end


@pytest.mark.parametrize(("paper", "answer"), [("ok", b"\x00"), ("low", b"\x03"), ("out", b"\x0f")])
def test_gs_r_1_answers_the_paper_sensor(simulator, host, paper, answer):
    simulator.set_paper(paper)
    host.write(GS + b"r\x01")
    assert host.read(1) == answer


def test_cover_and_offline_switches(simulator, host):
    simulator.open_cover()
    assert decode_status(b"".join(ask(host, n) for n in range(1, 5))).cover_open
    simulator.close_cover()
    simulator.go_offline()
    assert not decode_status(b"".join(ask(host, n) for n in range(1, 5))).online
    simulator.go_online()
    assert ask(host, 1) == b"\x12"


def test_a_muted_printer_does_not_answer(simulator, host):
    simulator.mute(True)
    host.timeout = ANSWER_TIMEOUT
    assert ask(host, 1) == b""
    simulator.mute(False)
    assert ask(host, 1) == b"\x12"


def test_garbage_answers_break_the_fixed_bits(simulator, host):
    simulator.answer_garbage(True)
    answers = [ask(host, n) for n in range(1, 5)]
    assert all(len(a) == 1 and not is_status_answer(a[0]) for a in answers)
    with pytest.raises(ValueError):
        decode_status(b"".join(answers))


def test_paper_out_stops_the_print_mid_job(simulator, host):
    first = ESC + b"@" + b"printed before the roll ran out\n"
    host.write(first)
    assert simulator.wait_for_bytes(len(first), timeout=5)
    simulator.set_paper("out")
    rest = b"never printed\n" + GS + b"V\x00"
    host.write(rest)
    assert simulator.wait_for_bytes(len(first) + len(rest), timeout=5)
    assert simulator.receipts == []
    assert [line.text for line in simulator.in_progress().lines] == ["printed before the roll ran out"]


def test_the_cable_pulled_mid_job_fails_the_hosts_writes(simulator, host):
    simulator.disconnect_after(10)
    host.write(TICKET)
    assert simulator.wait_until_disconnected(timeout=5)
    assert simulator.received_bytes == 10
    with pytest.raises((serial.SerialException, OSError)):
        host.write(b"more")


def test_a_slow_line_delays_the_answer_behind_the_job():
    """At 9600 baud a byte takes about 1 ms on the wire, so 600 bytes take about 0.6 s.

    The pty's kernel buffer (like a UART driver's) takes the write at once; what the host
    notices is that the status request after the job is answered only when the job is through.
    """
    job = (b"x" * 47 + b"\n") * 12 + GS + b"V\x00"  # 579 bytes
    with WirePrinterSimulator(baud=9600) as printer:
        port = serial.Serial(printer.port, 9600, timeout=2)
        started = time.monotonic()
        port.write(job + status_request(1))
        answer = port.read(1)
        elapsed = time.monotonic() - started
        port.close()
    assert answer == b"\x12"
    assert 0.5 <= elapsed < 2.0
    assert len(printer.receipts) == 1


def test_the_host_may_close_and_reopen_the_port(simulator):
    for _ in range(2):
        port = serial.Serial(simulator.port, 115200, timeout=1)
        assert ask(port, 1) == b"\x12"
        port.close()


def test_unknown_commands_are_logged_without_their_data(simulator, host, caplog):
    caplog.set_level(logging.INFO, logger="drivers.printer.wire_simulator")
    secret = b"BSN 123456782"
    host.write(GS + b"(L" + bytes((len(secret), 0)) + secret + b"x\n" + GS + b"V\x00")
    assert simulator.wait_for_receipts(1, timeout=5)
    assert "1d 28 4c" in caplog.text
    assert "123456782" not in caplog.text
    assert simulator.receipts[0].unknown == [GS + b"(L" + bytes((len(secret), 0)) + secret]


def test_port_is_only_there_once_started():
    printer = WirePrinterSimulator()
    with pytest.raises(RuntimeError):
        _ = printer.port
    printer.start()
    assert printer.port.startswith("/dev/")
    printer.stop()
