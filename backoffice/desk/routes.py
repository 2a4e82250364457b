"""Every route of the staffed desk, gathered so `backoffice.app` includes one router."""

from __future__ import annotations

from fastapi import APIRouter

from backoffice.desk import board, page, page_api

router = APIRouter()
router.include_router(board.router)
router.include_router(page_api.router)
router.include_router(page.router)
