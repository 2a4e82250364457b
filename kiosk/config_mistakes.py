"""How a mistake in a config file is told: the line it is on, the likely fix, in plain words.

A technician on site edits TOML in nano, without a schema; "Expected `int`, got `str` - at
`$.session.idle_seconds`" makes them guess, "line 7: session.idle_seconds: must be a whole
number, not 'sixty' (text)" does not. tomllib and msgspec report positions and types in their
own terms, and validation errors carry a key path but no line, so the line is found again in
the text here. Imported only when a config is wrong: a good config starts without it.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Mapping, Sequence
from dataclasses import fields, is_dataclass
from enum import Enum
from typing import Any

from drivers.options import did_you_mean, shown

TABLE = re.compile(r"^\s*\[\s*(?P<name>[^\[\]]+?)\s*\]\s*(#.*)?$")
ARRAY_TABLE = re.compile(r"^\s*\[\[\s*(?P<name>[^\[\]]+?)\s*\]\]\s*(#.*)?$")
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
KEY = re.compile(rf"^\s*(?P<key>{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
KEY_PATH = re.compile(r"^[A-Za-z0-9_\-\[\].]+$")
TOML_POSITION = re.compile(
    r"^(?P<problem>.*?) \((?:at line (?P<line>\d+), column (?P<column>\d+)|at end of document)\)$"
)
MSGSPEC_TYPE = re.compile(r"^Expected `(?P<expected>[^`]+)`(?P<bound>[^,]*), got `(?P<got>[^`]+)`$")
TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "str": "text in quotes",
    "bool": "true or false",
    "array": "a list in [ ]",
    "object": "a table",
    "null": "nothing",
}
# What most often causes each tomllib complaint when a person edits by hand.
TOML_HINTS = {
    "Invalid value": 'text goes in double quotes, e.g. role = "kiosk"',
    "Cannot overwrite a value": "this key is already set above: keep one of the two",
    "Cannot declare": "this table is already written above: keep one [section] and put its keys together",
    "Expected '=' after a key": 'a key is one word, then =, e.g. driver = "escpos"',
    "Illegal character": "a text is not closed: end it with a double quote on the same line",
    "Unterminated string": "a text is not closed: end it with a double quote",
    "Expected ']' at the end of a table": "a [section] header needs its closing ]",
    "Expected newline or end of document": "one key = value per line; text goes in double quotes",
}


def toml_syntax(message: str) -> tuple[int | None, str]:
    """tomllib's "Invalid value (at line 3, column 8)" as (3, "not valid TOML at column 8: invalid value (hint)")."""
    match = TOML_POSITION.match(message)
    problem, line, where = message, None, ""
    if match:
        problem = match["problem"]
        line = int(match["line"]) if match["line"] else None
        where = f" at column {match['column']}" if match["column"] else " at the end of the file"
    hint = next((text for start, text in TOML_HINTS.items() if problem.startswith(start)), "")
    table = re.search(r"\((?P<names>'[^()]*)\)", problem)  # "Cannot declare ('hardware', 'printer') twice"
    if table:
        header = ".".join(name.strip(" '") for name in table["names"].split(",") if name.strip(" '"))
        problem = problem.replace(table[0], f"[{header}]")
    told = problem[:1].lower() + problem[1:]
    return line, f"not valid TOML{where}: {told}" + (f" ({hint})" if hint else "")


def plain_validation(problem: str, path: str, raw: Mapping[str, Any], root: type) -> tuple[str, str]:
    """msgspec's problem at `path` in words: what is allowed there and what was written instead.

    Returns the path too, made exact where msgspec only says "somewhere in this table".
    """
    typed = MSGSPEC_TYPE.match(problem)
    if path.endswith("[...]"):  # a table's entry (e.g. one opening day): msgspec does not say which
        path = _wrong_entry(value_at(raw, path.removesuffix("[...]")), path, typed["expected"] if typed else "")
    value = value_at(raw, path)
    if typed:
        expected = TYPE_WORDS.get(typed["expected"], typed["expected"])
        got = shown(value) if value is not None else TYPE_WORDS.get(typed["got"], typed["got"])
        return path, f"must be {expected}{typed['bound']}, not {got}"
    enum_value = re.match(r"^Invalid enum value (?P<value>.+)$", problem)
    hint = type_at(root, path)
    if enum_value and isinstance(hint, type) and issubclass(hint, Enum):
        allowed = [str(member.value) for member in hint]
        written = str(value) if value is not None else enum_value["value"].strip("'")
        listed = ", ".join(f"'{choice}'" for choice in allowed)
        near = did_you_mean(written, allowed).strip() or "check the spelling"
        return path, f"must be one of {listed}, not '{written}' ({near})"
    missing = re.match(r"^Object missing required field `(?P<key>[^`]+)`$", problem)
    if missing:
        return path, f"{missing['key']} is missing here"
    return path, problem


