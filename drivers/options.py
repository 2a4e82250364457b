"""Driver options from the config file: what each driver accepts, checked before any device opens.

A technician editing TOML on site gets one line naming the option, what was wrong and what
is allowed. The registry reads these tables without loading any driver. Plain classes with
__slots__ rather than dataclasses: this runs at kiosk start-up (config check), and each
dataclass costs about a millisecond to create.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

T = TypeVar("T")


class DriverConfigError(Exception):
    """A driver name or option cannot be used; `key` is "driver" or the option's name."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ "did you mean 'driver'? " for a near miss among `choices`, else "": a typo is fixed at once."""
    import difflib  # only when something is wrong

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'? " if close else ""


def shown(value: object) -> str:
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


class Flag:
    __slots__ = ("default",)

    def __init__(self, default: bool) -> None:
        self.default = default

    def parse(self, key: str, value: object) -> bool:
        if not isinstance(value, bool):
            raise DriverConfigError(key, f"must be true or false, not {shown(value)}")
        return value


class Whole:
    __slots__ = ("default", "maximum", "minimum")

    def __init__(self, default: int, minimum: int, maximum: int) -> None:
        self.default = default
        self.minimum = minimum
        self.maximum = maximum

    def parse(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise DriverConfigError(
                key, f"must be a whole number from {self.minimum} to {self.maximum}, not {shown(value)}"
            )
        return value


class Number:
    __slots__ = ("default", "maximum", "minimum")

    def __init__(self, default: float, minimum: float, maximum: float) -> None:
        self.default = default
        self.minimum = minimum
        self.maximum = maximum

    def parse(self, key: str, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not self.minimum <= value <= self.maximum:
            raise DriverConfigError(
                key, f"must be a number from {self.minimum:g} to {self.maximum:g}, not {shown(value)}"
            )
        return float(value)


class Choice:
    __slots__ = ("choices", "default")

    def __init__(self, default: str, choices: tuple[str, ...]) -> None:
        self.default = default
        self.choices = choices

    def parse(self, key: str, value: object) -> str:
        if not isinstance(value, str) or value not in self.choices:
            allowed = ", ".join(f"'{choice}'" for choice in self.choices)
            near = did_you_mean(value, self.choices).strip() if isinstance(value, str) else ""
            suggestion = f" ({near})" if near else ""
            raise DriverConfigError(key, f"must be one of {allowed}, not {shown(value)}{suggestion}")
        return value


class WholeChoice:
    """A whole number from a short list, such as a baud rate or a paper width."""

    __slots__ = ("choices", "default")

    def __init__(self, default: int, choices: tuple[int, ...]) -> None:
        self.default = default
        self.choices = choices

    def parse(self, key: str, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value not in self.choices:
            allowed = ", ".join(str(choice) for choice in self.choices)
            raise DriverConfigError(key, f"must be one of {allowed}, not {shown(value)}")
        return value


class Names:
    """A TOML list of names, each from a known set, in an order that matters (tried first to last)."""

    __slots__ = ("choices", "default", "hint")

    def __init__(self, default: tuple[str, ...], choices: tuple[str, ...], hint: str = "name") -> None:
        self.default = default
        self.choices = choices
        self.hint = hint  # what one name is, singular: "code page"

    def parse(self, key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            example = ", ".join(f"'{name}'" for name in self.default)
            raise DriverConfigError(key, f"must be a list such as [{example}], not {shown(value)}")
        if not value:
            raise DriverConfigError(key, f"must name at least one {self.hint}")
        seen: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise DriverConfigError(key, f"must hold {self.hint} names, not {shown(item)}")
            if item not in self.choices:
                near = did_you_mean(item, self.choices)
                raise DriverConfigError(key, f"unknown {self.hint} '{item}' ({near}known: {', '.join(self.choices)})")
            if item in seen:
                raise DriverConfigError(key, f"names {self.hint} '{item}' twice")
            seen.append(item)
        return tuple(seen)


class Text:
    """Text; a `required` one has no usable default and must be set in the config."""

    __slots__ = ("default", "hint", "required")

    def __init__(self, default: str, hint: str = "text", required: bool = False) -> None:
        self.default = default
        self.hint = hint
        self.required = required

    def parse(self, key: str, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise DriverConfigError(key, f"must be {self.hint}, not {shown(value) if value else 'empty'}")
        return value


class Table:
    """A TOML table of names to names, e.g. language code to voice."""

    __slots__ = ("default", "key_hint", "key_pattern", "value_hint", "value_pattern")

    def __init__(
        self, default: Mapping[str, str], key_pattern: str, key_hint: str, value_pattern: str, value_hint: str
    ) -> None:
        self.default = default
        self.key_pattern = key_pattern
        self.key_hint = key_hint
        self.value_pattern = value_pattern
        self.value_hint = value_hint

    def parse(self, key: str, value: object) -> dict[str, str]:
        if not isinstance(value, Mapping):
            raise DriverConfigError(key, f"must be a table of {self.key_hint} to {self.value_hint}")
        result: dict[str, str] = {}
        for name, item in value.items():
            if not isinstance(name, str) or not re.fullmatch(self.key_pattern, name):
                raise DriverConfigError(f"{key}.{name}", f"must be named by {self.key_hint}")
            if not isinstance(item, str) or not re.fullmatch(self.value_pattern, item):
                raise DriverConfigError(f"{key}.{name}", f"must be {self.value_hint}, not {shown(item)}")
            result[name] = item
        return result


Option = Flag | Whole | WholeChoice | Number | Choice | Names | Text | Table


class DriverFactory(Generic[T]):
    """How to make one driver from its options; `make` imports the driver when first called."""

    __slots__ = ("make", "options")

    def __init__(self, make: Callable[..., T], options: Mapping[str, Option] | None = None) -> None:
        self.make = make
        self.options: Mapping[str, Option] = options or {}

    def validate(self, options: Mapping[str, object]) -> dict[str, object]:
        """Options with defaults filled in; raises DriverConfigError on the first problem."""
        if not isinstance(options, Mapping):
            raise DriverConfigError("options", "must be a table")
        for key in options:
            if key not in self.options:
                allowed = ", ".join(self.options)
                hint = f"options: {allowed}" if allowed else "this driver has no options"
                raise DriverConfigError(str(key), f"unknown option ({did_you_mean(str(key), self.options)}{hint})")
        for key, option in self.options.items():
            if isinstance(option, Text) and option.required and key not in options:
                raise DriverConfigError(key, f"is required: {option.hint}")
        values: dict[str, object] = {
            key: dict(option.default) if isinstance(option, Table) else option.default
            for key, option in self.options.items()
        }
        for key, value in options.items():
            values[key] = self.options[key].parse(key, value)
        return values

    def __call__(self, options: Mapping[str, object]) -> T:
        return self.make(**self.validate(options))
