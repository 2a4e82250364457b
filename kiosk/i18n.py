"""Translations: gettext PO catalogues in assets/locale, read with polib.

Screens never hold a literal sentence: they call `Translator.text(msgid)`, where the
msgid is the English source text (gettext's convention). Dutch (B1 wording) is the
default language; English is the msgid itself, so it is always complete.
`N_()` marks a string for extraction where it is defined as data (task titles).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "assets" / "locale"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Mark a msgid for the catalogue without translating it here."""
    return message


@cache
def _catalogue(language: str) -> dict[str, str]:
    if language == SOURCE_LANGUAGE:
        return {}
    po = polib.pofile(str(LOCALE_DIR / f"{language}.po"))
    return {entry.msgid: entry.msgstr for entry in po if entry.msgstr and not entry.obsolete}


@dataclass(frozen=True)
class Translator:
    language: str
    _messages: dict[str, str] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def for_language(cls, language: str) -> Translator:
        return cls(language, _catalogue(language))

    def text(self, msgid: str, **values: object) -> str:
        """The translated text; `{name}` placeholders are filled from `values`."""
        message = self._messages.get(msgid, msgid)
        return message.format(**values) if values else message


def localized(texts: Mapping[str, str], language: str) -> str:
    """A configured text (topic, place, counter) in the citizen's language, else the Dutch one.

    Config and data give Dutch always and other languages where someone wrote them.
    """
    return texts.get(language) or texts.get("nl", "")


def catalogue_languages() -> tuple[str, ...]:
    return (SOURCE_LANGUAGE, *sorted(p.stem for p in LOCALE_DIR.glob("*.po")))
