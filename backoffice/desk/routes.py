"""Every route of the staffed desk, gathered so `backoffice.app` includes one router."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
