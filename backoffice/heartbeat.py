"""Recording a heartbeat: the latest version, uptime and each driver's health, and since when each state holds.

The route 500 kiosks call every few seconds, so it is written in SQLAlchemy Core with statements built
once: the ORM's unit of work cost several times the database's own time here. Most heartbeats change
nothing but the time and the uptime, and cost three short statements: the device row, a read of its
components, and every component's `reported_at` at once. A component's own row is written only when its
state or reason changed, added when a driver appears, deleted when it goes.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update

from backoffice.device_auth import KnownDevice
from backoffice.models import Device, DeviceComponent
from backoffice.schemas import ComponentHealth, HealthState, HeartbeatRequest

# The worst component decides the device's overall state; "missing" is as bad as "failed".
_SEVERITY = {HealthState.OK: 0, HealthState.DEGRADED: 1, HealthState.FAILED: 2, HealthState.MISSING: 2}

_devices = cast(Table, Device.__table__)
_components = cast(Table, DeviceComponent.__table__)
_this_device = _devices.c.id == bindparam("b_device")
_its_components = _components.c.device_id == bindparam("b_device")
_this_component = _its_components & (_components.c.name == bindparam("b_component"))
_beat = update(_devices).where(_this_device)
_touch_device = _beat.values(
    version=bindparam("b_version"), uptime_seconds=bindparam("b_uptime"), last_heartbeat_at=bindparam("b_now")
)
_new_state = _beat.values(state=bindparam("b_state"), state_since=bindparam("b_now"))
_read_components = select(_components.c.name, _components.c.state, _components.c.reason).where(_its_components)
_touch_components = update(_components).where(_its_components).values(reported_at=bindparam("b_now"))
_new_reason = update(_components).where(_this_component).values(reason=bindparam("b_reason"))
_new_component_state = (
    update(_components)
    .where(_this_component)
    .values(state=bindparam("b_state"), since=bindparam("b_now"), reason=bindparam("b_reason"))
)
_add_component = insert(_components)
_drop_components = delete(_components).where(
    _its_components, _components.c.name.in_(bindparam("names", expanding=True))
)


def overall_state(health: dict[str, ComponentHealth]) -> str:
    worst = max((_SEVERITY[c.state] for c in health.values()), default=0)
    return ("ok", "degraded", "failed")[worst]


def record_heartbeat(db: Connection, device: KnownDevice, beat: HeartbeatRequest, now: datetime) -> None:
    """Store `beat` for `device` (the caller commits); a state's "since" moves only when the state changes."""
    ids = {"b_device": device.id, "b_now": now}
    # The device row first: its lock (a row lock on PostgreSQL, the one writer's turn on SQLite) makes two
    # heartbeats of one device take turns, so they cannot both add the same new component.
    db.execute(_touch_device, {**ids, "b_version": beat.version, "b_uptime": beat.uptime_seconds})
    overall = overall_state(beat.health)
    if device.state != overall:
        db.execute(_new_state, {**ids, "b_state": overall})
    known = {name: (was, why) for name, was, why in db.execute(_read_components, ids)}
    if known:
        db.execute(_touch_components, ids)
    for name, health in beat.health.items():
        state, reason = health.state.value, health.reason
        before = known.pop(name, None)
        if before is None:
            row = {"device_id": device.id, "name": name, "state": state, "reason": reason}
            db.execute(_add_component, {**row, "since": now, "reported_at": now})
        elif before != (state, reason):
            # "since" moves only with the state; a new reason for the same state keeps it.
            this = {**ids, "b_component": name, "b_state": state, "b_reason": reason}
            db.execute(_new_component_state if before[0] != state else _new_reason, this)
    # A driver the device no longer reports (removed from its config) is no longer shown.
    if known:
        db.execute(_drop_components, {"b_device": device.id, "names": list(known)})
