"""Errors the kiosk turns into one plain line at its edge (CLI or screen)."""


class BalieError(Exception):
    """Base of every error Balie reports to a person rather than as a traceback."""


class ConfigError(BalieError):
    """The device configuration cannot be used; the message names the key and the problem.

    `line` is where in the file, when the mistake is on one line: the technician goes there first.
    """

    def __init__(self, source: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{source}, line {line}: {message}" if line else f"{source}: {message}")
        self.source = source
        self.message = message
        self.line = line
