"""Recording a heartbeat: the latest version, uptime and each driver's health, and since when each state holds."""

from __future__ import annotations

from datetime import datetime

from backoffice.models import Device, DeviceComponent
from backoffice.schemas import ComponentHealth, HealthState, HeartbeatRequest

# The worst component decides the device's overall state; "missing" is as bad as "failed".
_SEVERITY = {HealthState.OK: 0, HealthState.DEGRADED: 1, HealthState.FAILED: 2, HealthState.MISSING: 2}


def overall_state(health: dict[str, ComponentHealth]) -> str:
    worst = max((_SEVERITY[c.state] for c in health.values()), default=0)
    return ("ok", "degraded", "failed")[worst]


def record_heartbeat(device: Device, beat: HeartbeatRequest, now: datetime) -> None:
    """Update `device` in place (the caller commits); a state's "since" moves only when the state changes."""
    device.version = beat.version
    device.uptime_seconds = beat.uptime_seconds
    device.last_heartbeat_at = now
    state = overall_state(beat.health)
    if device.state != state:
        device.state, device.state_since = state, now
    known = {component.name: component for component in device.components}
    for name, health in beat.health.items():
        component = known.pop(name, None)
        if component is None:
            device.components.append(
                DeviceComponent(name=name, state=health.state.value, reason=health.reason, since=now, reported_at=now)
            )
            continue
        if component.state != health.state.value:
            component.state, component.since = health.state.value, now
        component.reason, component.reported_at = health.reason, now
    # A driver the device no longer reports (removed from its config) is no longer shown.
    for gone in known.values():
        device.components.remove(gone)
