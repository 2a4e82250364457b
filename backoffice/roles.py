"""Staff roles and which pages each may open: one table of truth, checked by a dependency on every route."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    TECHNICIAN = "technician"
    MANAGER = "manager"
    ADMIN = "admin"


# A technician sees devices, not citizens; caseworkers and managers do not manage devices.
FLEET_ROLES = frozenset({Role.TECHNICIAN, Role.ADMIN})
ALL_ROLES = frozenset(Role)