def _wrong_entry(table: Any, path: str, expected: str) -> str:
    """The path of the first entry in `table` that is not of the `expected` msgspec type."""
    kinds: dict[str, Any] = {"str": str, "int": int, "float": int | float, "bool": bool, "array": list}
    kind = kinds.get(expected)
    if isinstance(table, Mapping) and kind is not None:
        for key, value in table.items():
            if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
                return f"{path.removesuffix('[...]')}.{key}"
    return path.removesuffix("[...]")


def unknown_key(key: str, known: Sequence[str]) -> str:
    suggestion = did_you_mean(key, known)
    if suggestion:
        return f"unknown key ({suggestion.strip()})"
    return f"unknown key (known here: {', '.join(known)})"


def _components(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.split("."):
        name, *indexes = re.split(r"\[", piece)
        if name:
            parts.append(name)
        parts.extend(int(index.rstrip("]")) for index in indexes if index.rstrip("]").isdigit())
    return parts


def value_at(raw: Any, path: str) -> Any:
    """The value the file holds at `path`, or None."""
    for part in _components(path):
        in_list = isinstance(part, int) and isinstance(raw, list) and part < len(raw)
        in_table = isinstance(part, str) and isinstance(raw, Mapping) and part in raw
        if not (in_list or in_table):
            return None
        raw = raw[part]
    return raw


def type_at(root: type, path: str) -> Any:
    """The settings type expected at `path` (a dataclass field's hint), or None."""
    hint: Any = root
    for part in _components(path):
        if isinstance(part, int):
            args = typing.get_args(hint)
            hint = args[0] if args else None
        elif isinstance(hint, type) and is_dataclass(hint) and part in {f.name for f in fields(hint)}:
            hint = typing.get_type_hints(hint)[part]
        elif typing.get_origin(hint) is dict:
            hint = typing.get_args(hint)[1]
        else:
            return None
    return hint


def line_of(text: str, path: str) -> int | None:
    """The line (from 1) where `path` such as "queue.topics[1].letter" is written, or where the
    nearest enclosing key or table is; None when the path is not in the text at all."""
    defined = _definitions(text)
    parts = _components(path)
    while parts:
        line = defined.get(_joined(parts))
        if line is not None:
            return line
        parts.pop()
    return None


def _joined(parts: Sequence[str | int]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in parts).lstrip(".")


def _dotted(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.findall(r"""(?:"[^"]*"|'[^']*'|[^.]+)""", key)]


def _definitions(text: str) -> dict[str, int]:
    """Every table and key path the text writes, with the first line it is written on."""
    defined: dict[str, int] = {}
    counts: dict[str, int] = {}
    table: list[str | int] = []
    in_multiline = False
    for number, line in enumerate(text.splitlines(), start=1):
        quotes = line.count('"""') + line.count("'''")
        if in_multiline:
            in_multiline = quotes % 2 == 0
            continue
        array = ARRAY_TABLE.match(line)
        header = array or TABLE.match(line)
        if header:
            names: list[str | int] = list(_dotted(header["name"]))
            if array:
                name = _joined(names)
                counts[name] = counts.get(name, -1) + 1
                names.append(counts[name])
            table = names
            for end in range(1, len(table) + 1):
                defined.setdefault(_joined(table[:end]), number)
            continue
        key = KEY.match(line)
        if key:
            parts = [*table, *_dotted(key["key"])]
            for end in range(len(table) + 1, len(parts) + 1):
                defined.setdefault(_joined(parts[:end]), number)
        in_multiline = quotes % 2 == 1
    return defined
