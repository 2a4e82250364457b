"""Rendering staff pages: the templates, the language of the request, and URLs that keep that language."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from backoffice.i18n import pick_language, translator

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def make_templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(TEMPLATES))


def language_of(request: Request) -> str:
    return pick_language(request.query_params.get("lang"))


def localised(path: str, language: str, **params: str) -> str:
    """A link or form action that keeps `?lang=en`, so English stays English after a click or a POST."""
    query = dict(params)
    if language != "nl":
        query["lang"] = language
    return f"{path}?{urlencode(query)}" if query else path


def render(request: Request, template: str, context: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    language = language_of(request)
    templates: Jinja2Templates = request.app.state.templates
    full = {
        "lang": language,
        "t": translator(language),
        "url": lambda path, **params: localised(path, language, **params),
        "other_language_url": localised(request.url.path, "en" if language == "nl" else "nl"),
        "staff": None,
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)
