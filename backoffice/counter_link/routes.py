"""Every route of the counter link, gathered so `backoffice.app` includes one router."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
