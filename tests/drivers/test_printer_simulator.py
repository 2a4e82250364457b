"""The simulated printer through its bytes, and the driver that talks to it."""

import threading

import pytest

from drivers.health import HealthState
from drivers.printer.protocol import PrinterError, PrinterStatus
from drivers.printer.simulator import SimulatedPrinter, SimulatedPrinterDriver
from drivers.printer.status import STATUS_REQUESTS, decode_status

TICKET = b"\x1b@Gemeente Voorbeeld\nUw nummer: A042\n\x1dV\x42\x00"


def ask_all(printer: SimulatedPrinter) -> bytes:
    printer.write(b"".join(STATUS_REQUESTS))
    return printer.read(4)


# -- the far end: answers as bytes ----------------------------------------------------


def test_healthy_printer_answers_fixed_bits_only():
    assert ask_all(SimulatedPrinter()) == bytes.fromhex("12121212")


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        (lambda p: p.set_paper("low"), PrinterStatus(online=True, paper_near_end=True)),
        (lambda p: p.set_paper("out"), PrinterStatus(online=False, paper_end=True, paper_near_end=True)),
        (SimulatedPrinter.open_cover, PrinterStatus(online=False, cover_open=True)),
        (SimulatedPrinter.go_offline, PrinterStatus(online=False)),
        (lambda p: setattr(p, "cutter_error", True), PrinterStatus(online=False, cutter_error=True)),
        (
            lambda p: setattr(p, "unrecoverable_error", True),
            PrinterStatus(online=False, unrecoverable_error=True),
        ),
    ],
)
def test_each_fault_decodes_from_the_answered_bytes(fault, expected):
    printer = SimulatedPrinter()
    fault(printer)
    assert decode_status(ask_all(printer)) == expected


def test_cover_closed_again_is_healthy():
    printer = SimulatedPrinter(cover_open=True)
    printer.close_cover()
    assert decode_status(ask_all(printer)) == PrinterStatus(online=True)


def test_print_data_is_received_in_order_without_the_requests():
    printer = SimulatedPrinter()
    printer.write(b"abc" + STATUS_REQUESTS[0] + b"def")
    printer.write(b"\x10\x04\x07")  # not a DLE EOT this printer answers: plain data
    assert printer.received == b"abcdef\x10\x04\x07"
    assert printer.read(10) == bytes.fromhex("12")


def test_a_request_split_over_writes_is_still_answered():
    printer = SimulatedPrinter()
    printer.write(b"ticket\x10")
    printer.write(b"\x04")
    assert printer.read(1) == b""
    printer.write(b"\x04more")
    assert printer.read(1) == bytes.fromhex("12")
    assert printer.received == b"ticketmore"


def test_unplugged_printer_neither_receives_nor_answers():
    printer = SimulatedPrinter(present=False)
    assert ask_all(printer) == b""
    assert printer.received == b""


def test_read_waits_for_an_answer_written_by_another_thread():
    printer = SimulatedPrinter()
    writer = threading.Thread(target=printer.write, args=(STATUS_REQUESTS[1],))
    writer.start()
    assert printer.read(1, timeout=2.0) == bytes.fromhex("12")
    writer.join()


def test_unknown_paper_level_is_refused():
    with pytest.raises(ValueError):
        SimulatedPrinter(paper="full")  # type: ignore[arg-type]


# -- the driver: the kiosk's view -------------------------------------------------------


@pytest.fixture
def endpoint() -> SimulatedPrinter:
    return SimulatedPrinter()


@pytest.fixture
def driver(endpoint) -> SimulatedPrinterDriver:
    return SimulatedPrinterDriver(endpoint, timeout=0.05)


def test_ticket_arrives_byte_for_byte(driver, endpoint):
    driver.write(TICKET)
    assert endpoint.received == TICKET
    assert driver.endpoint is endpoint


def test_status_comes_through_the_bytes(driver, endpoint):
    assert driver.status() == PrinterStatus(online=True)
    endpoint.set_paper("low")
    assert driver.status() == PrinterStatus(online=True, paper_near_end=True)
    assert endpoint.received == b""  # asking is not printing


def test_ticket_refused_when_paper_is_out(driver, endpoint):
    endpoint.set_paper("out")
    with pytest.raises(PrinterError, match=r"^Paper is out$"):
        driver.write(TICKET)
    assert endpoint.received == b""


def test_ticket_refused_when_cover_open(driver, endpoint):
    endpoint.open_cover()
    with pytest.raises(PrinterError, match=r"^Printer cover is open$"):
        driver.write(TICKET)


def test_low_paper_still_prints_but_is_degraded(driver, endpoint):
    endpoint.set_paper("low")
    driver.write(TICKET)
    assert endpoint.received == TICKET
    health = driver.health()
    assert (health.state, health.reason) == (HealthState.DEGRADED, "Paper is running low")


def test_unplugged_printer_does_not_answer(driver, endpoint):
    endpoint.unplug()
    health = driver.health()
    assert (health.state, health.reason) == (HealthState.MISSING, "Printer does not answer")
    with pytest.raises(PrinterError, match=r"^Printer does not answer$"):
        driver.status()
    with pytest.raises(PrinterError, match=r"^Printer does not answer$"):
        driver.write(TICKET)
    endpoint.plug_in()
    assert driver.health().state is HealthState.OK


def test_stale_answers_are_discarded_before_asking(driver, endpoint):
    endpoint.set_paper("out")
    endpoint.write(b"".join(STATUS_REQUESTS))  # answers nobody read
    endpoint.set_paper("ok")
    assert driver.status() == PrinterStatus(online=True)


def test_offline_printer_fails_with_a_plain_reason(driver, endpoint):
    endpoint.go_offline()
    assert driver.health().reason == "Printer is offline"
    endpoint.go_online()
    assert driver.health().state is HealthState.OK
