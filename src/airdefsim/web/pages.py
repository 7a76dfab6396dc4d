"""HTML pages: the Jinja templates and the one way a route renders them.

Every page gets the logged-in user (or None) and the session's CSRF token (the
``csrf-token`` meta tag and each form's hidden field). Notices shown after a redirect
are fixed texts looked up by key, never text taken from the URL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from airdefsim.web.deps import Viewer

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

NOTICES = {
    "scenario_added": "Scenario added.",
    "assigned": "Exercise assigned.",
    "assignment_updated": "Assignment updated.",
    "user_created": "User created.",
    "user_updated": "User updated.",
}


def notice(key: str | None) -> str | None:
    """The fixed text of a notice key (None for an unknown one)."""
    return NOTICES.get(key or "")


def render(
    request: Request, name: str, me: Viewer | None, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render template ``name`` for ``me`` (None: not logged in)."""
    base = {"user": me.user if me else None, "csrf": me.csrf if me else ""}
    return TEMPLATES.TemplateResponse(request, name, {**base, **context}, status_code=status)
