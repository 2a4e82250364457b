"""Telling systemd the kiosk is up and still alive (sd_notify), so a hung screen is restarted too.

A crash ends the process and `Restart=always` brings it back; a UI stuck in a loop or a
blocked call stays up and shows a frozen screen all day. With `WatchdogSec=` in the unit,
systemd kills and restarts the service when these keep-alives stop. The kiosk sends them
from a QTimer on the Qt main thread (kiosk/ui/app.py), never from a thread of its own: a
helper thread would go on pinging while the screen is frozen, which is exactly the failure
the watchdog is there to catch.

The protocol is one datagram per message to the AF_UNIX socket in $NOTIFY_SOCKET
(sd_notify(3)); a leading "@" names a socket in the abstract namespace. It is a few lines
of socket code, so no dependency on libsystemd. Outside systemd (a developer's desktop, the
tests) there is no $NOTIFY_SOCKET and every call does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import MutableMapping

log = logging.getLogger(__name__)

# What systemd sets (systemd.exec(5), sd_watchdog_enabled(3)); removed from the environment once
# read, so child processes (espeak-ng) never inherit a socket they could notify through.
NOTIFY_SOCKET = "NOTIFY_SOCKET"
WATCHDOG_USEC = "WATCHDOG_USEC"
WATCHDOG_PID = "WATCHDOG_PID"


class SystemdNotifier:
    """Sends READY=1, WATCHDOG=1 and STOPPING=1 to the service manager, if there is one."""

    def __init__(self, socket_path: str | None, watchdog_usec: int | None = None) -> None:
        self.socket_path = socket_path or None
        self.watchdog_usec = watchdog_usec if watchdog_usec and watchdog_usec > 0 else None
        self._socket: socket.socket | None = None
        self.sent = 0

    @classmethod
    def from_environment(cls, environ: MutableMapping[str, str] | None = None) -> SystemdNotifier:
        """Read (and remove) systemd's variables; sd_watchdog_enabled(3) rules for WATCHDOG_PID."""
        env = os.environ if environ is None else environ
        path = env.pop(NOTIFY_SOCKET, "")
        usec_text = env.pop(WATCHDOG_USEC, "")
        pid_text = env.pop(WATCHDOG_PID, "")
        usec: int | None = None
        if usec_text.isdigit() and (not pid_text or pid_text == str(os.getpid())):
            usec = int(usec_text)  # a WATCHDOG_PID of another process means the watchdog is not ours
        return cls(path or None, usec)

    @property
    def enabled(self) -> bool:
        return self.socket_path is not None

    @property
    def ping_interval(self) -> float | None:
        """Seconds between keep-alives: half the watchdog time, as sd_watchdog_enabled(3) advises,
        so one late timer does not cost a restart. None when systemd set no watchdog."""
        return self.watchdog_usec / 2_000_000 if self.watchdog_usec and self.enabled else None

    def ready(self) -> bool:
        """The kiosk shows its first screen: a `Type=notify` unit counts as started from now on."""
        return self.notify("READY=1\nSTATUS=Kiosk running")

    def ping(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def notify(self, message: str) -> bool:
        """Send one message; False when there is no service manager or it cannot be reached.

        Never raises: a missed keep-alive must cost at most a restart, never the kiosk itself.
        """
        if self.socket_path is None:
            return False
        address = "\0" + self.socket_path[1:] if self.socket_path.startswith("@") else self.socket_path
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(message.encode("utf-8"), address)
        except OSError as error:
            log.warning("cannot notify the service manager: %s", error.strerror or type(error).__name__)
            return False
        self.sent += 1
        return True

    def close(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()
