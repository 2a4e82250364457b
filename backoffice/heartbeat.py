"""Recording a heartbeat: the latest version, uptime and each driver's health, and since when each state holds.

The route 500 kiosks call every few seconds, so it is written in SQLAlchemy Core with statements built
once: the ORM's unit of work cost several times the database's own time here. A heartbeat that changes
no driver's health is two statements: the device row, authenticated in its own WHERE clause and with its
state's "since" worked out in SQL, and every component's `reported_at`, which hands back what each last
said. A component's own row is written only when its state or reason changed, added when a driver appears,
deleted when it goes. (UPDATE … RETURNING: PostgreSQL, and SQLite from 3.35; Debian 12 has 3.40.)
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import BindParameter, Connection, Table, bindparam, case, delete, insert, update

from backoffice.device_auth import PROVEN, DeviceToken, proven_by, refuse_unproven
from backoffice.models import Device, DeviceComponent
from backoffice.schemas import ComponentHealth, HealthState, HeartbeatRequest

# The worst component decides the device's overall state; "missing" is as bad as "failed".
_SEVERITY = {HealthState.OK: 0, HealthState.DEGRADED: 1, HealthState.FAILED: 2, HealthState.MISSING: 2}

_devices = cast(Table, Device.__table__)
_components = cast(Table, DeviceComponent.__table__)
_now: BindParameter[datetime] = bindparam("b_now")
_state: BindParameter[str] = bindparam("b_state")
_beat = (
    update(_devices)
    .where(*PROVEN)
    .values(
        version=bindparam("b_version"),
        uptime_seconds=bindparam("b_uptime"),
        last_heartbeat_at=_now,
        state=_state,
        # SET reads the row as it was: "since" moves only when the overall state changes.
        state_since=case((_devices.c.state.is_distinct_from(_state), _now), else_=_devices.c.state_since),
    )
    .returning(_devices.c.id)
)
_its_components = _components.c.device_id == bindparam("b_device")
_this_component = _its_components & (_components.c.name == bindparam("b_component"))
_touch_components = (
    update(_components)
    .where(_its_components)
    .values(reported_at=_now)
    .returning(_components.c.name, _components.c.state, _components.c.reason)
)
_new_reason = update(_components).where(_this_component).values(reason=bindparam("b_reason"))
_new_component_state = (
    update(_components).where(_this_component).values(state=_state, since=_now, reason=bindparam("b_reason"))
)
_add_component = insert(_components)
_drop_components = delete(_components).where(
    _its_components, _components.c.name.in_(bindparam("names", expanding=True))
)


def overall_state(health: dict[str, ComponentHealth]) -> str:
    worst = max((_SEVERITY[c.state] for c in health.values()), default=0)
    return ("ok", "degraded", "failed")[worst]


def record_heartbeat(db: Connection, token: DeviceToken, beat: HeartbeatRequest, now: datetime) -> None:
    """Store `beat` for the token's device, or raise the 401 (the caller commits)."""
    beat_values = {"b_version": beat.version, "b_uptime": beat.uptime_seconds, "b_state": overall_state(beat.health)}
    # The device row first: its lock (a row lock on PostgreSQL, the one writer's turn on SQLite) makes two
    # heartbeats of one device take turns, so they cannot both add the same new component.
    if db.execute(_beat, {**proven_by(token), **beat_values, "b_now": now}).first() is None:
        refuse_unproven(db, token)
    ids = {"b_device": token.device_id, "b_now": now}
    known = {name: (was, why) for name, was, why in db.execute(_touch_components, ids)}
    for name, health in beat.health.items():
        state, reason = health.state.value, health.reason
        before = known.pop(name, None)
        if before is None:
            row = {"device_id": token.device_id, "name": name, "state": state, "reason": reason}
            db.execute(_add_component, {**row, "since": now, "reported_at": now})
        elif before != (state, reason):
            # "since" moves only with the state; a new reason for the same state keeps it.
            this = {**ids, "b_component": name, "b_state": state, "b_reason": reason}
            db.execute(_new_component_state if before[0] != state else _new_reason, this)
    # A driver the device no longer reports (removed from its config) is no longer shown.
    if known:
        db.execute(_drop_components, {"b_device": token.device_id, "names": list(known)})
