"""Finding printers: serial ports from pyserial's own port records, port 9100 on loopback listeners."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest
from serial.tools.list_ports_common import ListPortInfo

from drivers.printer.detect import ScanError, hosts_to_scan, list_serial_ports, scan_raw_print_port


def port_info(device: str, vid: int | None = None, pid: int | None = None, **fields: str) -> ListPortInfo:
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid = vid, pid
    for key, value in fields.items():
        setattr(info, key, value)
    return info


def test_usb_serial_adapters_carry_vendor_and_product(tmp_path) -> None:
    main, secondary = os.openpty()  # a real device node this user can open, as a port would be
    try:
        tty = os.ttyname(secondary)
        adapter = port_info(tty, 0x067B, 0x2303, manufacturer="Prolific Technology Inc.",
                            product="USB-Serial Controller", description="USB-Serial Controller")  # fmt: skip
        builtin = port_info(str(tmp_path / "ttyS0"), description="n/a")
        ports = list_serial_ports(lambda: [builtin, adapter])
    finally:
        os.close(main)
        os.close(secondary)
    by_device = {port.device: port for port in ports}
    assert by_device[tty].usb_id == "067b:2303"
    assert by_device[tty].manufacturer == "Prolific Technology Inc." and by_device[tty].accessible
    assert by_device[str(tmp_path / "ttyS0")].usb_id == "" and by_device[str(tmp_path / "ttyS0")].description == ""
    assert not by_device[str(tmp_path / "ttyS0")].accessible  # no such node: nobody can open it


@pytest.fixture
def listeners() -> Iterator[dict[str, socket.socket]]:
    """Raw-print-port stand-ins on two loopback addresses, on one free port."""
    first = socket.create_server(("127.0.0.2", 0))
    port = first.getsockname()[1]
    second = socket.create_server(("127.0.0.5", port))
    try:
        yield {"port": port, "127.0.0.2": first, "127.0.0.5": second}  # type: ignore[dict-item]
    finally:
        first.close()
        second.close()


def test_the_scan_finds_exactly_the_hosts_that_accept(listeners) -> None:
    hosts = hosts_to_scan("127.0.0.0/29")
    assert hosts == [f"127.0.0.{n}" for n in range(1, 7)]
    found = scan_raw_print_port(hosts, port=listeners["port"], timeout=1.0)
    assert [printer.url for printer in found] == [
        f"socket://127.0.0.2:{listeners['port']}",
        f"socket://127.0.0.5:{listeners['port']}",
    ]


def test_the_scan_is_bounded_by_one_timeout_not_one_per_host() -> None:
    # TEST-NET-1 (RFC 5737) is never routed: each connect either fails at once or never answers.
    hosts = hosts_to_scan("192.0.2.0/26")
    started = time.monotonic()
    assert scan_raw_print_port(hosts, timeout=0.3) == []
    assert time.monotonic() - started < 2.0, "connects must run at once, not one after another"


def test_more_hosts_than_one_batch_are_all_tried(listeners, monkeypatch) -> None:
    import drivers.printer.detect as detect

    monkeypatch.setattr(detect, "CONNECTS_AT_ONCE", 2)
    found = scan_raw_print_port(hosts_to_scan("127.0.0.0/29"), port=listeners["port"], timeout=1.0)
    assert [printer.host for printer in found] == ["127.0.0.2", "127.0.0.5"]


def test_addresses_and_names_are_resolved_and_bad_input_named() -> None:
    assert hosts_to_scan(None, ["localhost", "127.0.0.1", "10.1.2.3"]) == ["127.0.0.1", "10.1.2.3"]
    assert hosts_to_scan("10.0.0.7/32") == ["10.0.0.7"]
    with pytest.raises(ScanError, match=r"not a subnet such as 192\.168\.1\.0/24"):
        hosts_to_scan("192.168.1/33")
    with pytest.raises(ScanError, match="scan at most a /20"):
        hosts_to_scan("10.0.0.0/8")
    with pytest.raises(ScanError, match="a name this machine can resolve"):
        hosts_to_scan(None, ["no-such-printer.invalid"])
