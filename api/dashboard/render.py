"""The Jinja2 environment: autoescape everywhere, every printed value made valid Unicode, a few filters."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.responses import clean_text

TEMPLATES = Path(__file__).with_name("templates")
DISPLAY_LIMIT = 4_000


def _finalize(value: Any) -> Any:
    return clean_text(value) if isinstance(value, str) else value


def seg(value: Any) -> str:
    """A URL path segment: every reserved character percent-encoded (so 'javascript:' stays a path)."""
    return quote(clean_text(str(value)), safe="")


def pretty(value: Any, limit: int = 20_000) -> str:
    text = clean_text(json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str))
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit:,} more characters)"


def clip(value: Any, limit: int = DISPLAY_LIMIT) -> str:
    text = clean_text("" if value is None else str(value))
    return text if len(text) <= limit else text[:limit] + f" … ({len(text) - limit:,} more characters)"


def when(value: str | None) -> str:
    """'2024-05-01T10:00:00.000Z' -> '2024-05-01 10:00 UTC'."""
    if not value:
        return "—"
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return clip(value, 40)


def number(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return clip(value, 40)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.{digits}f}"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(seg=seg, pretty=pretty, clip=clip, when=when, number=number)
    return env


class Renderer:
    """Renders a template into an HTMLResponse with the common context (the caller, the feed position)."""

    def __init__(self, poll_interval_s: int) -> None:
        self.env = make_environment()
        self.poll_interval_s = poll_interval_s

    def page(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("principal", None)
        context.setdefault("latest", 0)
        html = self.env.get_template(template).render(
            request_path=request.url.path, poll_interval=self.poll_interval_s, **context
        )
        return HTMLResponse(clean_text(html), status_code=status_code)
