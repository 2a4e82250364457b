"""Driver options from the config file: what each driver accepts, checked before any device opens.

A technician editing TOML on site gets one line naming the option, what was wrong and what
is allowed. Only the standard library is imported here; the registry reads these tables
without loading any driver.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


class DriverConfigError(Exception):
    """A driver name or option cannot be used; `key` is "driver" or the option's name."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def _shown(value: object) -> str:
    """A value as the technician wrote it in TOML, with its kind."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}' (text)"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


@dataclass(frozen=True, slots=True)
class Flag:
    default: bool

    def parse(self, key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise DriverConfigError(key, f"must be true or false, not {_shown(value)}")
        return value


@dataclass(frozen=True, slots=True)
class Whole:
    default: int
    minimum: int
    maximum: int

    def parse(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise DriverConfigError(
                key, f"must be a whole number from {self.minimum} to {self.maximum}, not {_shown(value)}"
            )
        return value


@dataclass(frozen=True, slots=True)
class Number:
    default: float
    minimum: float
    maximum: float

    def parse(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not self.minimum <= value <= self.maximum:
            raise DriverConfigError(
                key, f"must be a number from {self.minimum:g} to {self.maximum:g}, not {_shown(value)}"
            )
        return float(value)


@dataclass(frozen=True, slots=True)
class Choice:
    default: str
    choices: tuple[str, ...]

    def parse(self, key: str, value: object) -> str:
        if not isinstance(value, str) or value not in self.choices:
            allowed = ", ".join(f"'{choice}'" for choice in self.choices)
            raise DriverConfigError(key, f"must be one of {allowed}, not {_shown(value)}")
        return value


@dataclass(frozen=True, slots=True)
class Text:
    default: str
    hint: str = "text"

    def parse(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise DriverConfigError(key, f"must be {self.hint}, not {_shown(value) if value else 'empty'}")
        return value


@dataclass(frozen=True, slots=True)
class Table:
    """A TOML table of names to names, e.g. language code to voice."""

    default: Mapping[str, str]
    key_pattern: str
    key_hint: str
    value_pattern: str
    value_hint: str

    def parse(self, key: str, value: object) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise DriverConfigError(key, f"must be a table of {self.key_hint} to {self.value_hint}")
        result: dict[str, str] = {}
        for name, item in value.items():
            if not isinstance(name, str) or not re.fullmatch(self.key_pattern, name):
                raise DriverConfigError(f"{key}.{name}", f"must be named by {self.key_hint}")
            if not isinstance(item, str) or not re.fullmatch(self.value_pattern, item):
                raise DriverConfigError(f"{key}.{name}", f"must be {self.value_hint}, not {_shown(item)}")
            result[name] = item
        return result


Option = Flag | Whole | Number | Choice | Text | Table


@dataclass(frozen=True, slots=True)
class DriverFactory(Generic[T]):
    """How to make one driver from its options; `make` imports the driver when first called."""

    make: Callable[..., T]
    options: Mapping[str, Option] = field(default_factory=dict)

    def validate(self, options: Mapping[str, object]) -> dict[str, object]:
        """Options with defaults filled in; raises DriverConfigError on the first problem."""
        if not isinstance(options, Mapping):
            raise DriverConfigError("options", "must be a table")
        for key in options:
            if key not in self.options:
                allowed = ", ".join(self.options)
                hint = f"options: {allowed}" if allowed else "this driver has no options"
                raise DriverConfigError(str(key), f"unknown option ({hint})")
        values: dict[str, object] = {
            key: dict(option.default) if isinstance(option, Table) else option.default
            for key, option in self.options.items()
        }
        for key, value in options.items():
            values[key] = self.options[key].parse(key, value)
        return values

    def __call__(self, options: Mapping[str, object]) -> T:
        return self.make(**self.validate(options))
