"""Where a receipt printer could be: serial ports, USB-serial adapters and port 9100 on the network.

For `balie provision detect`. Serial ports come from pyserial's list_ports, which reads sysfs
for a USB adapter's vendor and product, so the technician can tell the printer's adapter
from a modem's. Network printers take raw print jobs on TCP 9100 (the "JetDirect" port that
ESC/POS network printers use too); they are found by a connect alone, never by sending
bytes, because an office printer on the same subnet would print whatever arrived. Connects
run all at once as non-blocking sockets with one short timeout, so a /24 takes about half a
second, not minutes.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import selectors
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

RAW_PRINT_PORT = 9100
MAX_HOSTS = 4096  # a /20; larger is almost certainly a typo in the CIDR, and a slow scan
CONNECTS_AT_ONCE = 256  # stays far below the default limit of 1024 open files

_IN_PROGRESS = {0, errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY}


@dataclass(frozen=True, slots=True)
class SerialPort:
    device: str  # /dev/ttyUSB0
    description: str
    vid: int | None = None  # USB vendor id (None for a built-in port)
    pid: int | None = None
    manufacturer: str = ""
    product: str = ""
    accessible: bool = True  # this user may open it (else: the 'dialout' group is missing)

    @property
    def usb_id(self) -> str:
        return f"{self.vid:04x}:{self.pid:04x}" if self.vid is not None and self.pid is not None else ""


@dataclass(frozen=True, slots=True)
class NetworkPrinter:
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"socket://{host}:{self.port}"


def _comports() -> list[Any]:
    from serial.tools import list_ports  # type: ignore[import-untyped]

    return list(list_ports.comports())


def list_serial_ports(comports: Callable[[], Iterable[Any]] = _comports) -> list[SerialPort]:
    """Serial ports with a device behind them (pyserial leaves out the kernel's 32 placeholder ttyS)."""
    ports = []
    for info in comports():
        device = str(info.device)
        description = str(info.description) if info.description and info.description != "n/a" else ""
        ports.append(
            SerialPort(
                device=device,
                description=description,
                vid=info.vid,
                pid=info.pid,
                manufacturer=str(info.manufacturer or ""),
                product=str(info.product or ""),
                accessible=os.access(device, os.R_OK | os.W_OK),
            )
        )
    return sorted(ports, key=lambda port: port.device)


class ScanError(ValueError):
    """The subnet or address cannot be scanned as given."""


def hosts_to_scan(subnet: str | None = None, addresses: Iterable[str] = ()) -> list[str]:
    """The addresses of a CIDR subnet (without network and broadcast address) plus single hosts."""
    hosts: list[str] = []
    if subnet:
        try:
            network = ipaddress.ip_network(subnet.strip(), strict=False)
        except ValueError:
            raise ScanError(f"'{subnet}' is not a subnet such as 192.168.1.0/24") from None
        if network.num_addresses > MAX_HOSTS + 2:
            raise ScanError(f"{subnet} has {network.num_addresses} addresses; scan at most a /20 ({MAX_HOSTS})")
        hosts += [str(host) for host in network.hosts()] or [str(network.network_address)]
    for address in addresses:
        try:
            infos = socket.getaddrinfo(address.strip(), None, type=socket.SOCK_STREAM)
        except socket.gaierror:
            raise ScanError(f"'{address}' is not an address or a name this machine can resolve") from None
        hosts.append(str(infos[0][4][0]))
    return list(dict.fromkeys(hosts))


def scan_raw_print_port(
    hosts: Iterable[str], port: int = RAW_PRINT_PORT, timeout: float = 0.5, clock: Callable[[], float] = time.monotonic
) -> list[NetworkPrinter]:
    """Hosts that accept a TCP connection on `port` within `timeout`; the connection is closed at once."""
    found: list[NetworkPrinter] = []
    hosts = list(hosts)
    pending = hosts
    while pending:
        batch, pending = pending[:CONNECTS_AT_ONCE], pending[CONNECTS_AT_ONCE:]
        found += _connect_batch(batch, port, timeout, clock)
    order = {host: index for index, host in enumerate(hosts)}
    return sorted(found, key=lambda printer: order.get(printer.host, 0))


def _connect_batch(hosts: list[str], port: int, timeout: float, clock: Callable[[], float]) -> list[NetworkPrinter]:
    found: list[NetworkPrinter] = []
    with selectors.DefaultSelector() as selector:
        for host in hosts:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setblocking(False)
            if sock.connect_ex((host, port)) in _IN_PROGRESS:
                selector.register(sock, selectors.EVENT_WRITE, host)
            else:
                sock.close()  # refused or unreachable at once
        deadline = clock() + timeout
        try:
            while selector.get_map():
                left = deadline - clock()
                if left <= 0:
                    break
                for key, _events in selector.select(left):
                    ready = key.fileobj
                    assert isinstance(ready, socket.socket)
                    if ready.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                        found.append(NetworkPrinter(key.data, port))
                    selector.unregister(ready)
                    ready.close()
        finally:
            for key in list(selector.get_map().values()):
                selector.unregister(key.fileobj)
                assert isinstance(key.fileobj, socket.socket)
                key.fileobj.close()
    return found
