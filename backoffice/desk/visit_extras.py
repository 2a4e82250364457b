"""What the counter link knows of a desk's visit when it ends: the citizen's keys and their feedback.

The desk queue asks for it at `done` through `app.state.visit_extras`; the counter link provides it
(and forgets it, and tells the counter device to wipe). Without the attribute there is no identity and
no feedback: the visit is still recorded, just not in anyone's contact history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class VisitExtras:
    """`citizen_keys` as `backoffice.contacts.citizen_keys` gives them (keyed hashes, never a BSN);
    `feedback` as the counter device answered (`{"how_did_it_go": 1-4, "how_are_you": "…"}`) or None."""

    citizen_keys: list[str] = field(default_factory=list)
    feedback: dict[str, Any] | None = None


NO_EXTRAS = VisitExtras()


class VisitExtrasSource(Protocol):
    def take_visit_extras(self, desk_id: int) -> VisitExtras:
        """The visit's extras, forgotten by the source as they are handed over. Called on the event loop."""
        ...


def extras_for(state: object, desk_id: int) -> VisitExtras:
    """Ask `app.state.visit_extras` when there is one; no source means no identity and no feedback."""
    source: VisitExtrasSource | None = getattr(state, "visit_extras", None)
    return NO_EXTRAS if source is None else source.take_visit_extras(desk_id)
