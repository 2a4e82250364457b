"""The staff pages' words: both languages have every text, with the same placeholders, and every key used exists.

The browser pass (page_audit.py) sees what a page shows; this sees keys a page shows only sometimes.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

from backoffice.agenda_export import APPOINTMENT, ROW
from backoffice.contacts import Channel
from backoffice.dashboard_page import METRICS
from backoffice.i18n import TEXTS
from backoffice.staff_pages import PAGES_FOR_ROLE

ROOT = Path(__file__).resolve().parents[2] / "backoffice"
LITERAL_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*\)""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_dutch_and_english_have_the_same_keys_and_placeholders() -> None:
    assert set(TEXTS["nl"]) == set(TEXTS["en"])
    for key, dutch in TEXTS["nl"].items():
        assert _placeholders(dutch) == _placeholders(TEXTS["en"][key]), key
        assert dutch.strip() and TEXTS["en"][key].strip(), key


def test_every_key_the_templates_and_pages_name_exists() -> None:
    sources = [*ROOT.glob("templates/*.html"), *ROOT.glob("*.py")]
    used = {key for path in sources for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    # Keys made up at run time: one per channel, metric, device state, status colour, problem and page.
    used |= {f"channel_{c.value}" for c in Channel} | {f"did_{c.value}" for c in Channel}
    used |= {f"metric_{m}" for m in METRICS} | {"green", "amber", "red", "revoked"}
    used |= {f"device_state_{s}" for s in ("ok", "degraded", "failed", "missing")}
    used |= {f"agenda_entry_{entry}" for entry in (ROW, APPOINTMENT)}
    used |= {key for pages in PAGES_FOR_ROLE.values() for _, key in pages}
    problems = re.findall(r'Problem\(\s*f?"([a-z_{}]+)"', (ROOT / "agenda_export.py").read_text())
    problems += re.findall(r'Problem\(\s*"([a-z_]+)"', (ROOT / "appointments_page.py").read_text())
    problems += re.findall(r'_Refused\(\s*"([a-z_]+)"', (ROOT / "agenda_export.py").read_text())
    used |= {f"agenda_problem_{key}" for key in problems if "{" not in key}
    used |= {f"agenda_problem_repeated_{entry}" for entry in (ROW, APPOINTMENT)}
    missing = sorted(key for key in used if key not in TEXTS["nl"])
    assert not missing
    assert len(used) > 120, "the key finder still finds the keys"
