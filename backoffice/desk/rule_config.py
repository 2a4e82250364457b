"""The call-next rule's settings for this instance: `app.state.call_next_rule` when a test or a deployment
set one, else the environment (`BALIE_CALL_NEXT_ORDER` = oldest_first | by_topic, `BALIE_CALL_NEXT_EARLY_MINUTES`,
`BALIE_CALL_NEXT_LATE_MINUTES`), else DESK.md's defaults. Every instance behind a balancer gets the same
environment, so they call by the same rule."""

from __future__ import annotations

import os
from collections.abc import Mapping

from backoffice.desk.call_next import CallNextRule, Ordering
from backoffice.errors import BackofficeError


def rule_from_environ(environ: Mapping[str, str]) -> CallNextRule:
    default = CallNextRule()
    try:
        ordering = Ordering(environ.get("BALIE_CALL_NEXT_ORDER", default.ordering.value))
        early = int(environ.get("BALIE_CALL_NEXT_EARLY_MINUTES", default.early_minutes))
        late = int(environ.get("BALIE_CALL_NEXT_LATE_MINUTES", default.late_minutes))
    except ValueError:
        raise BackofficeError(
            "BALIE_CALL_NEXT_ORDER is oldest_first or by_topic; BALIE_CALL_NEXT_*_MINUTES are whole numbers"
        ) from None
    if early < 0 or late < 0:
        raise BackofficeError("BALIE_CALL_NEXT_EARLY_MINUTES and _LATE_MINUTES are 0 or more")
    return CallNextRule(early_minutes=early, late_minutes=late, ordering=ordering)


def rule_of(state: object) -> CallNextRule:
    rule = getattr(state, "call_next_rule", None)
    return rule if isinstance(rule, CallNextRule) else rule_from_environ(os.environ)
